"""The reference verdict for semantic tests: iota-sdk 1.1.4's, corrected where TIP-20 / iota.go (Hornet) are
stricter than the SDK (which ``tanglehub.protocol.semantic`` follows)."""

from __future__ import annotations

import dataclasses

from tests.strategies.semantic import Case, required_address, sdk_verdict

from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.output import FoundryOutput
from tanglehub.protocol.payload import TransactionPayload
from tanglehub.protocol.semantic import ConflictReason
from tanglehub.protocol.unlock import AliasUnlock, ReferenceUnlock, SignatureUnlock

__all__ = ["misdirected_reference", "tip20_verdict"]


def misdirected_reference(case: Case) -> int | None:
    """The first input unlocked by a reference to another address's signature unlock (or None).

    iota-sdk 1.1.4 accepts such a reference once the input's address is unlocked anywhere in the transaction;
    TIP-20 and iota.go (Hornet) require the referenced signature unlock to be that address's own.
    """
    essence = case.payload.essence
    consumed = list(zip((i.output_id for i in essence.inputs), case.inputs, strict=True))
    unlocks = case.payload.unlocks
    for i, unlock in enumerate(unlocks):
        if not isinstance(unlock, ReferenceUnlock):
            continue
        owner = required_address(i, consumed, essence.outputs, case.timestamp)
        target = unlocks[unlock.reference]
        if (
            isinstance(owner, Ed25519Address)
            and isinstance(target, SignatureUnlock)
            and Ed25519Address.from_public_key(target.signature.public_key) != owner
        ):
            return i
    return None


def _foundry_mints_while_burning(case: Case) -> bool:
    """A foundry transition whose minted count changes while its tokens shrink (iota-sdk allows it)."""
    tokens: dict[bytes, int] = {}
    for output in case.inputs:
        for token in output.native_tokens:
            tokens[token.token_id] = tokens.get(token.token_id, 0) + token.amount
    for output in case.payload.essence.outputs:
        for token in output.native_tokens:
            tokens[token.token_id] = tokens.get(token.token_id, 0) - token.amount
    after = {o.foundry_id: o for o in case.payload.essence.outputs if isinstance(o, FoundryOutput)}
    for current in case.inputs:
        if isinstance(current, FoundryOutput) and current.foundry_id in after:
            nxt = after[current.foundry_id]
            burnt = tokens.get(current.foundry_id, 0) > 0
            if burnt and nxt.token_scheme.minted_tokens != current.token_scheme.minted_tokens:
                return True
    return False


def tip20_verdict(case: Case) -> ConflictReason:
    """The verdict TIP-20 / iota.go (Hornet) give: iota-sdk 1.1.4's, corrected where the SDK is more lenient.

    * A reference unlock to another address's signature (:func:`misdirected_reference`) is an invalid unlock at
      that input: the SDK is asked again with that unlock replaced by an Alias unlock for the same earlier
      unlock, which it refuses at that input as INVALID_UNLOCK, while any earlier input still wins.
    * A foundry that changes its minted count while tokens are burnt is an invalid chain transition (the chain
      check runs last, so only a verdict the SDK gives as NONE changes).
    """
    bad = misdirected_reference(case)
    if bad is not None:
        unlocks = list(case.payload.unlocks)
        reference = unlocks[bad]
        assert isinstance(reference, ReferenceUnlock)
        unlocks[bad] = AliasUnlock(reference.reference)
        payload = TransactionPayload(case.payload.essence, tuple(unlocks))
        return sdk_verdict(dataclasses.replace(case, payload=payload))
    verdict = sdk_verdict(case)
    if verdict is ConflictReason.NONE and _foundry_mints_while_burning(case):
        return ConflictReason.INVALID_CHAIN_STATE_TRANSITION
    return verdict
