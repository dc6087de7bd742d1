"""Real testnet blocks and SDK fixtures, checked against iota-sdk 1.1.4 and the extracted vectors.

Every Ed25519 signature inside (transaction unlocks and the 10 milestone signatures) must verify over the
essence hash we compute: the strongest end-to-end check of our serialization.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from iota_sdk import Block as SdkBlock
from iota_sdk import Utils
from iota_sdk.utils import _call_method
from tests.reference import VECTORS
from tests.strategies.transactions import blocks

from tanglehub.keys.ed25519 import verify
from tanglehub.protocol.block import Block
from tanglehub.protocol.output import output_from_json
from tanglehub.protocol.payload import (
    MilestonePayload,
    TransactionEssence,
    TransactionPayload,
    inputs_commitment,
)
from tanglehub.protocol.unlock import SignatureUnlock

pytestmark = pytest.mark.interop

BLOCK_DICTS: list[dict[str, Any]] = json.loads((VECTORS / "iota-sdk/python_test_block_dicts.json").read_text())
EXTRACTED: dict[str, Any] = json.loads((VECTORS / "extracted_vectors.json").read_text())
BY_INDEX = {
    v["index_in_python_test_block_dicts"]: v
    for v in EXTRACTED["blocks_and_transactions"]["vectors"]
    if "index_in_python_test_block_dicts" in v
}


def _sdk_bytes(block_json: dict[str, Any]) -> bytes:
    return bytes(_call_method("blockBytes", {"block": block_json}))


@pytest.mark.parametrize("index", range(len(BLOCK_DICTS)))
def test_real_block_bytes_and_ids_match_sdk(index: int) -> None:
    d = BLOCK_DICTS[index]
    block = Block.from_json(d)
    data = block.to_bytes()
    assert data == _sdk_bytes(d)
    assert data == Utils.block_bytes(SdkBlock.from_dict(d))
    assert len(data) == BY_INDEX[index]["computed_length"]
    assert block.block_id().hex() == BY_INDEX[index]["computed_blockId"]
    assert "0x" + block.block_id().hex() == Utils.block_id(SdkBlock.from_dict(d))
    assert Block.from_bytes(data) == block
    assert block.to_json() == d


@pytest.mark.parametrize("index", [i for i, d in enumerate(BLOCK_DICTS) if d["payload"]["type"] == 6])
def test_real_transactions_ids_and_signatures(index: int) -> None:
    d = BLOCK_DICTS[index]
    tx = Block.from_json(d).payload
    assert isinstance(tx, TransactionPayload)
    assert tx.transaction_id().hex() == BY_INDEX[index]["computed_transactionId"]
    assert "0x" + tx.transaction_id().hex() == _call_method("transactionId", {"payload": d["payload"]})
    essence_hash = tx.essence.hash()
    assert essence_hash.hex() == BY_INDEX[index]["computed_essence_hash"]
    assert "0x" + essence_hash.hex() == Utils.hash_transaction_essence(d["payload"]["essence"])
    sig_unlocks = [u for u in tx.unlocks if isinstance(u, SignatureUnlock)]
    assert sig_unlocks
    for u in sig_unlocks:
        assert verify(u.signature.public_key, essence_hash, u.signature.signature)


def test_real_milestone_signatures_verify() -> None:
    d = BLOCK_DICTS[4]
    ms = Block.from_json(d).payload
    assert isinstance(ms, MilestonePayload)
    assert ms.milestone_id().hex() == BY_INDEX[4]["computed_milestoneId"]
    assert "0x" + ms.milestone_id().hex() == _call_method("milestoneId", {"payload": d["payload"]})
    assert len(ms.signatures) == 10
    assert all(verify(s.public_key, ms.essence_hash(), s.signature) for s in ms.signatures)


def test_prepared_transaction_fixture() -> None:
    prepared = json.loads((VECTORS / "iota-sdk/sigUnlockPreparedTx.json").read_text())
    vec = EXTRACTED["transaction_signing_end_to_end"]
    essence = TransactionEssence.from_json(prepared["essence"], "essence")
    consumed = [
        output_from_json(i["output"], f"inputsData[{n}].output") for n, i in enumerate(prepared["inputsData"])
    ]
    assert inputs_commitment(consumed) == essence.inputs_commitment
    assert "0x" + inputs_commitment(consumed).hex() == vec["inputsCommitment_in_fixture"]
    assert essence.to_bytes().hex() == vec["computed_serialized_essence_hex"]
    assert essence.hash().hex() == vec["computed_essence_hash"]
    assert "0x" + essence.hash().hex() == Utils.hash_transaction_essence(prepared["essence"])
    sig = vec["expected_unlock"]["signature"]
    assert verify(bytes.fromhex(sig["publicKey"][2:]), essence.hash(), bytes.fromhex(sig["signature"][2:]))
    assert essence.to_json() == prepared["essence"]


def test_signed_transaction_fixture() -> None:
    signed = json.loads((VECTORS / "iota-sdk/signedTransaction.json").read_text())
    vec = next(
        v for v in EXTRACTED["blocks_and_transactions"]["vectors"] if "signedTransaction" in v.get("what", "")
    )
    tx = TransactionPayload.from_json(signed, "payload")
    assert tx.to_bytes().hex() == vec["computed_serialized_payload_hex"]
    assert tx.transaction_id().hex() == vec["computed_transactionId"]
    assert "0x" + tx.transaction_id().hex() == _call_method("transactionId", {"payload": signed})
    assert tx.essence.hash().hex() == vec["computed_essence_hash"]
    first = tx.unlocks[0]
    assert isinstance(first, SignatureUnlock)
    assert verify(first.signature.public_key, tx.essence.hash(), first.signature.signature)
    assert tx.to_json() == signed


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block=blocks())
def test_random_blocks_match_sdk(block: Block) -> None:
    d = block.to_json()
    data = block.to_bytes()
    assert data == _sdk_bytes(d)
    assert "0x" + block.block_id().hex() == _call_method("blockId", {"block": d})
    if isinstance(block.payload, TransactionPayload):
        assert "0x" + block.payload.transaction_id().hex() == _call_method(
            "transactionId", {"payload": d["payload"]}
        )
