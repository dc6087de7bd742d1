"""Identifiers derived by hashing (TIP-18/20/31): network id, output id, alias/NFT id, foundry/token id."""

from __future__ import annotations

import hashlib
import struct

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
    return int.from_bytes(blake2b256(name.encode("utf-8"))[:8], "little")


def _check_index(index: int) -> None:
    if not 0 <= index <= MAX_OUTPUT_INDEX:
        raise InvalidIdentifierError(f"output index {index} is out of range (0..{MAX_OUTPUT_INDEX})")


def output_id(transaction_id: bytes, index: int) -> bytes:
    """The 34-byte id of output ``index`` of transaction ``transaction_id``."""
    if len(transaction_id) != TRANSACTION_ID_LENGTH:
        raise InvalidIdentifierError(
            f"a transaction id has {TRANSACTION_ID_LENGTH} bytes, got {len(transaction_id)}"
        )
    _check_index(index)
    return bytes(transaction_id) + _U16.pack(index)


def split_output_id(oid: bytes) -> tuple[bytes, int]:
    """Split an output id into its transaction id and output index."""
    if len(oid) != OUTPUT_ID_LENGTH:
        raise InvalidIdentifierError(f"an output id has {OUTPUT_ID_LENGTH} bytes, got {len(oid)}")
    index = int(_U16.unpack_from(oid, TRANSACTION_ID_LENGTH)[0])
    _check_index(index)
    return bytes(oid[:TRANSACTION_ID_LENGTH]), index


def _check_output_id(oid: bytes) -> None:
    if len(oid) != OUTPUT_ID_LENGTH:
        raise InvalidIdentifierError(f"an output id has {OUTPUT_ID_LENGTH} bytes, got {len(oid)}")


def alias_id_from_output_id(oid: bytes) -> bytes:
    """The alias id of an alias created by output ``oid``: BLAKE2b-256 of the output id."""
    _check_output_id(oid)
    return blake2b256(bytes(oid))


def nft_id_from_output_id(oid: bytes) -> bytes:
    """The NFT id of an NFT minted by output ``oid``: BLAKE2b-256 of the output id."""
    _check_output_id(oid)
    return blake2b256(bytes(oid))


def foundry_id(alias_id: bytes, serial_number: int, scheme_type: int = 0) -> bytes:
    """The 38-byte foundry id (= token id): ``0x08 || alias id || u32 LE serial || u8 scheme type``."""
    if len(alias_id) != ALIAS_ID_LENGTH:
        raise InvalidIdentifierError(f"an alias id has {ALIAS_ID_LENGTH} bytes, got {len(alias_id)}")
    if not 0 <= serial_number <= 0xFFFF_FFFF:
        raise InvalidIdentifierError(f"foundry serial number {serial_number} does not fit in 32 bits")
    if not 0 <= scheme_type <= 0xFF:
        raise InvalidIdentifierError(f"token scheme type {scheme_type} does not fit in 8 bits")
    return bytes((_ALIAS_ADDRESS_KIND,)) + bytes(alias_id) + _FOUNDRY_TAIL.pack(serial_number, scheme_type)
