"""Hypothesis strategies for syntactically valid blocks: tagged data, transaction and empty blocks.

Outputs (every kind) come from :func:`tests.strategies.outputs.outputs`.
"""

from __future__ import annotations

from hypothesis import strategies as st
from tests.strategies.outputs import outputs as any_outputs

from tanglehub.protocol.block import Block
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.payload import TaggedDataPayload, TransactionEssence, TransactionPayload
from tanglehub.protocol.unlock import (
    AliasUnlock,
    Ed25519Signature,
    NftUnlock,
    ReferenceUnlock,
    SignatureUnlock,
    Unlock,
)

__all__ = [
    "blocks",
    "tagged_data_payloads",
    "transaction_payloads",
    "unlock_lists",
    "utxo_inputs",
]

ids32 = st.binary(min_size=32, max_size=32)


def utxo_inputs() -> st.SearchStrategy[UtxoInput]:
    """Any UTXO input."""
    return st.builds(UtxoInput, ids32, st.integers(0, 127))


def tagged_data_payloads(max_data: int = 256) -> st.SearchStrategy[TaggedDataPayload]:
    """Tagged data with a 0..64-byte tag and a little data."""
    return st.builds(TaggedDataPayload, st.binary(max_size=64), st.binary(max_size=max_data))


@st.composite
def unlock_lists(draw: st.DrawFn, count: int) -> tuple[Unlock, ...]:
    """``count`` unlocks obeying TIP-20: the first is a signature, later ones are new (distinct)
    signatures, references to an earlier signature unlock, or alias/NFT unlocks pointing backwards."""
    unlocks: list[Unlock] = []
    sig_positions: list[int] = []
    seen: set[bytes] = set()
    for i in range(count):
        choice = "sig" if i == 0 else draw(st.sampled_from(["sig", "ref", "alias", "nft"]))
        if choice == "sig":
            sig = Ed25519Signature(draw(ids32), draw(st.binary(min_size=64, max_size=64)))
            if sig.to_bytes() in seen:
                choice = "ref"
            else:
                seen.add(sig.to_bytes())
                sig_positions.append(i)
                unlocks.append(SignatureUnlock(sig))
                continue
        if choice == "ref":
            unlocks.append(ReferenceUnlock(draw(st.sampled_from(sig_positions))))
        elif choice == "alias":
            unlocks.append(AliasUnlock(draw(st.integers(0, i - 1))))
        else:
            unlocks.append(NftUnlock(draw(st.integers(0, i - 1))))
    return tuple(unlocks)


@st.composite
def transaction_payloads(draw: st.DrawFn, max_inputs: int = 8, max_outputs: int = 4) -> TransactionPayload:
    """A syntactically valid transaction payload (random signatures: they do not verify)."""
    inputs = draw(st.lists(utxo_inputs(), min_size=1, max_size=max_inputs, unique_by=lambda i: i.output_id))
    outputs = draw(st.lists(any_outputs(), min_size=1, max_size=max_outputs))
    essence = TransactionEssence(
        network_id=draw(st.integers(0, 2**64 - 1)),
        inputs=tuple(inputs),
        inputs_commitment=draw(ids32),
        outputs=tuple(outputs),
        payload=draw(st.none() | tagged_data_payloads(64)),
    )
    return TransactionPayload(essence, draw(unlock_lists(len(inputs))))


@st.composite
def blocks(draw: st.DrawFn) -> Block:
    """A syntactically valid block with no payload, tagged data or a transaction."""
    parents = draw(st.lists(ids32, min_size=1, max_size=8, unique=True))
    payload = draw(st.none() | tagged_data_payloads() | transaction_payloads())
    block = Block(2, tuple(sorted(parents)), payload, draw(st.integers(0, 2**64 - 1)))
    if len(block.to_bytes()) > 32768:  # pragma: no cover - sizes above keep blocks far below the limit
        return Block(2, block.parents, None, block.nonce)
    return block
