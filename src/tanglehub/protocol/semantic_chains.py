"""Chain (state machine) rules of semantic validation: alias, NFT and foundry transitions (TIP-18).

A chain output is identified by a :class:`ChainKey`: the output kind plus its alias id, NFT id or foundry id,
where a zero alias/NFT id stands for the id implied by the output id of the output that carries it. Every
consumed chain output is matched with the created output of the same key (its next state, or none for a
destruction); every created chain output without a consumed one is a creation. Used by
:mod:`tanglehub.protocol.semantic`, which owns the order in which these checks run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from tanglehub.protocol.address import Address
from tanglehub.protocol.ids import output_id
from tanglehub.protocol.output import AliasOutput, FoundryOutput, IssuerFeature, MetadataFeature, NftOutput, Output
from tanglehub.protocol.payload import TransactionPayload
from tanglehub.protocol.unlock import Unlock

__all__ = [
    "ALIAS_KIND",
    "FOUNDRY_KIND",
    "NFT_KIND",
    "ChainKey",
    "SemanticContext",
    "chain_key",
    "verify_chains",
]

_ZERO_ID = bytes(32)
_U32_MASK = 0xFFFF_FFFF
ALIAS_KIND = 4
FOUNDRY_KIND = 5
NFT_KIND = 6


class ChainKey(NamedTuple):
    """Identifies a chain: output kind (4 alias, 5 foundry, 6 NFT) and its 32-byte or 38-byte id."""

    kind: int
    chain_id: bytes


class SemanticContext:
    """Working state of one semantic validation: the consumed/created sides and what has been unlocked."""

    __slots__ = (
        "_transaction_id",
        "input_amount",
        "input_chains",
        "input_ids",
        "input_tokens",
        "inputs",
        "output_amount",
        "output_chains",
        "output_tokens",
        "outputs",
        "payload",
        "required_returns",
        "simple_deposits",
        "tokens_overflow",
        "unlocked",
        "unlocks",
    )

    def __init__(self, payload: TransactionPayload, inputs: Sequence[Output]) -> None:
        self.payload = payload
        self.inputs: Sequence[Output] = inputs
        self.input_ids: list[bytes] = [i.output_id for i in payload.essence.inputs]
        self.unlocks: Sequence[Unlock] = payload.unlocks
        self.outputs: Sequence[Output] = payload.essence.outputs
        self._transaction_id: bytes | None = None
        self.unlocked: dict[Address, int] = {}
        """Every address unlocked so far -> the index of the input whose unlock unlocked it."""
        self.input_tokens: dict[bytes, int] = {}
        self.output_tokens: dict[bytes, int] = {}
        self.required_returns: dict[Address, int] = {}
        self.simple_deposits: dict[Address, int] = {}
        self.tokens_overflow = False
        """True when a native token sum over the inputs or over the outputs reached 2**256."""
        self.input_amount = 0
        self.output_amount = 0
        self.input_chains: dict[ChainKey, Output] = {}
        for oid, consumed in zip(self.input_ids, inputs, strict=False):
            if isinstance(consumed, AliasOutput | NftOutput | FoundryOutput):
                key = chain_key(self, consumed, oid)
                if key is not None:
                    self.input_chains[key] = consumed
        self.output_chains: dict[ChainKey, Output] = {}
        for index, created in enumerate(self.outputs):
            if isinstance(created, AliasOutput | NftOutput | FoundryOutput):
                key = chain_key(self, created, None, index)
                if key is not None:
                    self.output_chains[key] = created

    @property
    def transaction_id(self) -> bytes:
        """The id of the transaction being validated (computed on first use: only creations need it)."""
        if self._transaction_id is None:
            self._transaction_id = self.payload.transaction_id()
        return self._transaction_id


def chain_key(ctx: SemanticContext, output: Output, oid: bytes | None, index: int = 0) -> ChainKey | None:
    """The chain key of a chain output; ``oid`` is its output id (None: created output number ``index``).

    The transaction id (for the output id of a created chain with a zero id) is computed only when needed.
    """
    if isinstance(output, FoundryOutput):
        return ChainKey(FOUNDRY_KIND, output.foundry_id)
    if isinstance(output, AliasOutput | NftOutput):
        kind = ALIAS_KIND if isinstance(output, AliasOutput) else NFT_KIND
        explicit = output.alias_id if isinstance(output, AliasOutput) else output.nft_id
        if explicit != _ZERO_ID:
            return ChainKey(kind, explicit)
        return ChainKey(kind, output.chain_id(oid if oid is not None else output_id(ctx.transaction_id, index)))
    return None


def _issuer_unlocked(ctx: SemanticContext, output: AliasOutput | NftOutput) -> bool:
    issuer = output.immutable_feature(IssuerFeature)
    return issuer is None or issuer.address in ctx.unlocked


def _alias_transition(ctx: SemanticContext, current: AliasOutput, nxt: AliasOutput) -> bool:
    if current.immutable_features != nxt.immutable_features:
        return False
    if nxt.state_index == (current.state_index + 1) & _U32_MASK:
        if (current.state_controller, current.governor) != (nxt.state_controller, nxt.governor):
            return False
        if current.feature(MetadataFeature) != nxt.feature(MetadataFeature):
            return False
        created = 0
        for output in ctx.outputs:
            if not isinstance(output, FoundryOutput):
                continue
            if output.alias_address.alias_id != nxt.alias_id:
                continue
            key = chain_key(ctx, output, None)
            if key in ctx.input_chains:
                continue
            created += 1
            if output.serial_number != (current.foundry_counter + created) & _U32_MASK:
                return False
        return (current.foundry_counter + created) & _U32_MASK == nxt.foundry_counter
    if nxt.state_index == current.state_index:
        return (
            current.amount == nxt.amount
            and current.native_tokens == nxt.native_tokens
            and current.state_metadata == nxt.state_metadata
            and current.foundry_counter == nxt.foundry_counter
        )
    return False


def _foundry_creation(ctx: SemanticContext, nxt: FoundryOutput, token_id: bytes) -> bool:
    key = ChainKey(ALIAS_KIND, nxt.alias_address.alias_id)
    before = ctx.input_chains.get(key)
    after = ctx.output_chains.get(key)
    if not isinstance(before, AliasOutput) or not isinstance(after, AliasOutput):
        return False
    if before.foundry_counter >= nxt.serial_number or nxt.serial_number > after.foundry_counter:
        return False
    if token_id in ctx.input_tokens:
        return False
    scheme = nxt.token_scheme
    return ctx.output_tokens.get(token_id, 0) == scheme.minted_tokens and scheme.melted_tokens == 0


def _foundry_transition(ctx: SemanticContext, current: FoundryOutput, nxt: FoundryOutput, token_id: bytes) -> bool:
    if (
        current.alias_address != nxt.alias_address
        or current.serial_number != nxt.serial_number
        or current.immutable_features != nxt.immutable_features
    ):
        return False
    cur, new = current.token_scheme, nxt.token_scheme
    if cur.maximum_supply != new.maximum_supply:
        return False
    if cur.minted_tokens > new.minted_tokens or cur.melted_tokens > new.melted_tokens:
        return False
    before = ctx.input_tokens.get(token_id, 0)
    after = ctx.output_tokens.get(token_id, 0)
    if before < after:  # mint
        return new.minted_tokens - cur.minted_tokens == after - before and cur.melted_tokens == new.melted_tokens
    if before == after:
        return cur.minted_tokens == new.minted_tokens and cur.melted_tokens == new.melted_tokens
    # melt and/or burn: the minted count stays (iota.go; iota-sdk 1.1.4 also lets it grow while nothing melts)
    if cur.minted_tokens != new.minted_tokens:
        return False
    return new.melted_tokens - cur.melted_tokens <= before - after


def _foundry_destruction(ctx: SemanticContext, current: FoundryOutput, token_id: bytes) -> bool:
    if token_id in ctx.output_tokens:
        return False
    scheme = current.token_scheme
    return scheme.minted_tokens - scheme.melted_tokens == ctx.input_tokens.get(token_id, 0)


def _transition(ctx: SemanticContext, key: ChainKey, current: Output | None, nxt: Output | None) -> bool:
    """One chain step: creation (no current), transition, or destruction (no next)."""
    if current is None:
        if isinstance(nxt, AliasOutput | NftOutput):
            chain = nxt.alias_id if isinstance(nxt, AliasOutput) else nxt.nft_id
            return chain == _ZERO_ID and _issuer_unlocked(ctx, nxt)
        if isinstance(nxt, FoundryOutput):
            return _foundry_creation(ctx, nxt, key.chain_id)
        return False
    if nxt is None:
        if isinstance(current, FoundryOutput):
            return _foundry_destruction(ctx, current, key.chain_id)
        return isinstance(current, AliasOutput | NftOutput)
    if isinstance(current, AliasOutput) and isinstance(nxt, AliasOutput):
        return _alias_transition(ctx, current, nxt)
    if isinstance(current, NftOutput) and isinstance(nxt, NftOutput):
        return current.immutable_features == nxt.immutable_features
    if isinstance(current, FoundryOutput) and isinstance(nxt, FoundryOutput):
        return _foundry_transition(ctx, current, nxt, key.chain_id)
    return False


def verify_chains(ctx: SemanticContext) -> bool:
    """True when every consumed chain moves on or ends validly and every new chain is created validly."""
    for key, current in ctx.input_chains.items():
        if not _transition(ctx, key, current, ctx.output_chains.get(key)):
            return False
    for key, nxt in ctx.output_chains.items():
        if key not in ctx.input_chains and not _transition(ctx, key, None, nxt):
            return False
    return True
