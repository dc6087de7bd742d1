"""Transaction essence and payload: the SDK-signed fixture, unlock rules, counts, embedded payload."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from tests.reference import VECTORS

from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.errors import DecodeError, InvalidTransactionError, InvalidUnlockError, JsonShapeError
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import BasicOutput
from tanglehub.protocol.output.unlock_conditions import AddressUnlockCondition
from tanglehub.protocol.payload import (
    TaggedDataPayload,
    TransactionEssence,
    TransactionPayload,
    payload_from_bytes,
    payload_from_json,
)
from tanglehub.protocol.unlock import AliasUnlock, Ed25519Signature, NftUnlock, ReferenceUnlock, SignatureUnlock

SIG_A = SignatureUnlock(Ed25519Signature(b"\x01" * 32, b"\x0a" * 64))
SIG_B = SignatureUnlock(Ed25519Signature(b"\x02" * 32, b"\x0b" * 64))


def _output(amount: int = 1_000_000) -> BasicOutput:
    return BasicOutput(amount, (AddressUnlockCondition(Ed25519Address(b"\x07" * 32)),))


def _essence(n_inputs: int = 1, payload: TaggedDataPayload | None = None) -> TransactionEssence:
    return TransactionEssence(
        network_id=42,
        inputs=tuple(UtxoInput(bytes([i]) * 32, i) for i in range(n_inputs)),
        inputs_commitment=b"\x09" * 32,
        outputs=(_output(),),
        payload=payload,
    )


@pytest.fixture(scope="module")
def signed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / "iota-sdk/signedTransaction.json").read_text())
    return data


def test_signed_fixture_round_trips_and_id(signed: dict[str, Any]) -> None:
    tx = payload_from_json(signed, "payload")
    assert isinstance(tx, TransactionPayload)
    assert tx.transaction_id().hex() == "703b6dec665d455d2f6af943a992848ae2ad0d58601b9b386dd28ef4e6590dc9"
    assert tx.essence.hash().hex() == "4b834301475ad681912be85336c4746381d1cabcf4dc3589267dc2a1d1c1d4a8"
    assert payload_from_bytes(tx.to_bytes()) == tx
    assert tx.to_json() == signed


def test_embedded_tagged_data_round_trips() -> None:
    tx = TransactionPayload(_essence(payload=TaggedDataPayload(b"tag", b"data")), (SIG_A,))
    assert payload_from_bytes(tx.to_bytes()) == tx
    assert tx.to_json()["essence"]["payload"] == {"type": 5, "tag": "0x746167", "data": "0x64617461"}
    assert payload_from_json(tx.to_json()) == tx
    assert "payload" not in TransactionPayload(_essence(), (SIG_A,)).to_json()["essence"]


def test_unlock_count_must_match_inputs() -> None:
    with pytest.raises(InvalidUnlockError, match="one unlock per input"):
        TransactionPayload(_essence(2), (SIG_A,))


def test_duplicate_signature_unlocks_rejected() -> None:
    with pytest.raises(InvalidUnlockError, match="same signature"):
        TransactionPayload(_essence(2), (SIG_A, SIG_A))


def test_reference_rules() -> None:
    TransactionPayload(_essence(3), (SIG_A, ReferenceUnlock(0), SIG_B))
    with pytest.raises(InvalidUnlockError, match="earlier unlock"):
        TransactionPayload(_essence(2), (SIG_A, ReferenceUnlock(1)))
    with pytest.raises(InvalidUnlockError, match="not a signature unlock"):
        TransactionPayload(_essence(3), (SIG_A, AliasUnlock(0), ReferenceUnlock(1)))
    TransactionPayload(_essence(3), (SIG_A, AliasUnlock(0), NftUnlock(1)))
    with pytest.raises(InvalidUnlockError, match="earlier unlock"):
        TransactionPayload(_essence(2), (SIG_A, NftUnlock(1)))


def test_duplicate_inputs_and_counts() -> None:
    e = _essence(1)
    with pytest.raises(InvalidTransactionError, match="same input"):
        replace(e, inputs=e.inputs * 2)
    with pytest.raises(InvalidTransactionError, match=r"1\.\.128 inputs"):
        replace(e, inputs=())
    with pytest.raises(InvalidTransactionError, match=r"1\.\.128 outputs"):
        replace(e, outputs=(_output(),) * 129)


def test_only_tagged_data_may_be_embedded() -> None:
    tx = TransactionPayload(_essence(payload=TaggedDataPayload(b"", b"")), (SIG_A,))
    j = tx.to_json()
    j["essence"]["payload"] = {"type": 6}
    with pytest.raises(JsonShapeError) as info:
        payload_from_json(j, "payload")
    assert info.value.path == "payload.essence.payload.type"
    raw = bytearray(tx.to_bytes())
    at = raw.index(b"\x05\x00\x00\x00\x00\x00\x00\x00\x00")  # tagged data with empty tag and data
    raw[at] = 6
    with pytest.raises(DecodeError, match="only embed a tagged data"):
        payload_from_bytes(bytes(raw))


def test_bad_essence_json_names_field(signed: dict[str, Any]) -> None:
    bad = json.loads(json.dumps(signed))
    bad["essence"]["outputs"][1]["amount"] = "ten"
    with pytest.raises(JsonShapeError) as info:
        payload_from_json(bad, "payload")
    assert "payload.essence.outputs[1].amount" in str(info.value)
    bad = json.loads(json.dumps(signed))
    bad["essence"]["networkId"] = 1.5
    with pytest.raises(JsonShapeError) as info:
        payload_from_json(bad, "payload")
    assert info.value.path == "payload.essence.networkId"
