"""Alias output (type 4): ``u8 4 | u64 amount | nativeTokens | [32] aliasId | u32 stateIndex |
(u16)stateMetadata | u32 foundryCounter | UCs | features | immutable features``.

Unlock conditions: exactly State Controller Address and Governor Address. Features: Sender, Metadata.
Immutable features: Issuer, Metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from tanglehub.protocol._values import U32_MAX as _U32
from tanglehub.protocol._values import byte_string, uint
from tanglehub.protocol.address import Address, AliasAddress
from tanglehub.protocol.codec import Reader, Writer
from tanglehub.protocol.ids import ALIAS_ID_LENGTH, alias_id_from_output_id
from tanglehub.protocol.jsonutil import (
    JsonObject,
    get_field,
    hex_from_bytes,
    hex_to_bytes,
    require_int,
)
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output.base import OutputBase, json_immutable_features
from tanglehub.protocol.output.common import sub
from tanglehub.protocol.output.features import (
    MAX_METADATA_LENGTH,
    Feature,
    IssuerFeature,
    MetadataFeature,
    SenderFeature,
)
from tanglehub.protocol.output.unlock_conditions import (
    GovernorAddressUnlockCondition,
    StateControllerAddressUnlockCondition,
    UnlockCondition,
)
from tanglehub.protocol.validation_errors import InvalidOutputError

__all__ = [
    "AliasOutput",
    "ZERO_ID",
]

ZERO_ID = bytes(32)
"""The all-zero chain id an alias or NFT carries in the output that creates it."""


@dataclass(frozen=True, slots=True)
class AliasOutput(OutputBase):
    """An alias: a chain with a state controller and a governor that can own outputs and control foundries."""

    KIND: ClassVar[int] = 4
    NAME: ClassVar[str] = "Alias output"
    ALLOWED_UNLOCK_CONDITIONS: ClassVar[tuple[type[UnlockCondition], ...]] = (
        StateControllerAddressUnlockCondition,
        GovernorAddressUnlockCondition,
    )
    REQUIRED_UNLOCK_CONDITIONS: ClassVar[tuple[type[UnlockCondition], ...]] = ALLOWED_UNLOCK_CONDITIONS
    ALLOWED_FEATURES: ClassVar[tuple[type[Feature], ...]] = (SenderFeature, MetadataFeature)
    ALLOWED_IMMUTABLE_FEATURES: ClassVar[tuple[type[Feature], ...]] = (IssuerFeature, MetadataFeature)

    amount: int
    unlock_conditions: tuple[UnlockCondition, ...]
    alias_id: bytes = ZERO_ID
    state_index: int = 0
    state_metadata: bytes = b""
    foundry_counter: int = 0
    native_tokens: tuple[NativeToken, ...] = ()
    features: tuple[Feature, ...] = ()
    immutable_features: tuple[Feature, ...] = ()

    def __post_init__(self) -> None:
        self._check_common()
        set_ = object.__setattr__
        set_(self, "alias_id", byte_string(self.alias_id, "an alias id", InvalidOutputError, ALIAS_ID_LENGTH))
        uint(self.state_index, _U32, "the alias state index", InvalidOutputError)
        uint(self.foundry_counter, _U32, "the alias foundry counter", InvalidOutputError)
        metadata = byte_string(
            self.state_metadata, "alias state metadata", InvalidOutputError, max_length=MAX_METADATA_LENGTH
        )
        set_(self, "state_metadata", metadata)
        if self.alias_id == ZERO_ID:
            if self.state_index or self.foundry_counter:
                raise InvalidOutputError(
                    "a new alias (zero alias id) must have state index 0 and foundry counter 0"
                )
        else:
            own = AliasAddress(bytes(self.alias_id))
            if own in {self.state_controller, self.governor}:
                raise InvalidOutputError(
                    f"alias {hex_from_bytes(self.alias_id)} cannot be its own state controller or governor"
                )

    @property
    def state_controller(self) -> Address:
        """The state controller's address."""
        return self.unlock_conditions[0].address  # type: ignore[union-attr]

    @property
    def governor(self) -> Address:
        """The governor's address."""
        return self.unlock_conditions[1].address  # type: ignore[union-attr]

    @property
    def address(self) -> Address:
        """The owning address for a state transition: the state controller."""
        return self.state_controller

    def chain_id(self, output_id: bytes) -> bytes:
        """The alias id: explicit, or (for a new alias) derived from the id of this output."""
        return bytes(self.alias_id) if self.alias_id != ZERO_ID else alias_id_from_output_id(output_id)

    def alias_address(self, output_id: bytes) -> AliasAddress:
        """The address of this alias (see :meth:`chain_id`)."""
        return AliasAddress(self.chain_id(output_id))

    def write_to(self, w: Writer) -> None:
        """Append the binary form."""
        self._write_head(w)
        w.raw(self.alias_id)
        w.u32(self.state_index)
        w.prefixed(2, self.state_metadata)
        w.u32(self.foundry_counter)
        self._write_lists(w)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read the binary form."""
        amount, tokens = cls._read_head(r)
        alias_id = r.raw(ALIAS_ID_LENGTH, "alias id")
        state_index = r.u32("state index")
        metadata = r.prefixed(2, "state metadata", MAX_METADATA_LENGTH)
        counter = r.u32("foundry counter")
        ucs, features, immutable = cls._read_lists(r)
        return cls(amount, ucs, alias_id, state_index, metadata, counter, tokens, features, immutable)

    def to_json(self) -> JsonObject:
        """The node API's output object (``stateMetadata`` omitted when empty)."""
        d = self._json_head()
        d["aliasId"] = hex_from_bytes(self.alias_id)
        d["stateIndex"] = self.state_index
        if self.state_metadata:
            d["stateMetadata"] = hex_from_bytes(self.state_metadata)
        d["foundryCounter"] = self.foundry_counter
        return self._json_lists(d)

    @classmethod
    def from_json(cls, d: object, path: str = "") -> Self:
        """Parse the node API's output object."""
        obj = cls._json_object(d, path)
        amount, tokens, ucs, features = cls._json_common(obj, path)
        metadata = obj.get("stateMetadata")
        return cls(
            amount,
            ucs,
            hex_to_bytes(get_field(obj, "aliasId", path), sub(path, "aliasId"), ALIAS_ID_LENGTH),
            require_int(get_field(obj, "stateIndex", path), sub(path, "stateIndex"), hi=_U32),
            b"" if metadata is None else hex_to_bytes(metadata, sub(path, "stateMetadata")),
            require_int(get_field(obj, "foundryCounter", path), sub(path, "foundryCounter"), hi=_U32),
            tokens,
            features,
            json_immutable_features(obj, path),
        )
