"""Basic output (type 3): ``u8 3 | u64 amount | nativeTokens | u8 ucCount, UCs | u8 featCount, features``.

Unlock conditions: Address (required), Storage Deposit Return, Timelock, Expiration. Features: Sender,
Metadata, Tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from tanglehub.protocol.address import Address
from tanglehub.protocol.codec import Reader, Writer
from tanglehub.protocol.jsonutil import JsonObject
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output.base import OutputBase
from tanglehub.protocol.output.features import Feature, MetadataFeature, SenderFeature, TagFeature
from tanglehub.protocol.output.unlock_conditions import (
    AddressUnlockCondition,
    ExpirationUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
    UnlockCondition,
)

__all__ = [
    "BasicOutput",
]


@dataclass(frozen=True, slots=True)
class BasicOutput(OutputBase):
    """A plain output: an amount (and native tokens) owned by an address, with optional conditions."""

    KIND: ClassVar[int] = 3
    NAME: ClassVar[str] = "Basic output"
    ALLOWED_UNLOCK_CONDITIONS: ClassVar[tuple[type[UnlockCondition], ...]] = (
        AddressUnlockCondition,
        StorageDepositReturnUnlockCondition,
        TimelockUnlockCondition,
        ExpirationUnlockCondition,
    )
    REQUIRED_UNLOCK_CONDITIONS: ClassVar[tuple[type[UnlockCondition], ...]] = (AddressUnlockCondition,)
    ALLOWED_FEATURES: ClassVar[tuple[type[Feature], ...]] = (SenderFeature, MetadataFeature, TagFeature)

    amount: int
    unlock_conditions: tuple[UnlockCondition, ...]
    native_tokens: tuple[NativeToken, ...] = ()
    features: tuple[Feature, ...] = ()

    def __post_init__(self) -> None:
        self._check_common()

    @property
    def address(self) -> Address:
        """The address of the Address unlock condition."""
        return self.unlock_conditions[0].address  # type: ignore[union-attr]

    @property
    def immutable_features(self) -> tuple[Feature, ...]:
        """Always empty: Basic outputs have no immutable features."""
        return ()

    @property
    def is_simple(self) -> bool:
        """True for a plain deposit: only an Address unlock condition, no native tokens, no features."""
        return len(self.unlock_conditions) == 1 and not self.native_tokens and not self.features

    def write_to(self, w: Writer) -> None:
        """Append the binary form."""
        self._write_head(w)
        self._write_lists(w)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read the binary form."""
        amount, tokens = cls._read_head(r)
        ucs, features, _ = cls._read_lists(r)
        return cls(amount, ucs, tokens, features)

    def to_json(self) -> JsonObject:
        """The node API's output object."""
        return self._json_lists(self._json_head())

    @classmethod
    def from_json(cls, d: object, path: str = "") -> Self:
        """Parse the node API's output object."""
        obj = cls._json_object(d, path)
        amount, tokens, ucs, features = cls._json_common(obj, path)
        return cls(amount, ucs, tokens, features)
