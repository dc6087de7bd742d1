"""The filter fields the indexer keeps for one unspent output, extracted once when the output is booked."""

from __future__ import annotations

from dataclasses import dataclass

from tanglehub.protocol.ids import alias_id_from_output_id, nft_id_from_output_id
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    AliasOutput,
    BasicOutput,
    ExpirationUnlockCondition,
    FoundryOutput,
    GovernorAddressUnlockCondition,
    ImmutableAliasAddressUnlockCondition,
    IssuerFeature,
    NftOutput,
    Output,
    SenderFeature,
    StateControllerAddressUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TagFeature,
    TimelockUnlockCondition,
)

__all__ = ["KIND_ALIAS", "KIND_BASIC", "KIND_FOUNDRY", "KIND_NFT", "IndexEntry", "entry_for_output"]

KIND_BASIC = BasicOutput.KIND
KIND_ALIAS = AliasOutput.KIND
KIND_FOUNDRY = FoundryOutput.KIND
KIND_NFT = NftOutput.KIND

_ZERO_ID = bytes(32)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """Precomputed filter fields of one unspent output; addresses are 33-byte (kind + body) keys."""

    oid: bytes
    kind: int
    booked_ts: int
    native_token_count: int = 0
    address: bytes | None = None
    sdr_address: bytes | None = None
    timelock: int | None = None
    expiration: int | None = None
    expiration_address: bytes | None = None
    sender: bytes | None = None
    issuer: bytes | None = None
    tag: bytes | None = None
    state_controller: bytes | None = None
    governor: bytes | None = None
    alias_address: bytes | None = None
    chain_id: bytes | None = None

    def sort_key(self) -> tuple[int, bytes]:
        """The paging order: booked timestamp, then output id."""
        return (self.booked_ts, self.oid)

    @property
    def unlockable(self) -> tuple[bytes, ...]:
        """Addresses for ``unlockableByAddress`` (owner, return addresses, alias controllers)."""
        found = (
            self.address,
            self.expiration_address,
            self.sdr_address,
            self.state_controller,
            self.governor,
            self.alias_address,
        )
        return tuple(a for a in found if a is not None)

    @property
    def related(self) -> frozenset[bytes]:
        """Every address this output is filed under in the per-address index."""
        return frozenset(self.unlockable)


def _addr(obj: object, attr: str = "address") -> bytes:
    value = getattr(obj, attr)
    return bytes(value.to_bytes())


def entry_for_output(oid: bytes, output: Output, booked_ts: int) -> IndexEntry:
    """Extract the indexer's filter fields from a booked output."""
    fields: dict[str, object] = {"native_token_count": len(output.native_tokens)}
    if isinstance(output, BasicOutput | NftOutput):
        fields["address"] = _addr(output.unlock_condition(AddressUnlockCondition))
        sdr = output.unlock_condition(StorageDepositReturnUnlockCondition)
        if sdr is not None:
            fields["sdr_address"] = _addr(sdr, "return_address")
        tl = output.unlock_condition(TimelockUnlockCondition)
        if tl is not None:
            fields["timelock"] = tl.unix_time
        exp = output.unlock_condition(ExpirationUnlockCondition)
        if exp is not None:
            fields["expiration"] = exp.unix_time
            fields["expiration_address"] = _addr(exp, "return_address")
        tag = output.feature(TagFeature)
        if tag is not None:
            fields["tag"] = bytes(tag.tag)
        if isinstance(output, NftOutput):
            issuer = _immutable_issuer(output)
            if issuer is not None:
                fields["issuer"] = issuer
            fields["chain_id"] = output.nft_id if output.nft_id != _ZERO_ID else nft_id_from_output_id(oid)
    elif isinstance(output, AliasOutput):
        fields["state_controller"] = _addr(output.unlock_condition(StateControllerAddressUnlockCondition))
        fields["governor"] = _addr(output.unlock_condition(GovernorAddressUnlockCondition))
        issuer = _immutable_issuer(output)
        if issuer is not None:
            fields["issuer"] = issuer
        fields["chain_id"] = output.alias_id if output.alias_id != _ZERO_ID else alias_id_from_output_id(oid)
    elif isinstance(output, FoundryOutput):
        fields["alias_address"] = _addr(output.unlock_condition(ImmutableAliasAddressUnlockCondition))
        fields["chain_id"] = output.foundry_id
    else:  # pragma: no cover - the Output union has no other members
        raise TypeError(f"cannot index {type(output).__name__}")
    sender = output.feature(SenderFeature) if not isinstance(output, FoundryOutput) else None
    if sender is not None:
        fields["sender"] = _addr(sender)
    return IndexEntry(oid=oid, kind=output.KIND, booked_ts=booked_ts, **fields)  # type: ignore[arg-type]


def _immutable_issuer(output: AliasOutput | NftOutput) -> bytes | None:
    for feature in output.immutable_features:
        if isinstance(feature, IssuerFeature):
            return _addr(feature)
    return None
