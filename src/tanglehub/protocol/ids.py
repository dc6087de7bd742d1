"""Identifiers derived by hashing (TIP-18/20/31): network id, output id, alias/NFT id, foundry/token id."""

from __future__ import annotations

import hashlib
import struct

from tanglehub.protocol._values import U8_MAX, U32_MAX, byte_string, is_uint, uint
from tanglehub.protocol.validation_errors import InvalidIdentifierError

__all__ = [
    "ALIAS_ID_LENGTH",
    "FOUNDRY_ID_LENGTH",
    "MAX_OUTPUT_INDEX",
    "NFT_ID_LENGTH",
    "OUTPUT_ID_LENGTH",
    "TRANSACTION_ID_LENGTH",
    "alias_id_from_output_id",
    "blake2b256",
    "foundry_id",
    "network_id",
    "nft_id_from_output_id",
    "output_id",
    "split_output_id",
]

TRANSACTION_ID_LENGTH = 32
"""Bytes in a transaction id."""
OUTPUT_ID_LENGTH = 34
"""Bytes in an output id: transaction id plus a little-endian u16 output index."""
ALIAS_ID_LENGTH = 32
"""Bytes in an alias id."""
NFT_ID_LENGTH = 32
"""Bytes in an NFT id."""
FOUNDRY_ID_LENGTH = 38
"""Bytes in a foundry id (the same bytes are the id of the foundry's native token)."""
MAX_OUTPUT_INDEX = 127
"""A transaction creates at most 128 outputs, so an output index is at most 127."""

_FOUNDRY_TAIL = struct.Struct("<IB")
_U16 = struct.Struct("<H")
_ALIAS_ADDRESS_KIND = 8


def blake2b256(data: bytes) -> bytes:
    """BLAKE2b with a 32-byte digest, the protocol's hash function."""
    return hashlib.blake2b(data, digest_size=32).digest()


def network_id(name: str) -> int:
    """The network id of network ``name``: the first 8 bytes of BLAKE2b-256(name) read little-endian."""
    if not isinstance(name, str):
        raise InvalidIdentifierError(f"a network name must be text, got {type(name).__name__}")
    return int.from_bytes(blake2b256(name.encode("utf-8"))[:8], "little")


def _check_index(index: int) -> None:
    uint(index, MAX_OUTPUT_INDEX, "output index", InvalidIdentifierError)


def output_id(transaction_id: bytes, index: int) -> bytes:
    """The 34-byte id of output ``index`` of transaction ``transaction_id``."""
    tx_id = byte_string(transaction_id, "a transaction id", InvalidIdentifierError, TRANSACTION_ID_LENGTH)
    _check_index(index)
    return tx_id + _U16.pack(index)


def split_output_id(oid: bytes) -> tuple[bytes, int]:
    """Split an output id into its transaction id and output index."""
    oid = _check_output_id(oid)
    index = int(_U16.unpack_from(oid, TRANSACTION_ID_LENGTH)[0])
    _check_index(index)
    return oid[:TRANSACTION_ID_LENGTH], index


def _check_output_id(oid: bytes) -> bytes:
    return byte_string(oid, "an output id", InvalidIdentifierError, OUTPUT_ID_LENGTH)


def alias_id_from_output_id(oid: bytes) -> bytes:
    """The alias id of an alias created by output ``oid``: BLAKE2b-256 of the output id."""
    return blake2b256(_check_output_id(oid))


def nft_id_from_output_id(oid: bytes) -> bytes:
    """The NFT id of an NFT minted by output ``oid``: BLAKE2b-256 of the output id."""
    return blake2b256(_check_output_id(oid))


def foundry_id(alias_id: bytes, serial_number: int, scheme_type: int = 0) -> bytes:
    """The 38-byte foundry id (= token id): ``0x08 || alias id || u32 LE serial || u8 scheme type``."""
    alias = byte_string(alias_id, "an alias id", InvalidIdentifierError, ALIAS_ID_LENGTH)
    if not is_uint(serial_number, U32_MAX):
        raise InvalidIdentifierError(f"foundry serial number {serial_number!r:.40} does not fit in 32 bits")
    if not is_uint(scheme_type, U8_MAX):
        raise InvalidIdentifierError(f"token scheme type {scheme_type!r:.40} does not fit in 8 bits")
    return bytes((_ALIAS_ADDRESS_KIND,)) + alias + _FOUNDRY_TAIL.pack(serial_number, scheme_type)
