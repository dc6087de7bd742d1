"""Bech32 addresses (BIP-173 checksum constant 1, not bech32m) as TIP-31 defines them for IOTA/Shimmer.

An address is ``hrp + "1" + data``: the data part is the 33-byte serialized address (type byte || 32-byte
body) regrouped into 5-bit characters, then a 6-character checksum. Encoding is on the hot path of address
generation, so it never loops per character: the checksum is GF(2)-linear in the payload bits, so it is the
per-network constant XOR one precomputed table entry per payload byte, and the characters come from a
15-bit (three-character) table. :func:`encode_many` does whole batches with numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from tanglehub.keys.errors import (
    Bech32CharacterError,
    Bech32ChecksumError,
    Bech32Error,
    Bech32HrpError,
    Bech32LengthError,
    Bech32MixedCaseError,
    UnknownAddressKindError,
    WrongNetworkError,
)

__all__ = [
    "ADDRESS_KINDS",
    "ALIAS",
    "ED25519",
    "NFT",
    "check_hrp",
    "decode_address",
    "encode_address",
    "encode_many",
]

ED25519 = 0
"""Address type byte of an Ed25519 address (BLAKE2b-256 of the public key)."""
ALIAS = 8
"""Address type byte of an Alias address (the alias id)."""
NFT = 16
"""Address type byte of an NFT address (the NFT id)."""
ADDRESS_KINDS: dict[int, str] = {ED25519: "Ed25519", ALIAS: "Alias", NFT: "NFT"}
"""Known address type bytes and their names."""

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_CHAR_VALUE: dict[str, int] = {c: i for i, c in enumerate(_CHARSET)}
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_BECH32M_CONST = 0x2BC830A3
_PAYLOAD_LEN = 33
_DATA_CHARS = 53  # ceil(33 * 8 / 5)
_MAX_HRP = 83


def _polymod(values: Sequence[int], chk: int = 1) -> int:
    for value in values:
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ value
        for i in range(5):
            if (top >> i) & 1:
                chk ^= _GENERATOR[i]
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _to_5bit(payload: bytes) -> list[int]:
    value = int.from_bytes(payload, "big") << (_DATA_CHARS * 5 - len(payload) * 8)
    return [(value >> (5 * (_DATA_CHARS - 1 - i))) & 31 for i in range(_DATA_CHARS)]


def _byte_tables() -> list[list[int]]:
    """Checksum contribution of each value of each payload byte (with zero initial state)."""
    tables: list[list[int]] = []
    for position in range(_PAYLOAD_LEN):
        basis = []
        for bit in range(8):
            payload = bytearray(_PAYLOAD_LEN)
            payload[position] = 1 << bit
            basis.append(_polymod([*_to_5bit(bytes(payload)), 0, 0, 0, 0, 0, 0], chk=0))
        table = [0] * 256
        for value in range(1, 256):
            low = value & -value
            table[value] = table[value ^ low] ^ basis[low.bit_length() - 1]
        tables.append(table)
    return tables


_TABLES = _byte_tables()
_TRIPLES = [_CHARSET[i >> 10] + _CHARSET[(i >> 5) & 31] + _CHARSET[i & 31] for i in range(1 << 15)]
_SHIFTS = tuple(range(270 - 15, -1, -15))  # 18 triples = 54 characters, the last one dropped
_NP_TABLES = np.array(_TABLES, dtype=np.uint32)
_NP_CHARSET = np.frombuffer(_CHARSET.encode("ascii"), dtype=np.uint8)


def check_hrp(hrp: str) -> str:
    """Return ``hrp`` if it is a valid network prefix: 1 to 83 printable ASCII characters, no upper case."""
    if not isinstance(hrp, str) or not 1 <= len(hrp) <= _MAX_HRP:
        raise Bech32HrpError(f"a network prefix (hrp) must be 1 to {_MAX_HRP} characters long")
    if not hrp.isascii() or any(not 33 <= ord(c) <= 126 for c in hrp):
        raise Bech32HrpError("a network prefix (hrp) may only use printable ASCII characters")
    if hrp != hrp.lower():
        raise Bech32HrpError(f"a network prefix (hrp) must be lower case, not {hrp!r}")
    return hrp


@lru_cache(maxsize=64)
def _hrp_constant(hrp: str) -> int:
    """Checksum contribution of the hrp, the initial state and the final XOR (everything but the payload)."""
    return _polymod([*_hrp_expand(hrp), *([0] * (_DATA_CHARS + 6))]) ^ 1


def _check_kind(kind: int) -> None:
    if not isinstance(kind, int) or isinstance(kind, bool) or kind not in ADDRESS_KINDS:
        raise UnknownAddressKindError(
            f"unknown address type {kind!r:.40}: expected 0 (Ed25519), 8 (Alias) or 16 (NFT)"
        )


def _payload(kind: int, body: bytes) -> bytes:
    _check_kind(kind)
    if not isinstance(body, bytes | bytearray) or len(body) != 32:
        raise Bech32LengthError("an address body must be 32 bytes")
    return bytes((kind,)) + bytes(body)


def encode_address(hrp: str, kind: int, body: bytes) -> str:
    """Return the bech32 address of type ``kind`` (0, 8 or 16) with the 32-byte ``body`` for network ``hrp``."""
    payload = _payload(kind, body)
    check = _hrp_constant(check_hrp(hrp))
    for table, byte in zip(_TABLES, payload, strict=True):
        check ^= table[byte]
    value = int.from_bytes(payload, "big") << 6
    triples = _TRIPLES
    data = "".join([triples[(value >> s) & 0x7FFF] for s in _SHIFTS])
    return f"{hrp}1{data[:_DATA_CHARS]}{triples[check >> 15]}{triples[check & 0x7FFF]}"


def encode_many(hrp: str, kind: int, bodies: Sequence[bytes]) -> list[str]:
    """Encode many 32-byte bodies of one ``kind`` for one network at once (vectorised; same result as
    calling :func:`encode_address` on each)."""
    prefix = check_hrp(hrp) + "1"
    _check_kind(kind)
    count = len(bodies)
    if count == 0:
        return []
    if any(not isinstance(b, bytes | bytearray) or len(b) != 32 for b in bodies):
        raise Bech32LengthError("every address body must be 32 bytes")
    joined = b"".join(bodies)
    payload = np.zeros((count, 35), dtype=np.uint8)  # padded to a multiple of 5 bits
    payload[:, 0] = kind
    payload[:, 1:_PAYLOAD_LEN] = np.frombuffer(joined, dtype=np.uint8).reshape(count, 32)
    table_hits = _NP_TABLES[np.arange(_PAYLOAD_LEN), payload[:, :_PAYLOAD_LEN]]
    check = np.bitwise_xor.reduce(table_hits, axis=1) ^ np.uint32(_hrp_constant(hrp))
    width = _DATA_CHARS + 6
    bits = np.empty((count, width * 5), dtype=np.uint8)
    bits[:, : _DATA_CHARS * 5] = np.unpackbits(payload, axis=1)[:, : _DATA_CHARS * 5]
    check_bytes = check.astype(">u4").view(np.uint8).reshape(count, 4)
    bits[:, _DATA_CHARS * 5 :] = np.unpackbits(check_bytes, axis=1)[:, 2:]
    groups = bits.reshape(count, width, 5)
    values = (groups[:, :, 0] << 4) | (groups[:, :, 1] << 3) | (groups[:, :, 2] << 2)
    values |= (groups[:, :, 3] << 1) | groups[:, :, 4]
    text = _NP_CHARSET[values].tobytes().decode("ascii")
    return [prefix + text[i : i + width] for i in range(0, count * width, width)]


def decode_address(text: str, expected_hrp: str | None = None) -> tuple[str, int, bytes]:
    """Decode a bech32 address into ``(hrp, kind, 32-byte body)``.

    Raises a :class:`Bech32Error` subclass saying what is wrong: mixed case, a bad character or missing
    separator, a bad network prefix, a bad checksum, the wrong network (when ``expected_hrp`` is given),
    the wrong length or an unknown address type.
    """
    if not isinstance(text, str):
        raise Bech32Error("an address must be given as text")
    if text != text.lower() and text != text.upper():
        raise Bech32MixedCaseError("address mixes upper- and lower-case letters")
    text = text.lower()
    separator = text.rfind("1")
    if separator < 0:
        raise Bech32CharacterError("address has no '1' separator between the network prefix and the data")
    hrp, data = text[:separator], text[separator + 1 :]
    check_hrp(hrp)
    values = []
    for position, char in enumerate(data, start=separator + 2):
        value = _CHAR_VALUE.get(char)
        if value is None:
            raise Bech32CharacterError(
                f"address has a character that bech32 never uses: {char!r} at position {position}"
            )
        values.append(value)
    if len(values) < 6:
        raise Bech32LengthError("address is too short to hold a checksum")
    residue = _polymod(_hrp_expand(hrp) + values)
    if residue == _BECH32M_CONST:
        raise Bech32ChecksumError("address has a bech32m checksum; IOTA addresses use bech32 (BIP-173)")
    if residue != 1:
        raise Bech32ChecksumError("address checksum does not match: a character is wrong, missing or extra")
    if expected_hrp is not None and hrp != expected_hrp:
        raise WrongNetworkError(hrp, expected_hrp)
    data_values = values[:-6]
    if len(data_values) != _DATA_CHARS:
        raise Bech32LengthError(
            f"address holds {len(data_values) * 5 // 8} bytes, an IOTA address holds {_PAYLOAD_LEN} "
            "(type byte and 32-byte id)"
        )
    number = 0
    for value in data_values:
        number = (number << 5) | value
    if number & 1:
        raise Bech32LengthError("address has non-zero padding bits")
    payload = (number >> 1).to_bytes(_PAYLOAD_LEN, "big")
    kind = payload[0]
    if kind not in ADDRESS_KINDS:
        raise UnknownAddressKindError(
            f"address type {kind} is unknown: expected 0 (Ed25519), 8 (Alias) or 16 (NFT)"
        )
    return hrp, kind, payload[1:]
