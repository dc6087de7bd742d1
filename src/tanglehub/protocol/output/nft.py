"""NFT output (type 6): ``u8 6 | u64 amount | nativeTokens | [32] nftId | UCs | features |
immutable features``.

Unlock conditions: Address (required), Storage Deposit Return, Timelock, Expiration. Features: Sender,
Metadata, Tag. Immutable features: Issuer, Metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from tanglehub.protocol._values import byte_string
from tanglehub.protocol.address import Address, NftAddress
from tanglehub.protocol.codec import Reader, Writer
from tanglehub.protocol.ids import NFT_ID_LENGTH, nft_id_from_output_id
from tanglehub.protocol.jsonutil import JsonObject, get_field, hex_from_bytes, hex_to_bytes
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output.base import OutputBase, json_immutable_features
from tanglehub.protocol.output.common import sub
from tanglehub.protocol.output.features import (
    Feature,
    IssuerFeature,
    MetadataFeature,
    SenderFeature,
    TagFeature,
)
from tanglehub.protocol.output.unlock_conditions import (
    AddressUnlockCondition,
    ExpirationUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
    UnlockCondition,
)
from tanglehub.protocol.validation_errors import InvalidOutputError

__all__ = [
    "NftOutput",
]

_ZERO_ID = bytes(NFT_ID_LENGTH)


@dataclass(frozen=True, slots=True)
class NftOutput(OutputBase):
    """A non-fungible token: a chain with immutable features, owned like a Basic output."""

    KIND: ClassVar[int] = 6
    NAME: ClassVar[str] = "NFT output"
    ALLOWED_UNLOCK_CONDITIONS: ClassVar[tuple[type[UnlockCondition], ...]] = (
        AddressUnlockCondition,
        StorageDepositReturnUnlockCondition,
        TimelockUnlockCondition,
        ExpirationUnlockCondition,
    )
    REQUIRED_UNLOCK_CONDITIONS: ClassVar[tuple[type[UnlockCondition], ...]] = (AddressUnlockCondition,)
    ALLOWED_FEATURES: ClassVar[tuple[type[Feature], ...]] = (SenderFeature, MetadataFeature, TagFeature)
    ALLOWED_IMMUTABLE_FEATURES: ClassVar[tuple[type[Feature], ...]] = (IssuerFeature, MetadataFeature)

    amount: int
    unlock_conditions: tuple[UnlockCondition, ...]
    nft_id: bytes = _ZERO_ID
    native_tokens: tuple[NativeToken, ...] = ()
    features: tuple[Feature, ...] = ()
    immutable_features: tuple[Feature, ...] = ()

    def __post_init__(self) -> None:
        self._check_common()
        nft_id = byte_string(self.nft_id, "an NFT id", InvalidOutputError, NFT_ID_LENGTH)
        if nft_id is not self.nft_id:
            object.__setattr__(self, "nft_id", nft_id)
        if self.nft_id != _ZERO_ID and self.address == NftAddress(bytes(self.nft_id)):
            raise InvalidOutputError(f"NFT {hex_from_bytes(self.nft_id)} cannot be owned by its own address")

    @property
    def address(self) -> Address:
        """The address of the Address unlock condition."""
        return self.unlock_conditions[0].address  # type: ignore[union-attr]

    def chain_id(self, output_id: bytes) -> bytes:
        """The NFT id: explicit, or (for a new NFT) derived from the id of this output."""
        return bytes(self.nft_id) if self.nft_id != _ZERO_ID else nft_id_from_output_id(output_id)

    def nft_address(self, output_id: bytes) -> NftAddress:
        """The address of this NFT (see :meth:`chain_id`)."""
        return NftAddress(self.chain_id(output_id))

    def write_to(self, w: Writer) -> None:
        """Append the binary form."""
        self._write_head(w)
        w.raw(self.nft_id)
        self._write_lists(w)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read the binary form."""
        amount, tokens = cls._read_head(r)
        nft_id = r.raw(NFT_ID_LENGTH, "NFT id")
        ucs, features, immutable = cls._read_lists(r)
        return cls(amount, ucs, nft_id, tokens, features, immutable)

    def to_json(self) -> JsonObject:
        """The node API's output object."""
        d = self._json_head()
        d["nftId"] = hex_from_bytes(self.nft_id)
        return self._json_lists(d)

    @classmethod
    def from_json(cls, d: object, path: str = "") -> Self:
        """Parse the node API's output object."""
        obj = cls._json_object(d, path)
        amount, tokens, ucs, features = cls._json_common(obj, path)
        return cls(
            amount,
            ucs,
            hex_to_bytes(get_field(obj, "nftId", path), sub(path, "nftId"), NFT_ID_LENGTH),
            tokens,
            features,
            json_immutable_features(obj, path),
        )
