"""Ids derived by hashing: golden vectors from the TIPs and iota-sdk tests."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.reference import VECTORS

from tanglehub.protocol.ids import (
    alias_id_from_output_id,
    blake2b256,
    foundry_id,
    network_id,
    nft_id_from_output_id,
    output_id,
    split_output_id,
)
from tanglehub.protocol.validation_errors import InvalidIdentifierError

EXTRACTED: dict[str, Any] = json.loads((VECTORS / "extracted_vectors.json").read_text())
ID_VECTORS: list[dict[str, Any]] = EXTRACTED["ids"]["vectors"]


@pytest.mark.parametrize("vector", EXTRACTED["network_id"]["vectors"], ids=lambda v: v["networkName"])
def test_network_id_vectors(vector: dict[str, Any]) -> None:
    assert network_id(vector["networkName"]) == int(vector["networkId"])
    assert blake2b256(vector["networkName"].encode()).hex() == vector["blake2b256_of_name"]


def test_output_id_vector_and_split() -> None:
    v = ID_VECTORS[0]
    oid = output_id(bytes.fromhex(v["transactionId"]), v["index"])
    assert oid.hex() == v["outputId"]
    assert split_output_id(oid) == (bytes.fromhex(v["transactionId"]), 42)


def test_output_index_128_is_rejected_both_ways() -> None:
    v = ID_VECTORS[0]
    with pytest.raises(InvalidIdentifierError, match="out of range"):
        split_output_id(bytes.fromhex(v["invalid_outputId_index_128"]))
    with pytest.raises(InvalidIdentifierError, match="out of range"):
        output_id(bytes.fromhex(v["transactionId"]), 128)


@pytest.mark.parametrize("length", [0, 31, 33])
def test_wrong_length_ids_are_rejected(length: int) -> None:
    with pytest.raises(InvalidIdentifierError, match="32 bytes"):
        output_id(bytes(length), 0)
    with pytest.raises(InvalidIdentifierError, match="34 bytes"):
        split_output_id(bytes(length))
    with pytest.raises(InvalidIdentifierError, match="34 bytes"):
        alias_id_from_output_id(bytes(length))
    with pytest.raises(InvalidIdentifierError, match="32 bytes"):
        foundry_id(bytes(length), 1)


def test_alias_and_nft_id_vectors() -> None:
    for v in ID_VECTORS:
        if "aliasId" in v and "outputId" in v:
            assert alias_id_from_output_id(bytes.fromhex(v["outputId"])).hex() == v["aliasId"]
        if "nftId" in v:
            assert nft_id_from_output_id(bytes.fromhex(v["outputId"])).hex() == v["nftId"]


def test_foundry_id_vectors() -> None:
    found = [v for v in ID_VECTORS if "foundryId" in v]
    assert len(found) == 2
    for v in found:
        fid = foundry_id(bytes.fromhex(v["aliasId"]), v["serialNumber"], v["tokenSchemeType"])
        assert fid.hex() == v["foundryId"]
        assert len(fid) == 38


def test_foundry_id_rejects_out_of_range_parts() -> None:
    with pytest.raises(InvalidIdentifierError, match="32 bits"):
        foundry_id(bytes(32), 1 << 32)
    with pytest.raises(InvalidIdentifierError, match="8 bits"):
        foundry_id(bytes(32), 1, 256)
