"""Valid and broken transactions get the verdict of iota-sdk's ``verify_transaction_semantic``."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from tanglehub.devnet.node import DevnetNode
from tanglehub.keys.ed25519 import sign
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
)
from tanglehub.protocol.payload import TransactionEssence, TransactionPayload, inputs_commitment
from tanglehub.protocol.unlock import Ed25519Signature, ReferenceUnlock, SignatureUnlock

utils = pytest.importorskip("iota_sdk.utils")

SDK_CODES = {
    "None": 0,
    "InputUtxoAlreadySpent": 1,
    "InputUtxoAlreadySpentInThisMilestone": 2,
    "InputUtxoNotFound": 3,
    "CreatedConsumedAmountMismatch": 4,
    "InvalidSignature": 5,
    "TimelockNotExpired": 6,
    "InvalidNativeTokens": 7,
    "StorageDepositReturnUnfulfilled": 8,
    "InvalidUnlock": 9,
    "InputsCommitmentsMismatch": 10,
    "UnverifiedSender": 11,
    "InvalidChainStateTransition": 12,
    "SemanticValidationFailed": 255,
}


def sdk_verdict(node: DevnetNode, payload: TransactionPayload, timestamp: int) -> int:
    """The SDK's conflict code for ``payload`` against the devnet's records of its inputs."""
    inputs: list[dict[str, Any]] = []
    for utxo in payload.essence.inputs:
        rec = node.output(utxo.output_id)
        meta = rec.metadata_json(node.ledger.ledger_index)
        meta["isSpent"] = False
        for key in ("milestoneIndexSpent", "milestoneTimestampSpent", "transactionIdSpent"):
            meta.pop(key, None)
        inputs.append({"output": rec.output.to_json(), "outputMetadata": meta})
    name = utils._call_method(
        "verifyTransactionSemantic", {"inputs": inputs, "transaction": payload.to_json(), "time": timestamp}
    )
    return SDK_CODES[name]


async def submit(client: httpx.AsyncClient, block_json: dict[str, Any]) -> str:
    r = await client.post("/api/core/v2/blocks", json=block_json)
    assert r.status_code == 201, r.text
    return str(r.json()["blockId"])


async def milestone(client: httpx.AsyncClient) -> int:
    r = await client.post("/api/devnet/v1/milestones")
    assert r.status_code == 200, r.text
    return int(r.json()["index"])


async def metadata(client: httpx.AsyncClient, block_id: str) -> dict[str, Any]:
    r = await client.get(f"/api/core/v2/blocks/{block_id}/metadata")
    assert r.status_code == 200
    return dict(r.json())


async def fund(client: httpx.AsyncClient, node: DevnetNode, bech32: str) -> bytes:
    r = await client.post("/api/plugins/faucet/v1/enqueue", json={"address": bech32})
    assert r.status_code == 202, r.text
    await milestone(client)
    items = (await client.get("/api/indexer/v1/outputs/basic", params={"address": bech32})).json()["items"]
    assert len(items) == 1
    return bytes.fromhex(items[0][2:])


async def judge(
    client: httpx.AsyncClient, node: DevnetNode, payload: TransactionPayload, block
) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    block_id = await submit(client, block.to_json())
    index = await milestone(client)
    meta = await metadata(client, block_id)
    node_code = meta.get("conflictReason", 0) if meta["ledgerInclusionState"] == "conflicting" else 0
    assert meta["referencedByMilestoneIndex"] == index
    return node_code, sdk_verdict(node, payload, node.milestones[index][0])


async def test_valid_transfer_is_included_and_sdk_agrees(client, node, actor) -> None:  # type: ignore[no-untyped-def]
    alice, bob = actor(0), actor(1)
    oid = await fund(client, node, alice.bech32)
    payload = alice.transaction([oid], [alice.simple(4_000_000, bob.address), alice.simple(6_000_000)])
    assert await judge(client, node, payload, alice.block(payload)) == (0, 0)


@pytest.mark.parametrize("case", ["wrong_signature", "corrupt_signature", "unbalanced"])
async def test_broken_transactions_conflict_like_the_sdk(client, node, actor, case: str) -> None:  # type: ignore[no-untyped-def]
    alice, bob = actor(0), actor(1)
    oid = await fund(client, node, alice.bech32)
    if case == "wrong_signature":
        payload = alice.transaction([oid], [alice.simple(10_000_000, bob.address)], signer=bob.private)
    elif case == "corrupt_signature":
        payload = alice.transaction([oid], [alice.simple(10_000_000, bob.address)], corrupt=True)
    else:
        payload = alice.transaction([oid], [alice.simple(9_000_000, bob.address)])
    node_code, sdk_code = await judge(client, node, payload, alice.block(payload))
    assert node_code == sdk_code
    assert node_code != 0
    # a conflicting transaction consumes nothing
    assert node.output(oid).spent is None


@pytest.mark.parametrize("case", ["missing_sdr", "timelocked", "expired_wrong_party", "expired_return_party"])
async def test_unlock_condition_cases_match_the_sdk(client, node, actor, case: str) -> None:  # type: ignore[no-untyped-def]
    alice, bob = actor(0), actor(1)
    oid = await fund(client, node, alice.bech32)
    now = int(node.clock())
    ucs: tuple[Any, ...]
    if case == "missing_sdr":
        ucs = (AddressUnlockCondition(bob.address), StorageDepositReturnUnlockCondition(alice.address, 1_000_000))
    elif case == "timelocked":
        ucs = (AddressUnlockCondition(bob.address), TimelockUnlockCondition(now + 3600))
    else:
        ucs = (AddressUnlockCondition(bob.address), ExpirationUnlockCondition(alice.address, now - 10))
    special = BasicOutput(amount=3_000_000, unlock_conditions=ucs)
    setup = alice.transaction([oid], [special, alice.simple(7_000_000)])
    assert (await judge(client, node, setup, alice.block(setup)))[0] == 0
    special_id = setup.transaction_id() + (0).to_bytes(2, "little")
    spender = alice if case == "expired_return_party" else bob
    payload = spender.transaction([special_id], [spender.simple(3_000_000)])
    node_code, sdk_code = await judge(client, node, payload, spender.block(payload))
    assert node_code == sdk_code
    if case == "expired_return_party":
        assert node_code == 0
    else:
        assert node_code != 0


async def test_double_spend_across_blocks(client, node, actor) -> None:  # type: ignore[no-untyped-def]
    alice, bob = actor(0), actor(1)
    oid = await fund(client, node, alice.bech32)
    first = alice.transaction([oid], [alice.simple(10_000_000, bob.address)])
    second = alice.transaction([oid], [alice.simple(5_000_000, bob.address), alice.simple(5_000_000)])
    b1 = await submit(client, alice.block(first).to_json())
    b2 = await submit(client, alice.block(second).to_json())
    index = await milestone(client)
    m1, m2 = await metadata(client, b1), await metadata(client, b2)
    states = sorted([m1["ledgerInclusionState"], m2["ledgerInclusionState"]])
    assert states == ["conflicting", "included"]
    loser = m1 if m1["ledgerInclusionState"] == "conflicting" else m2
    assert loser["conflictReason"] == 2
    # each is valid on its own, as the SDK (which cannot see the ledger) says
    ts = node.milestones[index][0]
    assert sdk_verdict(node, first, ts) == 0
    assert sdk_verdict(node, second, ts) == 0
    # a third spend in a later milestone: already spent (1)
    third = alice.transaction([oid], [alice.simple(10_000_000)])
    b3 = await submit(client, alice.block(third).to_json())
    await milestone(client)
    m3 = await metadata(client, b3)
    assert (m3["ledgerInclusionState"], m3["conflictReason"]) == ("conflicting", 1)


async def test_the_same_transaction_in_two_blocks_of_one_milestone_applies_once(client, node, actor) -> None:  # type: ignore[no-untyped-def]
    alice, bob = actor(0), actor(1)
    oid = await fund(client, node, alice.bech32)
    payload = alice.transaction([oid], [alice.simple(10_000_000, bob.address)])
    first = alice.block(payload)
    copy = dataclasses.replace(first, nonce=first.nonce + 1)
    b1 = await submit(client, first.to_json())
    b2 = await submit(client, copy.to_json())
    assert b1 != b2
    await milestone(client)
    m1, m2 = await metadata(client, b1), await metadata(client, b2)
    states = sorted([m1["ledgerInclusionState"], m2["ledgerInclusionState"]])
    assert states == ["conflicting", "included"]
    loser = m1 if m1["ledgerInclusionState"] == "conflicting" else m2
    assert loser["conflictReason"] == 1
    winner = b1 if loser is m2 else b2
    assert node.ledger.included[payload.transaction_id()] == bytes.fromhex(winner[2:])
    assert node.ledger.total_unspent() == node.params.token_supply


async def test_a_reference_to_another_addresses_signature_conflicts_as_invalid_unlock(client, node, actor) -> None:  # type: ignore[no-untyped-def]
    """TIP-20 / Hornet, not iota-sdk 1.1.4: inputs owned by A, B, A unlocked as [sig A, sig B, ref -> 1]."""
    alice, bob, carol = actor(0), actor(1), actor(2)
    funded = await fund(client, node, alice.bech32)
    split = alice.transaction([funded], [alice.simple(5_000_000), alice.simple(5_000_000)])
    assert (await judge(client, node, split, alice.block(split)))[0] == 0
    a1, a2 = (split.transaction_id() + i.to_bytes(2, "little") for i in (0, 1))
    b1 = await fund(client, node, bob.bech32)
    input_ids = [a1, b1, a2]
    consumed = [node.output(o).output for o in input_ids]
    essence = TransactionEssence(
        network_id=node.network_id,
        inputs=tuple(UtxoInput.from_output_id(o) for o in input_ids),
        inputs_commitment=inputs_commitment(consumed),
        outputs=(carol.simple(sum(o.amount for o in consumed)),),
    )
    sig_a = SignatureUnlock(Ed25519Signature(alice.public, sign(alice.private, essence.hash())))
    sig_b = SignatureUnlock(Ed25519Signature(bob.public, sign(bob.private, essence.hash())))

    wrong = TransactionPayload(essence, (sig_a, sig_b, ReferenceUnlock(1)))
    node_code, sdk_code = await judge(client, node, wrong, alice.block(wrong))
    assert node_code == 9  # invalid unlock, as iota.go's reference-unlock check gives
    assert sdk_code == 0  # the SDK's leniency
    assert all(node.output(o).spent is None for o in input_ids)

    right = TransactionPayload(essence, (sig_a, sig_b, ReferenceUnlock(0)))
    assert await judge(client, node, right, alice.block(right)) == (0, 0)
    assert all(node.output(o).spent is not None for o in input_ids)
