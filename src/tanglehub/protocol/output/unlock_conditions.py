"""Unlock conditions (TIP-18): who may unlock an output, and when.

| UC | type | body |
| Address | 0 | Address |
| Storage Deposit Return | 1 | Address returnAddress, u64 amount |
| Timelock | 2 | u32 unixTime (> 0) |
| Expiration | 3 | Address returnAddress, u32 unixTime (> 0) |
| State Controller Address | 4 | Address |
| Governor Address | 5 | Address |
| Immutable Alias Address | 6 | Alias address |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from tanglehub.errors import ProtocolValidationError
from tanglehub.protocol.address import Address, AliasAddress, address_from_json, read_address
from tanglehub.protocol.codec import Reader, Serializable, Writer
from tanglehub.protocol.errors import DecodeError
from tanglehub.protocol.jsonutil import JsonObject, get_field, int_from_dec, require_int
from tanglehub.protocol.output.common import AddressCarrier, expect_kind, json_kind, reject_unknown_kind, sub
from tanglehub.protocol.validation_errors import InvalidUnlockConditionError

__all__ = [
    "AddressUnlockCondition",
    "ExpirationUnlockCondition",
    "GovernorAddressUnlockCondition",
    "ImmutableAliasAddressUnlockCondition",
    "StateControllerAddressUnlockCondition",
    "StorageDepositReturnUnlockCondition",
    "TimelockUnlockCondition",
    "UNLOCK_CONDITION_TYPES",
    "UnlockCondition",
    "read_unlock_condition",
    "unlock_condition_from_json",
]

_U32 = 0xFFFF_FFFF
_U64 = (1 << 64) - 1
_ADDRESS_TYPES = (0, 8, 16)


def _check_address(value: object, owner: str) -> None:
    if getattr(value, "KIND", None) not in _ADDRESS_TYPES or not isinstance(value, Serializable):
        raise InvalidUnlockConditionError(f"{owner} needs an address, got {type(value).__name__}")


def _check_time(value: object, owner: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _U32:
        raise InvalidUnlockConditionError(f"{owner} unix time must be in 1..{_U32}, got {value!r}")


class _AddressUnlockConditionBase(AddressCarrier):
    """An unlock condition that is just an address (types 0, 4, 5, 6)."""

    __slots__ = ()
    INVALID: ClassVar[type[ProtocolValidationError]] = InvalidUnlockConditionError


@dataclass(frozen=True, slots=True)
class AddressUnlockCondition(_AddressUnlockConditionBase):
    """The output belongs to ``address``."""

    KIND: ClassVar[int] = 0
    NAME: ClassVar[str] = "Address unlock condition"

    address: Address

    def __post_init__(self) -> None:
        self._check()


@dataclass(frozen=True, slots=True)
class StorageDepositReturnUnlockCondition(Serializable):
    """Whoever consumes the output must send ``amount`` back to ``return_address`` in the same transaction."""

    KIND: ClassVar[int] = 1
    NAME: ClassVar[str] = "Storage Deposit Return unlock condition"

    return_address: Address
    amount: int

    def __post_init__(self) -> None:
        _check_address(self.return_address, self.NAME)
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or not 0 <= self.amount <= _U64:
            raise InvalidUnlockConditionError(f"return amount must be in 0..{_U64}, got {self.amount!r}")

    def write_to(self, w: Writer) -> None:
        """Append ``1 || address || u64 amount``."""
        w.u8(self.KIND)
        self.return_address.write_to(w)
        w.u64(self.amount)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read the binary form."""
        expect_kind(r, cls.KIND, cls.NAME)
        address = read_address(r)
        return cls(address, r.u64("return amount"))

    def to_json(self) -> JsonObject:
        """``{"type": 1, "returnAddress": {...}, "amount": "<decimal>"}``."""
        return {"type": self.KIND, "returnAddress": self.return_address.to_json(), "amount": str(self.amount)}

    @classmethod
    def from_json(cls, d: object, path: str = "") -> Self:
        """Parse the node API shape (the return amount's key is ``amount``)."""
        obj, _kind = json_kind(d, path)
        return cls(
            address_from_json(get_field(obj, "returnAddress", path), sub(path, "returnAddress")),
            int_from_dec(get_field(obj, "amount", path), sub(path, "amount")),
        )


@dataclass(frozen=True, slots=True)
class TimelockUnlockCondition(Serializable):
    """The output cannot be unlocked before the milestone timestamp reaches ``unix_time``."""

    KIND: ClassVar[int] = 2
    NAME: ClassVar[str] = "Timelock unlock condition"

    unix_time: int

    def __post_init__(self) -> None:
        _check_time(self.unix_time, self.NAME)

    def write_to(self, w: Writer) -> None:
        """Append ``2 || u32 unixTime``."""
        w.u8(self.KIND)
        w.u32(self.unix_time)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read the binary form."""
        expect_kind(r, cls.KIND, cls.NAME)
        return cls(r.u32("timelock unix time"))

    def to_json(self) -> JsonObject:
        """``{"type": 2, "unixTime": n}``."""
        return {"type": self.KIND, "unixTime": self.unix_time}

    @classmethod
    def from_json(cls, d: object, path: str = "") -> Self:
        """Parse ``{"type": 2, "unixTime": n}``."""
        obj, _kind = json_kind(d, path)
        return cls(require_int(get_field(obj, "unixTime", path), sub(path, "unixTime"), hi=_U32))


@dataclass(frozen=True, slots=True)
class ExpirationUnlockCondition(Serializable):
    """From ``unix_time`` on, only ``return_address`` may unlock the output (before it, only the owner)."""

    KIND: ClassVar[int] = 3
    NAME: ClassVar[str] = "Expiration unlock condition"

    return_address: Address
    unix_time: int

    def __post_init__(self) -> None:
        _check_address(self.return_address, self.NAME)
        _check_time(self.unix_time, self.NAME)

    def write_to(self, w: Writer) -> None:
        """Append ``3 || address || u32 unixTime``."""
        w.u8(self.KIND)
        self.return_address.write_to(w)
        w.u32(self.unix_time)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read the binary form."""
        expect_kind(r, cls.KIND, cls.NAME)
        address = read_address(r)
        return cls(address, r.u32("expiration unix time"))

    def to_json(self) -> JsonObject:
        """``{"type": 3, "returnAddress": {...}, "unixTime": n}``."""
        return {"type": self.KIND, "returnAddress": self.return_address.to_json(), "unixTime": self.unix_time}

    @classmethod
    def from_json(cls, d: object, path: str = "") -> Self:
        """Parse the node API shape."""
        obj, _kind = json_kind(d, path)
        return cls(
            address_from_json(get_field(obj, "returnAddress", path), sub(path, "returnAddress")),
            require_int(get_field(obj, "unixTime", path), sub(path, "unixTime"), hi=_U32),
        )


@dataclass(frozen=True, slots=True)
class StateControllerAddressUnlockCondition(_AddressUnlockConditionBase):
    """The address that may state-transition an alias."""

    KIND: ClassVar[int] = 4
    NAME: ClassVar[str] = "State Controller Address unlock condition"

    address: Address

    def __post_init__(self) -> None:
        self._check()


@dataclass(frozen=True, slots=True)
class GovernorAddressUnlockCondition(_AddressUnlockConditionBase):
    """The address that may governance-transition (or destroy) an alias."""

    KIND: ClassVar[int] = 5
    NAME: ClassVar[str] = "Governor Address unlock condition"

    address: Address

    def __post_init__(self) -> None:
        self._check()


@dataclass(frozen=True, slots=True)
class ImmutableAliasAddressUnlockCondition(_AddressUnlockConditionBase):
    """The alias that controls a foundry; it never changes."""

    KIND: ClassVar[int] = 6
    NAME: ClassVar[str] = "Immutable Alias Address unlock condition"

    address: AliasAddress

    def __post_init__(self) -> None:
        if not isinstance(self.address, AliasAddress):
            raise InvalidUnlockConditionError(
                f"{self.NAME} needs an alias address, got {type(self.address).__name__}"
            )

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read ``6 || alias address``."""
        expect_kind(r, cls.KIND, cls.NAME)
        return cls(AliasAddress.read_from(r))


UnlockCondition = (
    AddressUnlockCondition
    | StorageDepositReturnUnlockCondition
    | TimelockUnlockCondition
    | ExpirationUnlockCondition
    | StateControllerAddressUnlockCondition
    | GovernorAddressUnlockCondition
    | ImmutableAliasAddressUnlockCondition
)
"""Any unlock condition."""

UNLOCK_CONDITION_TYPES: dict[int, type[UnlockCondition]] = {
    cls.KIND: cls
    for cls in (
        AddressUnlockCondition,
        StorageDepositReturnUnlockCondition,
        TimelockUnlockCondition,
        ExpirationUnlockCondition,
        StateControllerAddressUnlockCondition,
        GovernorAddressUnlockCondition,
        ImmutableAliasAddressUnlockCondition,
    )
}
"""Unlock condition classes by type byte."""


def read_unlock_condition(r: Reader) -> UnlockCondition:
    """Read an unlock condition of any type."""
    at = r.offset
    kind = r.peek_u8("unlock condition type")
    cls = UNLOCK_CONDITION_TYPES.get(kind)
    if cls is None:
        raise DecodeError(f"unknown unlock condition type {kind}", at)
    return cls.read_from(r)


def unlock_condition_from_json(d: object, path: str = "") -> UnlockCondition:
    """Parse an unlock condition of any type."""
    _obj, kind = json_kind(d, path)
    reject_unknown_kind(kind, UNLOCK_CONDITION_TYPES, "unlock condition", path)
    return UNLOCK_CONDITION_TYPES[kind].from_json(d, path)
