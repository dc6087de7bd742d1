"""Argument checks shared by the protocol types' constructors: unsigned integers (never ``bool``), byte
strings (a ``bytearray`` or ``memoryview`` becomes ``bytes`` so that every value stays hashable) and tuples
of one element type. Each raises the caller's own error class with a message naming the field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tanglehub.errors import TanglehubError

__all__ = ["U8_MAX", "U16_MAX", "U32_MAX", "U64_MAX", "byte_string", "is_uint", "typed_tuple", "uint"]

U8_MAX = 0xFF
"""Largest uint8."""
U16_MAX = 0xFFFF
"""Largest uint16."""
U32_MAX = 0xFFFF_FFFF
"""Largest uint32."""
U64_MAX = (1 << 64) - 1
"""Largest uint64."""


def is_uint(value: object, hi: int) -> bool:
    """Whether ``value`` is an ``int`` (not a ``bool``) in ``0..hi``."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= hi


def uint(value: object, hi: int, what: str, error: type[TanglehubError]) -> int:
    """Return ``value`` if it is an integer in ``0..hi``; otherwise raise ``error`` naming ``what``."""
    if not is_uint(value, hi):
        if isinstance(value, int) and not isinstance(value, bool):
            raise error(f"{what} {value} is out of range (0..{hi})")
        raise error(f"{what} must be an integer in 0..{hi}, got {value!r:.80}")
    return value  # type: ignore[return-value]


def byte_string(
    value: object,
    what: str,
    error: type[TanglehubError],
    length: int | None = None,
    max_length: int | None = None,
) -> bytes:
    """Return ``value`` as ``bytes``, checking an exact ``length`` or a ``max_length`` when given."""
    if type(value) is not bytes:
        if not isinstance(value, bytes | bytearray | memoryview):
            raise error(f"{what} must be bytes, got {type(value).__name__}")
        value = bytes(value)
    if length is not None and len(value) != length:
        raise error(f"{what} is {length} bytes, got {len(value)}")
    if max_length is not None and len(value) > max_length:
        raise error(f"{what} is at most {max_length} bytes, got {len(value)}")
    return value


def typed_tuple(
    items: object, kinds: type[Any] | tuple[type[Any], ...], what: str, error: type[TanglehubError]
) -> tuple[Any, ...]:
    """Return ``items`` as a tuple whose every element is an instance of ``kinds``."""
    if isinstance(items, str | bytes | bytearray) or not isinstance(items, Iterable):
        raise error(f"{what} must be a sequence, got {type(items).__name__}")
    seq = items if type(items) is tuple else tuple(items)
    for i, item in enumerate(seq):
        if not isinstance(item, kinds):
            raise error(f"{what}[{i}] must not be a {type(item).__name__}")
    return seq
