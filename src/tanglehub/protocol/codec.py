"""Binary codec primitives (TIP-21): little-endian integers, prefixed byte strings, and the base class
every Stardust type derives from.

A subclass of :class:`Serializable` implements ``write_to(w)`` and ``read_from(r)``; the base supplies
``to_bytes``/``from_bytes`` (which rejects trailing bytes) and equality by serialized bytes is left to the
frozen dataclasses themselves (field-wise equality is equivalent because encoding is canonical).
"""

from __future__ import annotations

import struct
from abc import ABC, abstractmethod
from typing import ClassVar, Self

from tanglehub.protocol.errors import DecodeError

__all__ = ["Reader", "Serializable", "Writer"]

_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")


class Reader:
    """Reads TIP-21 fields from a byte string; every short read raises :class:`DecodeError` with the offset."""

    __slots__ = ("_data", "_pos")

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self._data = bytes(data)
        self._pos = 0

    @property
    def offset(self) -> int:
        """Current read position."""
        return self._pos

    @property
    def remaining(self) -> int:
        """Bytes not yet read."""
        return len(self._data) - self._pos

    def _need(self, n: int, what: str) -> int:
        start = self._pos
        if start + n > len(self._data):
            raise DecodeError(
                f"unexpected end of data reading {what} (need {n} bytes, have {len(self._data) - start})",
                start,
            )
        self._pos = start + n
        return start

    def u8(self, what: str = "u8") -> int:
        """Read one unsigned byte."""
        start = self._need(1, what)
        return self._data[start]

    def u16(self, what: str = "u16") -> int:
        """Read a little-endian uint16."""
        start = self._need(2, what)
        return int(_U16.unpack_from(self._data, start)[0])

    def u32(self, what: str = "u32") -> int:
        """Read a little-endian uint32."""
        start = self._need(4, what)
        return int(_U32.unpack_from(self._data, start)[0])

    def u64(self, what: str = "u64") -> int:
        """Read a little-endian uint64."""
        start = self._need(8, what)
        return int(_U64.unpack_from(self._data, start)[0])

    def u256(self, what: str = "u256") -> int:
        """Read a 32-byte little-endian unsigned integer."""
        start = self._need(32, what)
        return int.from_bytes(self._data[start : start + 32], "little")

    def raw(self, n: int, what: str = "bytes") -> bytes:
        """Read exactly ``n`` bytes."""
        start = self._need(n, what)
        return self._data[start : start + n]

    def prefixed(self, width: int, what: str = "bytes", max_len: int | None = None) -> bytes:
        """Read a byte string with a length prefix of ``width`` bytes (1, 2 or 4)."""
        at = self._pos
        n = {1: self.u8, 2: self.u16, 4: self.u32}[width](f"length of {what}")
        if max_len is not None and n > max_len:
            raise DecodeError(f"{what} is {n} bytes long, more than the allowed {max_len}", at)
        return self.raw(n, what)

    def peek_u8(self, what: str = "type") -> int:
        """Return the next byte without consuming it."""
        if self._pos >= len(self._data):
            raise DecodeError(f"unexpected end of data reading {what}", self._pos)
        return self._data[self._pos]

    def peek_u32(self, what: str = "type") -> int:
        """Return the next uint32 without consuming it."""
        if self._pos + 4 > len(self._data):
            raise DecodeError(f"unexpected end of data reading {what}", self._pos)
        return int(_U32.unpack_from(self._data, self._pos)[0])

    def expect_end(self, what: str = "object") -> None:
        """Raise unless every byte was consumed."""
        if self._pos != len(self._data):
            raise DecodeError(f"{len(self._data) - self._pos} trailing bytes after the {what}", self._pos)


class Writer:
    """Accumulates TIP-21 fields; ``getvalue()`` returns the bytes written."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def u8(self, v: int) -> None:
        """Write one unsigned byte."""
        self._parts.append(bytes((v,)))

    def u16(self, v: int) -> None:
        """Write a little-endian uint16."""
        self._parts.append(_U16.pack(v))

    def u32(self, v: int) -> None:
        """Write a little-endian uint32."""
        self._parts.append(_U32.pack(v))

    def u64(self, v: int) -> None:
        """Write a little-endian uint64."""
        self._parts.append(_U64.pack(v))

    def u256(self, v: int) -> None:
        """Write a 32-byte little-endian unsigned integer."""
        self._parts.append(v.to_bytes(32, "little"))

    def raw(self, b: bytes) -> None:
        """Write raw bytes."""
        self._parts.append(b)

    def prefixed(self, width: int, b: bytes) -> None:
        """Write a byte string with a length prefix of ``width`` bytes."""
        {1: self.u8, 2: self.u16, 4: self.u32}[width](len(b))
        self._parts.append(b)

    def getvalue(self) -> bytes:
        """All bytes written so far."""
        return b"".join(self._parts)


class Serializable(ABC):
    """Base of every binary-encodable protocol type."""

    __slots__ = ()
    NAME: ClassVar[str] = "object"

    @abstractmethod
    def write_to(self, w: Writer) -> None:
        """Append this object's bytes to ``w``."""

    @classmethod
    @abstractmethod
    def read_from(cls, r: Reader) -> Self:
        """Read one object from ``r``."""

    def to_bytes(self) -> bytes:
        """The canonical serialized form."""
        w = Writer()
        self.write_to(w)
        return w.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> Self:
        """Decode exactly one object; trailing bytes are an error."""
        r = Reader(data)
        obj = cls.read_from(r)
        r.expect_end(cls.NAME)
        return obj
