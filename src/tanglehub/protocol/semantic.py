"""Semantic validation of a transaction against the outputs it consumes (TIP-20, TIP-18 chain rules).

This is the ledger-context check: the devnet node runs it when a milestone confirms a transaction, the wallet
runs it before submitting one. It returns the protocol's :class:`ConflictReason` code instead of raising,
because a conflicting transaction is a normal ledger outcome, not a programming error.

The order of the checks, and so which code wins when several rules fail, follows the reference
implementation (iota-sdk 1.1.4 / Hornet):

1. inputs commitment (10);
2. per input, in input order: unlock (5 bad signature, 9 wrong unlock kind or reference), timelock (6),
   storage deposit return bookkeeping. A reference unlock must point at the signature unlock that unlocked
   the input's own address (TIP-20, iota.go), stricter than iota-sdk 1.1.4, which accepts a reference to
   any earlier signature unlock once the address is unlocked somewhere;
3. per created output, in output order: Sender feature unlocked (11);
4. storage deposit returns fulfilled by simple deposits (8);
5. base token balance (4);
6. native token balance: no sum above a uint256, surplus only with its foundry on the output side, at most
   64 distinct tokens (7; iota-sdk 1.1.4 fails with an error on an overflowing sum, Hornet gives 7);
7. alias / NFT / foundry transitions, destructions, then creations (12).

Codes 1-3 (spent / missing inputs) depend on the ledger: :func:`verify_transaction` takes the consumed
outputs already resolved, :func:`verify_transaction_in_ledger` resolves them through callbacks first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import IntEnum

from tanglehub.keys.ed25519 import verify
from tanglehub.protocol.address import Address, AliasAddress, Ed25519Address, NftAddress
from tanglehub.protocol.ids import blake2b256
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    AliasOutput,
    BasicOutput,
    ExpirationUnlockCondition,
    FoundryOutput,
    NftOutput,
    Output,
    SenderFeature,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
)
from tanglehub.protocol.payload import TransactionPayload, inputs_commitment
from tanglehub.protocol.semantic_chains import (
    ALIAS_KIND,
    FOUNDRY_KIND,
    ChainKey,
    SemanticContext,
    verify_chains,
)
from tanglehub.protocol.unlock import AliasUnlock, NftUnlock, ReferenceUnlock, SignatureUnlock, Unlock

__all__ = [
    "ConflictReason",
    "verify_transaction",
    "verify_transaction_in_ledger",
]

_U64_LIMIT = 1 << 64
_U256_LIMIT = 1 << 256
_MAX_NATIVE_TOKENS = 64


class ConflictReason(IntEnum):
    """Why a transaction conflicts with the ledger; the protocol's numeric codes (TIP-20 / node API)."""

    NONE = 0
    INPUT_UTXO_ALREADY_SPENT = 1
    INPUT_UTXO_ALREADY_SPENT_IN_THIS_MILESTONE = 2
    INPUT_UTXO_NOT_FOUND = 3
    CREATED_CONSUMED_AMOUNT_MISMATCH = 4
    INVALID_SIGNATURE = 5
    TIMELOCK_NOT_EXPIRED = 6
    INVALID_NATIVE_TOKENS = 7
    STORAGE_DEPOSIT_RETURN_UNFULFILLED = 8
    INVALID_UNLOCK = 9
    INPUTS_COMMITMENT_INVALID = 10
    UNVERIFIED_SENDER = 11
    INVALID_CHAIN_STATE_TRANSITION = 12
    SEMANTIC_VALIDATION_FAILED = 255

    @property
    def description(self) -> str:
        """A sentence a user can read: what is wrong with the transaction."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS: dict[ConflictReason, str] = {
    ConflictReason.NONE: "the transaction does not conflict with the ledger",
    ConflictReason.INPUT_UTXO_ALREADY_SPENT: "an input was already spent by an earlier milestone",
    ConflictReason.INPUT_UTXO_ALREADY_SPENT_IN_THIS_MILESTONE: (
        "an input was already spent by another transaction confirmed in the same milestone"
    ),
    ConflictReason.INPUT_UTXO_NOT_FOUND: "an input references an output that does not exist",
    ConflictReason.CREATED_CONSUMED_AMOUNT_MISMATCH: (
        "the base tokens created by the outputs do not equal the base tokens consumed by the inputs"
    ),
    ConflictReason.INVALID_SIGNATURE: (
        "a signature does not verify, or its public key does not match the address it unlocks"
    ),
    ConflictReason.TIMELOCK_NOT_EXPIRED: "an input is still timelocked at the milestone timestamp",
    ConflictReason.INVALID_NATIVE_TOKENS: (
        "native tokens are created without their foundry, or more than 64 distinct tokens are involved"
    ),
    ConflictReason.STORAGE_DEPOSIT_RETURN_UNFULFILLED: (
        "a storage deposit return is not paid back by a plain output to the return address"
    ),
    ConflictReason.INVALID_UNLOCK: (
        "an input is unlocked by the wrong kind of unlock, a wrong reference, or an address twice"
    ),
    ConflictReason.INPUTS_COMMITMENT_INVALID: "the inputs commitment does not match the consumed outputs",
    ConflictReason.UNVERIFIED_SENDER: "an output names a sender address that the transaction does not unlock",
    ConflictReason.INVALID_CHAIN_STATE_TRANSITION: "an alias, NFT or foundry transition breaks the chain rules",
    ConflictReason.SEMANTIC_VALIDATION_FAILED: "the transaction fails semantic validation for another reason",
}


class _Unlocker:
    """Runs the address-unlock rules of one transaction; remembers which addresses are unlocked."""

    __slots__ = ("ctx", "essence_hash", "index")

    def __init__(self, ctx: SemanticContext, essence_hash: bytes) -> None:
        self.ctx = ctx
        self.essence_hash = essence_hash
        self.index = 0
        """The input (and unlock) being checked."""

    def unlock(self, address: Address, unlock: Unlock) -> ConflictReason:
        """Check that ``unlock`` unlocks ``address``; returns NONE, INVALID_SIGNATURE or INVALID_UNLOCK.

        A signature unlock records the address as unlocked at this input (an address may be signed for only
        once); a reference, Alias or NFT unlock must point at exactly the input whose unlock unlocked the
        address (TIP-20, iota.go's ``RefUnlock``).
        """
        ctx = self.ctx
        if isinstance(address, Ed25519Address):
            if isinstance(unlock, SignatureUnlock):
                if address in ctx.unlocked:
                    return ConflictReason.INVALID_UNLOCK
                sig = unlock.signature
                if blake2b256(sig.public_key) != address.pub_key_hash:
                    return ConflictReason.INVALID_SIGNATURE
                if not verify(sig.public_key, self.essence_hash, sig.signature):
                    return ConflictReason.INVALID_SIGNATURE
                ctx.unlocked[address] = self.index
                return ConflictReason.NONE
            if isinstance(unlock, ReferenceUnlock) and ctx.unlocked.get(address) == unlock.reference:
                # TIP-20 (and iota.go): the referenced unlock must be the signature unlock that unlocked THIS
                # address; iota-sdk 1.1.4 only asks whether the address was unlocked by any earlier unlock.
                return ConflictReason.NONE
            return ConflictReason.INVALID_UNLOCK
        if isinstance(address, AliasAddress) and isinstance(unlock, AliasUnlock):
            return self._chain_unlock(address, unlock.reference, AliasOutput)
        if isinstance(address, NftAddress) and isinstance(unlock, NftUnlock):
            return self._chain_unlock(address, unlock.reference, NftOutput)
        return ConflictReason.INVALID_UNLOCK

    def _chain_unlock(
        self,
        address: AliasAddress | NftAddress,
        ref: int,
        kind: type[AliasOutput] | type[NftOutput],
    ) -> ConflictReason:
        """An Alias/NFT unlock: input ``ref`` must hold the chain ``address`` names, already unlocked there."""
        ctx = self.ctx
        if ref < len(ctx.inputs):
            target = ctx.inputs[ref]
            if (
                isinstance(target, kind)
                and target.chain_id(ctx.input_ids[ref]) == address.body
                and ctx.unlocked.get(address) == ref
            ):
                return ConflictReason.NONE
        return ConflictReason.INVALID_UNLOCK


def _owner(output: BasicOutput | NftOutput, timestamp: int) -> Address | None:
    """The address that must unlock a Basic/NFT output at ``timestamp`` (expiration return once expired)."""
    owner: Address | None = None
    for uc in output.unlock_conditions:
        if isinstance(uc, AddressUnlockCondition):
            owner = uc.address
        elif isinstance(uc, ExpirationUnlockCondition) and timestamp >= uc.unix_time:
            return uc.return_address
    return owner


def _unlock_input(
    unlocker: _Unlocker, index: int, output: Output, unlock: Unlock, timestamp: int
) -> ConflictReason:
    """Unlock one consumed output; records chain addresses this unlocks (state-transitioned alias, NFT)."""
    ctx = unlocker.ctx
    if isinstance(output, BasicOutput | NftOutput):
        owner = _owner(output, timestamp)
        if owner is None:
            return ConflictReason.SEMANTIC_VALIDATION_FAILED
        reason = unlocker.unlock(owner, unlock)
        if reason is ConflictReason.NONE and isinstance(output, NftOutput):
            ctx.unlocked[output.nft_address(ctx.input_ids[index])] = index
        return reason
    if isinstance(output, AliasOutput):
        alias_id = output.chain_id(ctx.input_ids[index])
        nxt = ctx.output_chains.get(ChainKey(ALIAS_KIND, alias_id))
        if isinstance(nxt, AliasOutput) and nxt.state_index != output.state_index:
            reason = unlocker.unlock(output.state_controller, unlock)
            if reason is ConflictReason.NONE:
                ctx.unlocked[AliasAddress(alias_id)] = index
            return reason
        return unlocker.unlock(output.governor, unlock)
    if isinstance(output, FoundryOutput):
        return unlocker.unlock(output.alias_address, unlock)
    return ConflictReason.SEMANTIC_VALIDATION_FAILED


def _add_tokens(tokens: dict[bytes, int], output: Output) -> bool:
    """Add the native tokens of ``output`` to the running sums; False if a sum overflows a uint256."""
    fits = True
    for token in output.native_tokens:
        held = tokens.get(token.token_id, 0) + token.amount
        if held >= _U256_LIMIT:
            fits = False
        tokens[token.token_id] = held
    return fits


def _check_inputs(ctx: SemanticContext, unlocker: _Unlocker, timestamp: int) -> ConflictReason:
    """Step 2: unlock every input, check timelocks, sum amounts, tokens and required returns."""
    returns = ctx.required_returns
    total = 0
    tokens = ctx.input_tokens
    for index, (output, unlock) in enumerate(zip(ctx.inputs, ctx.unlocks, strict=False)):
        unlocker.index = index
        reason = _unlock_input(unlocker, index, output, unlock, timestamp)
        if reason is not ConflictReason.NONE:
            return reason
        expired = False
        sdruc: StorageDepositReturnUnlockCondition | None = None
        for uc in output.unlock_conditions:
            if isinstance(uc, TimelockUnlockCondition):
                if timestamp < uc.unix_time:
                    return ConflictReason.TIMELOCK_NOT_EXPIRED
            elif isinstance(uc, ExpirationUnlockCondition):
                expired = timestamp >= uc.unix_time
            elif isinstance(uc, StorageDepositReturnUnlockCondition):
                sdruc = uc
        if sdruc is not None and not expired:
            owed = returns.get(sdruc.return_address, 0) + sdruc.amount
            if owed >= _U64_LIMIT:
                return ConflictReason.SEMANTIC_VALIDATION_FAILED
            returns[sdruc.return_address] = owed
        total += output.amount
        if total >= _U64_LIMIT:
            return ConflictReason.SEMANTIC_VALIDATION_FAILED
        if not _add_tokens(tokens, output):
            ctx.tokens_overflow = True  # reported with the native token rules (step 6), as Hornet does
    ctx.input_amount = total
    return ConflictReason.NONE


def _check_outputs(ctx: SemanticContext) -> ConflictReason:
    """Step 3: sender features, simple deposits, output amount and token sums."""
    deposits = ctx.simple_deposits
    total = 0
    tokens = ctx.output_tokens
    for output in ctx.outputs:
        if isinstance(output, BasicOutput) and output.is_simple:
            deposits[output.address] = deposits.get(output.address, 0) + output.amount
        for feature in output.features:
            if isinstance(feature, SenderFeature) and feature.address not in ctx.unlocked:
                return ConflictReason.UNVERIFIED_SENDER
        total += output.amount
        if total >= _U64_LIMIT:
            return ConflictReason.SEMANTIC_VALIDATION_FAILED
        if not _add_tokens(tokens, output):
            ctx.tokens_overflow = True
    ctx.output_amount = total
    return ConflictReason.NONE


def _check_native_tokens(ctx: SemanticContext) -> ConflictReason:
    """Step 6: no token sum above a uint256, a token may only grow if its foundry is on the output side, at
    most 64 distinct tokens (iota.go: ErrNativeTokenSumExceedsUint256, which Hornet reports as code 7)."""
    if ctx.tokens_overflow:
        return ConflictReason.INVALID_NATIVE_TOKENS
    inputs = ctx.input_tokens
    for token_id, amount in ctx.output_tokens.items():
        if amount > inputs.get(token_id, 0) and ChainKey(FOUNDRY_KIND, token_id) not in ctx.output_chains:
            return ConflictReason.INVALID_NATIVE_TOKENS
    if len(inputs.keys() | ctx.output_tokens.keys()) > _MAX_NATIVE_TOKENS:
        return ConflictReason.INVALID_NATIVE_TOKENS
    return ConflictReason.NONE


def verify_transaction(
    payload: TransactionPayload, inputs: Sequence[Output], milestone_timestamp: int
) -> ConflictReason:
    """Semantically validate ``payload`` against the outputs it consumes, at ``milestone_timestamp``.

    ``inputs`` are the consumed outputs in the order of the essence's inputs (the caller has already
    checked that they exist and are unspent). The payload is assumed syntactically valid; the result is the
    conflict code the reference implementation gives (``ConflictReason.NONE`` when the transaction is valid).
    """
    essence = payload.essence
    if inputs_commitment(inputs) != essence.inputs_commitment:
        return ConflictReason.INPUTS_COMMITMENT_INVALID
    if len(payload.unlocks) != len(inputs) or len(essence.inputs) != len(inputs):
        return ConflictReason.INVALID_UNLOCK
    ctx = SemanticContext(payload, inputs)
    reason = _check_inputs(ctx, _Unlocker(ctx, essence.hash()), milestone_timestamp)
    if reason is not ConflictReason.NONE:
        return reason
    reason = _check_outputs(ctx)
    if reason is not ConflictReason.NONE:
        return reason
    for address, owed in ctx.required_returns.items():
        paid = ctx.simple_deposits.get(address)
        if paid is None or paid < owed:
            return ConflictReason.STORAGE_DEPOSIT_RETURN_UNFULFILLED
    if ctx.input_amount != ctx.output_amount:
        return ConflictReason.CREATED_CONSUMED_AMOUNT_MISMATCH
    reason = _check_native_tokens(ctx)
    if reason is not ConflictReason.NONE:
        return reason
    if not verify_chains(ctx):
        return ConflictReason.INVALID_CHAIN_STATE_TRANSITION
    return ConflictReason.NONE


def verify_transaction_in_ledger(
    payload: TransactionPayload,
    lookup: Callable[[bytes], Output | None],
    milestone_timestamp: int,
    spent: Callable[[bytes], ConflictReason] | None = None,
) -> ConflictReason:
    """Resolve the inputs of ``payload`` through the ledger callbacks, then run :func:`verify_transaction`.

    For each input in order, ``spent(output_id)`` (if given) returns ``INPUT_UTXO_ALREADY_SPENT``,
    ``INPUT_UTXO_ALREADY_SPENT_IN_THIS_MILESTONE`` or ``NONE``; then ``lookup(output_id)`` returns the
    unspent output or ``None`` (giving ``INPUT_UTXO_NOT_FOUND``). The first input that fails decides the code.
    """
    consumed: list[Output] = []
    for utxo in payload.essence.inputs:
        oid = utxo.output_id
        if spent is not None:
            reason = spent(oid)
            if reason is not ConflictReason.NONE:
                return ConflictReason(reason)
        output = lookup(oid)
        if output is None:
            return ConflictReason.INPUT_UTXO_NOT_FOUND
        consumed.append(output)
    return verify_transaction(payload, consumed, milestone_timestamp)
