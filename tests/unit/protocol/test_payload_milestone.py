"""Milestone payload: the real 10-signature testnet milestone, options, ordering rules."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from tests.reference import VECTORS

from tanglehub.keys.ed25519 import verify
from tanglehub.protocol.errors import DecodeError, InvalidMilestoneError, JsonShapeError
from tanglehub.protocol.payload import (
    MilestoneEssence,
    MilestonePayload,
    ProtocolParamsMilestoneOption,
    payload_from_bytes,
    payload_from_json,
)
from tanglehub.protocol.unlock import Ed25519Signature

REF = VECTORS
EXPECTED_ID = "a40c10eac6b2402aa893f7743787d380de66786a102730eb6e0e8deff3b3b719"


@pytest.fixture(scope="module")
def milestone_json() -> dict[str, Any]:
    blocks = json.loads((REF / "iota-sdk/python_test_block_dicts.json").read_text())
    payload: dict[str, Any] = blocks[4]["payload"]
    return payload


def test_real_milestone_id_and_signatures(milestone_json: dict[str, Any]) -> None:
    m = payload_from_json(milestone_json, "payload")
    assert isinstance(m, MilestonePayload)
    assert m.milestone_id().hex() == EXPECTED_ID
    assert len(m.signatures) == 10
    for s in m.signatures:
        assert verify(s.public_key, m.essence_hash(), s.signature)
    tampered = replace(m.essence, timestamp=m.essence.timestamp + 1)
    assert not verify(m.signatures[0].public_key, tampered.hash(), m.signatures[0].signature)


def test_real_milestone_json_and_binary_round_trip(milestone_json: dict[str, Any]) -> None:
    m = payload_from_json(milestone_json)
    assert m.to_json() == milestone_json
    assert payload_from_bytes(m.to_bytes()) == m


def _essence(**kw: Any) -> MilestoneEssence:
    base: dict[str, Any] = {
        "index": 10,
        "timestamp": 1000,
        "protocol_version": 2,
        "previous_milestone_id": b"\x01" * 32,
        "parents": (b"\x02" * 32,),
        "inclusion_merkle_root": b"\x03" * 32,
        "applied_merkle_root": b"\x04" * 32,
    }
    base.update(kw)
    return MilestoneEssence(**base)


SIG_A = Ed25519Signature(b"\x01" * 32, b"\x00" * 64)
SIG_B = Ed25519Signature(b"\x02" * 32, b"\x00" * 64)


def test_protocol_parameters_option_round_trips() -> None:
    opt = ProtocolParamsMilestoneOption(15, 2, b"\x02\x01\x02\x03")
    m = MilestonePayload(_essence(options=(opt,), metadata=b"meta"), (SIG_A, SIG_B))
    assert payload_from_bytes(m.to_bytes()) == m
    j = m.to_json()
    assert j["options"] == [{"type": 1, "targetMilestoneIndex": 15, "protocolVersion": 2, "params": "0x02010203"}]
    assert payload_from_json(j) == m


def test_empty_metadata_and_options_are_omitted() -> None:
    j = MilestonePayload(_essence(), (SIG_A,)).to_json()
    assert "metadata" not in j
    assert "options" not in j


@pytest.mark.parametrize("target", [10, 41])
def test_target_index_must_be_within_30_after(target: int) -> None:
    with pytest.raises(InvalidMilestoneError, match="target milestone"):
        _essence(options=(ProtocolParamsMilestoneOption(target, 2, b""),))


def test_signatures_must_be_sorted_and_unique() -> None:
    with pytest.raises(InvalidMilestoneError, match="sorted"):
        MilestonePayload(_essence(), (SIG_B, SIG_A))
    with pytest.raises(InvalidMilestoneError, match="sorted"):
        MilestonePayload(_essence(), (SIG_A, SIG_A))
    with pytest.raises(InvalidMilestoneError, match=r"1\.\.255"):
        MilestonePayload(_essence(), ())


def test_parents_must_be_sorted() -> None:
    with pytest.raises(InvalidMilestoneError, match="ascending"):
        _essence(parents=(b"\x05" * 32, b"\x02" * 32))


def test_receipt_option_is_rejected_clearly() -> None:
    m = MilestonePayload(_essence(), (SIG_A,))
    raw = bytearray(m.to_bytes())
    # option count sits right before the signature count; replace "0 options" by "1 option of type 0"
    at = len(raw) - 1 - 97 - 1
    assert raw[at] == 0
    raw[at : at + 1] = b"\x01\x00"
    with pytest.raises(DecodeError, match="receipt"):
        payload_from_bytes(bytes(raw))
    with pytest.raises(JsonShapeError, match="receipt"):
        payload_from_json({**m.to_json(), "options": [{"type": 0}]}, "payload")


def test_bad_json_names_field(milestone_json: dict[str, Any]) -> None:
    bad = {**milestone_json, "inclusionMerkleRoot": "0x1234"}
    with pytest.raises(JsonShapeError) as info:
        payload_from_json(bad, "payload")
    assert info.value.path == "payload.inclusionMerkleRoot"
    bad = {**milestone_json, "signatures": [{"type": 0, "publicKey": "0x00"}]}
    with pytest.raises(JsonShapeError) as info:
        payload_from_json(bad, "payload")
    assert info.value.path == "payload.signatures[0].publicKey"
