"""Helpers shared by the output types: JSON paths, tagged-union dispatch, and the ordering/kind checks
that TIP-18 applies to unlock-condition and feature lists."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Self, TypeVar

from tanglehub.errors import ProtocolValidationError
from tanglehub.protocol.address import Address, address_from_json, read_address
from tanglehub.protocol.codec import Reader, Serializable, Writer
from tanglehub.protocol.errors import DecodeError, JsonShapeError
from tanglehub.protocol.jsonutil import JsonObject, get_field, require_int, require_list, require_object, sub

__all__ = [
    "AddressCarrier",
    "check_kind_list",
    "expect_kind",
    "json_kind",
    "optional_json_list",
    "read_counted",
    "reject_unknown_kind",
    "sub",
]

_T = TypeVar("_T")
_ADDRESS_KINDS = (0, 8, 16)


def expect_kind(r: Reader, kind: int, name: str) -> None:
    """Consume a u8 type byte and check that it is ``kind`` (the type of ``name``)."""
    at = r.offset
    got = r.u8(f"{name} type")
    if got != kind:
        raise DecodeError(f"expected {name} (type {kind}), got type {got}", at)


class AddressCarrier(Serializable):
    """Base of the unlock conditions and features whose whole body is one address (``type || address``).

    Subclasses are frozen dataclasses with an ``address`` field; ``INVALID`` is the error a wrong value raises.
    """

    __slots__ = ()
    KIND: ClassVar[int]
    INVALID: ClassVar[type[ProtocolValidationError]]
    address: Address

    def _check(self) -> None:
        if getattr(self.address, "KIND", None) not in _ADDRESS_KINDS or not isinstance(self.address, Serializable):
            raise self.INVALID(f"{self.NAME} needs an address, got {type(self.address).__name__}")

    def write_to(self, w: Writer) -> None:
        """Append ``type || address``."""
        w.u8(self.KIND)
        self.address.write_to(w)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read ``type || address``."""
        expect_kind(r, cls.KIND, cls.NAME)
        return cls(read_address(r))  # type: ignore[call-arg]

    def to_json(self) -> JsonObject:
        """``{"type": n, "address": {...}}``."""
        return {"type": self.KIND, "address": self.address.to_json()}

    @classmethod
    def from_json(cls, d: object, path: str = "") -> Self:
        """Parse ``{"type": n, "address": {...}}``."""
        obj, _kind = json_kind(d, path)
        return cls(address_from_json(get_field(obj, "address", path), sub(path, "address")))  # type: ignore[call-arg]


def json_kind(d: object, path: str) -> tuple[Mapping[str, Any], int]:
    """Return the object and its numeric ``type`` field."""
    obj = require_object(d, path)
    return obj, require_int(get_field(obj, "type", path), sub(path, "type"), hi=255)


def optional_json_list(obj: Mapping[str, Any], key: str, path: str) -> list[Any]:
    """An optional array (missing or ``null`` = empty)."""
    value = obj.get(key)
    if value is None:
        return []
    return require_list(value, sub(path, key))


def read_counted(r: Reader, read_one: Callable[[Reader], _T], what: str, max_count: int) -> tuple[_T, ...]:
    """Read ``u8 count`` then that many elements; a count above ``max_count`` is a decode error."""
    at = r.offset
    count = r.u8(f"{what} count")
    if count > max_count:
        raise DecodeError(f"{count} {what}s, at most {max_count} are allowed here", at)
    return tuple(read_one(r) for _ in range(count))


def check_kind_list(
    items: Iterable[object],
    allowed: Sequence[type[Any]],
    *,
    what: str,
    error: type[ProtocolValidationError],
    owner: str,
    required: Sequence[type[Any]] = (),
) -> tuple[Any, ...]:
    """Check a list of tagged elements: only ``allowed`` classes, strictly ascending by ``KIND`` (so at most
    one of each), and every ``required`` class present. Returns the list as a tuple."""
    seq = tuple(items)
    names = ", ".join(cls.NAME for cls in allowed) or "none"
    previous = -1
    for i, item in enumerate(seq):
        if type(item) not in allowed:
            raise error(
                f"{owner} does not allow a {getattr(item, 'NAME', type(item).__name__)} {what} "
                f"(position {i}); allowed: {names}"
            )
        kind: int = item.KIND  # type: ignore[attr-defined]
        if kind <= previous:
            problem = "duplicated" if kind == previous else "not sorted by type"
            raise error(f"{owner} {what}s are {problem} (position {i}, type {kind})")
        previous = kind
    present = {type(item) for item in seq}
    for cls in required:
        if cls not in present:
            raise error(f"{owner} needs a {cls.NAME} {what}")
    return seq


def reject_unknown_kind(kind: int, table: Mapping[int, object], what: str, path: str) -> None:
    """Raise a :class:`JsonShapeError` for a ``type`` that is not in ``table``."""
    if kind not in table:
        raise JsonShapeError(f"unknown {what} type {kind}", sub(path, "type"))
