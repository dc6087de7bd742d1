"""Binary codec primitives (TIP-21): little-endian integers, prefixed byte strings, and the base class
every Stardust type derives from.

A subclass of :class:`Serializable` implements ``write_to(w)`` and ``read_from(r)``; the base supplies
``to_bytes``/``from_bytes`` (which rejects trailing bytes) and equality by serialized bytes is left to the
frozen dataclasses themselves (field-wise equality is equivalent because encoding is canonical).
"""

from __future__ import annotations

import struct
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar, Self, TypeVar

from tanglehub.protocol.errors import DecodeError

__all__ = ["CachedSerializable", "Reader", "Serializable", "Writer", "read_cached"]

_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_C = TypeVar("_C")


class Reader:
    """Reads TIP-21 fields from a byte string; every short read raises :class:`DecodeError` with the offset."""

    __slots__ = ("_data", "_end", "_pos")

    def __init__(self, data: bytes | bytearray | memoryview, start: int = 0) -> None:
        """Read ``data`` from offset ``start`` (0: the beginning); offsets stay relative to ``data``."""
        self._data = bytes(data)
        self._end = len(self._data)
        self._pos = start

    @property
    def offset(self) -> int:
        """Current read position."""
        return self._pos

    @property
    def remaining(self) -> int:
        """Bytes not yet read."""
        return self._end - self._pos

    def since(self, start: int) -> bytes:
        """The bytes read from offset ``start`` up to the current position."""
        return self._data[start : self._pos]

    def _short(self, n: int, what: str) -> DecodeError:
        start = self._pos
        return DecodeError(
            f"unexpected end of data reading {what} (need {n} bytes, have {self._end - start})", start
        )

    def _need(self, n: int, what: str) -> int:
        start = self._pos
        if start + n > self._end:
            raise self._short(n, what)
        self._pos = start + n
        return start

    def u8(self, what: str = "u8") -> int:
        """Read one unsigned byte."""
        pos = self._pos
        if pos >= self._end:
            raise self._short(1, what)
        self._pos = pos + 1
        return self._data[pos]

    def u16(self, what: str = "u16") -> int:
        """Read a little-endian uint16."""
        pos = self._pos
        if pos + 2 > self._end:
            raise self._short(2, what)
        self._pos = pos + 2
        return int(_U16.unpack_from(self._data, pos)[0])

    def u32(self, what: str = "u32") -> int:
        """Read a little-endian uint32."""
        pos = self._pos
        if pos + 4 > self._end:
            raise self._short(4, what)
        self._pos = pos + 4
        return int(_U32.unpack_from(self._data, pos)[0])

    def u64(self, what: str = "u64") -> int:
        """Read a little-endian uint64."""
        pos = self._pos
        if pos + 8 > self._end:
            raise self._short(8, what)
        self._pos = pos + 8
        return int(_U64.unpack_from(self._data, pos)[0])

    def u256(self, what: str = "u256") -> int:
        """Read a 32-byte little-endian unsigned integer."""
        start = self._need(32, what)
        return int.from_bytes(self._data[start : start + 32], "little")

    def raw(self, n: int, what: str = "bytes") -> bytes:
        """Read exactly ``n`` bytes."""
        pos = self._pos
        end = pos + n
        if end > self._end:
            raise self._short(n, what)
        self._pos = end
        return self._data[pos:end]

    def prefixed(self, width: int, what: str = "bytes", max_len: int | None = None) -> bytes:
        """Read a byte string with a length prefix of ``width`` bytes (1, 2 or 4)."""
        at = self._pos
        n = {1: self.u8, 2: self.u16, 4: self.u32}[width](f"length of {what}")
        if max_len is not None and n > max_len:
            raise DecodeError(f"{what} is {n} bytes long, more than the allowed {max_len}", at)
        return self.raw(n, what)

    def peek_u8(self, what: str = "type") -> int:
        """Return the next byte without consuming it."""
        if self._pos >= self._end:
            raise DecodeError(f"unexpected end of data reading {what}", self._pos)
        return self._data[self._pos]

    def peek_u32(self, what: str = "type") -> int:
        """Return the next uint32 without consuming it."""
        if self._pos + 4 > self._end:
            raise DecodeError(f"unexpected end of data reading {what}", self._pos)
        return int(_U32.unpack_from(self._data, self._pos)[0])

    def expect_end(self, what: str = "object") -> None:
        """Raise unless every byte was consumed."""
        if self._pos != self._end:
            raise DecodeError(f"{self._end - self._pos} trailing bytes after the {what}", self._pos)


class Writer:
    """Accumulates TIP-21 fields; ``getvalue()`` returns the bytes written."""

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = bytearray()

    def u8(self, v: int) -> None:
        """Write one unsigned byte."""
        self._buf.append(v)

    def u16(self, v: int) -> None:
        """Write a little-endian uint16."""
        self._buf += _U16.pack(v)

    def u32(self, v: int) -> None:
        """Write a little-endian uint32."""
        self._buf += _U32.pack(v)

    def u64(self, v: int) -> None:
        """Write a little-endian uint64."""
        self._buf += _U64.pack(v)

    def u256(self, v: int) -> None:
        """Write a 32-byte little-endian unsigned integer."""
        self._buf += v.to_bytes(32, "little")

    def raw(self, b: bytes) -> None:
        """Write raw bytes."""
        self._buf += b

    def prefixed(self, width: int, b: bytes) -> None:
        """Write a byte string with a length prefix of ``width`` bytes."""
        {1: self.u8, 2: self.u16, 4: self.u32}[width](len(b))
        self._buf += b

    def getvalue(self) -> bytes:
        """All bytes written so far."""
        return bytes(self._buf)


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
        if isinstance(obj, CachedSerializable):
            object.__setattr__(obj, "_cached_bytes", r.since(0))
        return obj


class CachedSerializable(Serializable):
    """A :class:`Serializable` value that never changes after construction (a frozen dataclass): its
    bytes are computed on the first :meth:`to_bytes` and kept in a private slot that takes no part in
    equality, hashing or ``repr``. Ids and hashes derived from the bytes then cost one hash each."""

    __slots__ = ("_cached_bytes",)
    _cached_bytes: bytes

    def to_bytes(self) -> bytes:
        """The canonical serialized form (computed once)."""
        try:
            return self._cached_bytes
        except AttributeError:
            w = Writer()
            self.write_to(w)
            data = w.getvalue()
            object.__setattr__(self, "_cached_bytes", data)
            return data


def read_cached(r: Reader, read: Callable[[Reader], _C]) -> _C:
    """Read one value with ``read`` and keep the exact bytes it consumed as its cached serialization
    (the binary encoding is canonical: every value that decodes re-encodes to the same bytes)."""
    start = r.offset
    obj = read(r)
    object.__setattr__(obj, "_cached_bytes", r.since(start))
    return obj
