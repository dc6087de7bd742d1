"""Checks for the values callers pass to node methods, so malformed ids never reach the wire."""

from __future__ import annotations

import re

from tanglehub.node.errors import NodeArgumentError
from tanglehub.protocol.block import BLOCK_ID_LENGTH
from tanglehub.protocol.ids import (
    ALIAS_ID_LENGTH,
    FOUNDRY_ID_LENGTH,
    NFT_ID_LENGTH,
    OUTPUT_ID_LENGTH,
    TRANSACTION_ID_LENGTH,
)

__all__ = [
    "ALIAS_ID_LENGTH",
    "BLOCK_ID_LENGTH",
    "FOUNDRY_ID_LENGTH",
    "MILESTONE_ID_LENGTH",
    "NFT_ID_LENGTH",
    "OUTPUT_ID_LENGTH",
    "TRANSACTION_ID_LENGTH",
    "hex_id",
    "milestone_index",
]

MILESTONE_ID_LENGTH = 32

_HEX = re.compile(r"^0x[0-9a-fA-F]*$")


def hex_id(value: bytes | str, length: int, what: str) -> str:
    """Return ``value`` (raw bytes or ``0x`` hex) as the node's lower-case ``0x`` hex of ``length`` bytes."""
    if isinstance(value, bytes | bytearray):
        raw = bytes(value)
    elif isinstance(value, str) and _HEX.match(value) and len(value) % 2 == 0:
        raw = bytes.fromhex(value[2:])
    else:
        raise NodeArgumentError(f"{what} must be {length} bytes or 0x-prefixed hex, got {value!r}"[:200])
    if len(raw) != length:
        raise NodeArgumentError(f"{what} must be {length} bytes, got {len(raw)}")
    return "0x" + raw.hex()


def milestone_index(value: int) -> int:
    """Check that ``value`` is a valid milestone index (u32)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFF_FFFF:
        raise NodeArgumentError(f"milestone index must be an integer in 0..4294967295, got {value!r}")
    return value
