"""Foundry output (type 5): ``u8 5 | u64 amount | nativeTokens | u32 serialNumber | TokenScheme | UCs |
features | immutable features``.

Unlock conditions: exactly Immutable Alias Address. Features: Metadata. Immutable features: Metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from tanglehub.protocol.address import AliasAddress
from tanglehub.protocol.codec import Reader, Writer
from tanglehub.protocol.ids import foundry_id
from tanglehub.protocol.jsonutil import JsonObject, get_field, require_int
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output.base import OutputBase, json_immutable_features
from tanglehub.protocol.output.common import sub
from tanglehub.protocol.output.features import Feature, MetadataFeature
from tanglehub.protocol.output.unlock_conditions import (
    ImmutableAliasAddressUnlockCondition,
    UnlockCondition,
)
from tanglehub.protocol.token_scheme import (
    SimpleTokenScheme,
    TokenScheme,
    read_token_scheme,
    token_scheme_from_json,
)
from tanglehub.protocol.validation_errors import InvalidOutputError

__all__ = [
    "FoundryOutput",
]

_U32 = 0xFFFF_FFFF


@dataclass(frozen=True, slots=True)
class FoundryOutput(OutputBase):
    """A foundry: controls the supply of one native token; owned by an alias."""

    KIND: ClassVar[int] = 5
    NAME: ClassVar[str] = "Foundry output"
    ALLOWED_UNLOCK_CONDITIONS: ClassVar[tuple[type[UnlockCondition], ...]] = (
        ImmutableAliasAddressUnlockCondition,
    )
    REQUIRED_UNLOCK_CONDITIONS: ClassVar[tuple[type[UnlockCondition], ...]] = ALLOWED_UNLOCK_CONDITIONS
    ALLOWED_FEATURES: ClassVar[tuple[type[Feature], ...]] = (MetadataFeature,)
    ALLOWED_IMMUTABLE_FEATURES: ClassVar[tuple[type[Feature], ...]] = (MetadataFeature,)

    amount: int
    unlock_conditions: tuple[UnlockCondition, ...]
    serial_number: int
    token_scheme: TokenScheme
    native_tokens: tuple[NativeToken, ...] = ()
    features: tuple[Feature, ...] = ()
    immutable_features: tuple[Feature, ...] = ()

    def __post_init__(self) -> None:
        self._check_common()
        serial = self.serial_number
        if isinstance(serial, bool) or not isinstance(serial, int) or not 1 <= serial <= _U32:
            # Serial numbers are the alias's foundry counter after the increment, so 0 never occurs
            # (iota-sdk rejects it syntactically as well).
            raise InvalidOutputError(f"foundry serial number must be in 1..{_U32}, got {serial!r}")
        if not isinstance(self.token_scheme, SimpleTokenScheme):
            raise InvalidOutputError(
                f"foundry token scheme must be a SimpleTokenScheme, got {type(self.token_scheme).__name__}"
            )

    @property
    def alias_address(self) -> AliasAddress:
        """The alias that controls this foundry."""
        uc = self.unlock_conditions[0]
        assert isinstance(uc, ImmutableAliasAddressUnlockCondition)  # guaranteed by the UC check
        return uc.address

    @property
    def address(self) -> AliasAddress:
        """The owning address: the controlling alias."""
        return self.alias_address

    @property
    def foundry_id(self) -> bytes:
        """The 38-byte foundry id: ``0x08 || alias id || serial number || token scheme type``."""
        return foundry_id(self.alias_address.alias_id, self.serial_number, self.token_scheme.KIND)

    @property
    def token_id(self) -> bytes:
        """The id of the native token this foundry controls (equal to the foundry id)."""
        return self.foundry_id

    def chain_id(self, output_id: bytes | None = None) -> bytes:
        """The foundry id (a foundry's id never depends on the output id)."""
        return self.foundry_id

    def write_to(self, w: Writer) -> None:
        """Append the binary form."""
        self._write_head(w)
        w.u32(self.serial_number)
        self.token_scheme.write_to(w)
        self._write_lists(w)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read the binary form."""
        amount, tokens = cls._read_head(r)
        serial = r.u32("serial number")
        scheme = read_token_scheme(r)
        ucs, features, immutable = cls._read_lists(r)
        return cls(amount, ucs, serial, scheme, tokens, features, immutable)

    def to_json(self) -> JsonObject:
        """The node API's output object."""
        d = self._json_head()
        d["serialNumber"] = self.serial_number
        d["tokenScheme"] = self.token_scheme.to_json()
        return self._json_lists(d)

    @classmethod
    def from_json(cls, d: object, path: str = "") -> Self:
        """Parse the node API's output object."""
        obj = cls._json_object(d, path)
        amount, tokens, ucs, features = cls._json_common(obj, path)
        return cls(
            amount,
            ucs,
            require_int(get_field(obj, "serialNumber", path), sub(path, "serialNumber"), hi=_U32),
            token_scheme_from_json(get_field(obj, "tokenScheme", path), sub(path, "tokenScheme")),
            tokens,
            features,
            json_immutable_features(obj, path),
        )
