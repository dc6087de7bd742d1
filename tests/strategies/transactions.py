"""Hypothesis strategies for syntactically valid blocks: tagged data, transaction and empty blocks.

Outputs (every kind) come from :func:`tests.strategies.outputs.outputs`.
"""

from __future__ import annotations

from hypothesis import strategies as st
from tests.strategies.outputs import outputs as any_outputs

from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.block import Block
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput
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
    "common_transaction_blocks",
    "plain_basic_outputs",
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


def plain_basic_outputs() -> st.SearchStrategy[BasicOutput]:
    """Basic outputs whose only unlock condition is an Address one on an Ed25519 address (nothing else): a
    deposit, a payment, change. Any amount a Basic output may hold (1..2^64-1)."""
    amounts = st.one_of(st.integers(1, 10**12), st.integers(1, 2**64 - 1), st.sampled_from([1, 2**64 - 1]))
    return st.builds(
        lambda amount, key_hash: BasicOutput(amount, (AddressUnlockCondition(Ed25519Address(key_hash)),)),
        amounts,
        ids32,
    )


@st.composite
def common_transaction_blocks(draw: st.DrawFn, max_inputs: int = 128, max_outputs: int = 128) -> Block:
    """Transaction blocks of the shapes wallets read most: UTXO inputs, mostly plain Basic outputs (now and
    then any other output among them), signature and reference unlocks (now and then alias/NFT unlocks), now
    and then an embedded tagged data payload. Input and output counts reach 128, the protocol's limits."""
    n_in = draw(st.one_of(st.integers(1, 4), st.integers(1, max_inputs), st.just(max_inputs)))
    inputs = draw(st.lists(utxo_inputs(), min_size=n_in, max_size=n_in, unique_by=lambda i: i.output_id))
    n_out = draw(st.one_of(st.integers(1, 4), st.integers(1, max_outputs), st.just(max_outputs)))
    mixed = draw(st.integers(0, 5)) == 0
    output_strategy = st.one_of(plain_basic_outputs(), any_outputs()) if mixed else plain_basic_outputs()
    outputs = draw(st.lists(output_strategy, min_size=n_out, max_size=n_out))
    essence = TransactionEssence(
        network_id=draw(st.integers(0, 2**64 - 1)),
        inputs=tuple(inputs),
        inputs_commitment=draw(ids32),
        outputs=tuple(outputs),
        payload=draw(tagged_data_payloads(64)) if draw(st.integers(0, 7)) == 0 else None,
    )
    if draw(st.integers(0, 5)) == 0:
        unlocks = draw(unlock_lists(n_in))
    else:  # one signature per address: a signature unlock, then references to it or new signatures
        unlocks = draw(_signature_and_reference_unlocks(n_in))
    parents = draw(st.lists(ids32, min_size=1, max_size=8, unique=True))
    block = Block(
        draw(st.integers(0, 255)),
        tuple(sorted(parents)),
        TransactionPayload(essence, unlocks),
        draw(st.integers(0, 2**64 - 1)),
    )
    if len(block.to_bytes()) > 32768:  # mixed outputs with large features: keep the block within the limit
        return Block(block.protocol_version, block.parents, None, block.nonce)
    return block


@st.composite
def _signature_and_reference_unlocks(draw: st.DrawFn, count: int) -> tuple[Unlock, ...]:
    unlocks: list[Unlock] = []
    signatures: list[int] = []
    for i in range(count):
        if not signatures or draw(st.integers(0, 3)) == 0:
            sig = Ed25519Signature(
                draw(ids32), i.to_bytes(2, "little") + draw(st.binary(min_size=62, max_size=62))
            )
            unlocks.append(SignatureUnlock(sig))
            signatures.append(i)
        else:
            unlocks.append(ReferenceUnlock(draw(st.sampled_from(signatures))))
    return tuple(unlocks)
