"""Helpers for the node API's JSON shape: 0x-hex byte strings, decimal-string u64, 0x-hex uint256.

Every reader takes a ``path`` (like ``"essence.outputs[2].amount"``) so that errors name the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tanglehub.protocol.errors import JsonShapeError

__all__ = [
    "JsonObject",
    "get_field",
    "hex_from_bytes",
    "hex_to_bytes",
    "int_from_dec",
    "int_from_hex_u256",
    "int_to_hex_u256",
    "optional_list",
    "require_int",
    "require_list",
    "require_object",
    "sub",
]

JsonObject = dict[str, Any]
"""A decoded JSON object."""

U64_MAX = (1 << 64) - 1
U256_MAX = (1 << 256) - 1

_HEX_DIGITS = re.compile(r"[0-9a-fA-F]+")


def sub(path: str, key: str | int) -> str:
    """Extend a JSON field path by an object key (``a.b``) or an array index (``a[2]``)."""
    if type(key) is str:
        return f"{path}.{key}" if path else key
    return f"{path}[{key}]"


def hex_from_bytes(b: bytes) -> str:
    """``0x``-prefixed lower-case hex of ``b``."""
    return "0x" + b.hex()


def hex_to_bytes(value: object, path: str, length: int | None = None) -> bytes:
    """Parse a ``0x`` hex string, optionally of exactly ``length`` bytes."""
    if not isinstance(value, str):
        raise JsonShapeError(f"expected a 0x-prefixed hex string, got {type(value).__name__}", path)
    if not value.startswith(("0x", "0X")):
        raise JsonShapeError("hex string must start with 0x", path)
    digits = value[2:]
    try:
        raw = bytes.fromhex(digits)
    except ValueError:
        raise JsonShapeError("not valid hex", path) from None
    if 2 * len(raw) != len(digits):  # bytes.fromhex skips whitespace; the node never sends any
        raise JsonShapeError("not valid hex (it contains whitespace)", path)
    if length is not None and len(raw) != length:
        raise JsonShapeError(f"expected {length} bytes, got {len(raw)}", path)
    return raw


def int_from_dec(value: object, path: str, max_value: int = U64_MAX) -> int:
    """Parse a decimal-string amount (the node sends u64 values as strings); ints are accepted too."""
    if isinstance(value, bool):
        raise JsonShapeError("expected a decimal string, got a boolean", path)
    if isinstance(value, int):
        n = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        if len(value.lstrip("0")) > len(str(max_value)):  # also keeps int() below its digit limit
            raise JsonShapeError(f"{value[:24]}... is out of range (0..{max_value})", path)
        n = int(value)
    else:
        raise JsonShapeError(f"expected a decimal string, got {value!r:.80}", path)
    if n < 0 or n > max_value:
        raise JsonShapeError(f"{n} is out of range (0..{max_value})", path)
    return n


def int_from_hex_u256(value: object, path: str) -> int:
    """Parse a uint256 written as ``0x`` hex of its numeric value (``"0x64"`` = 100)."""
    if not isinstance(value, str) or not value.startswith(("0x", "0X")) or len(value) < 3:
        raise JsonShapeError(f"expected a 0x hex number, got {value!r:.80}", path)
    if _HEX_DIGITS.fullmatch(value, 2) is None:  # int() would also take a sign, "_", spaces and "0x"
        raise JsonShapeError(f"not a hex number: {value!r:.80}", path)
    n = int(value[2:], 16)
    if n > U256_MAX:
        raise JsonShapeError("number does not fit in 256 bits", path)
    return n


def int_to_hex_u256(n: int) -> str:
    """Write a uint256 as the node does: ``0x`` hex digits, no leading zeros."""
    return hex(n)


def require_object(value: object, path: str) -> Mapping[str, Any]:
    """Check that ``value`` is a JSON object."""
    if type(value) is dict:  # the common case, without the slower ABC check
        return value
    if not isinstance(value, Mapping):
        raise JsonShapeError(f"expected an object, got {type(value).__name__}", path)
    return value


def get_field(obj: Mapping[str, Any], key: str, path: str) -> Any:
    """Return ``obj[key]`` or raise a :class:`JsonShapeError` naming the missing field."""
    if key not in obj:
        raise JsonShapeError(f"missing field '{key}'", path)
    return obj[key]


def require_int(value: object, path: str, lo: int = 0, hi: int = U64_MAX) -> int:
    """Check that ``value`` is a JSON integer within ``lo..hi``."""
    if type(value) is int and lo <= value <= hi:  # the common case
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise JsonShapeError(f"expected an integer, got {value!r:.80}", path)
    if value < lo or value > hi:
        raise JsonShapeError(f"{value} is out of range ({lo}..{hi})", path)
    return value


def require_list(value: object, path: str) -> list[Any]:
    """Check that ``value`` is a JSON array."""
    if not isinstance(value, list):
        raise JsonShapeError(f"expected an array, got {type(value).__name__}", path)
    return value


def optional_list(obj: Mapping[str, Any], key: str, path: str) -> list[Any]:
    """An optional array field: missing or ``null`` means empty."""
    value = obj.get(key)
    if value is None:
        return []
    return require_list(value, sub(path, key))
