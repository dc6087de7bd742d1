"""Protocol parameters: presets, JSON as the node sends it, binary layout."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.reference import VECTORS

from tanglehub.protocol.errors import DecodeError, JsonShapeError
from tanglehub.protocol.params import (
    DEVNET,
    IOTA_MAINNET,
    SHIMMER_MAINNET,
    SHIMMER_TESTNET,
    ProtocolParameters,
    RentStructure,
)
from tanglehub.protocol.validation_errors import InvalidProtocolParametersError

EXTRACTED: dict[str, Any] = json.loads((VECTORS / "extracted_vectors.json").read_text())


def test_preset_network_ids_match_the_published_ones() -> None:
    assert IOTA_MAINNET.network_id == 9374574019616453254
    assert SHIMMER_MAINNET.network_id == 14364762045254553490
    assert SHIMMER_TESTNET.network_id == 1856588631910923207


def test_devnet_preset_matches_the_contract() -> None:
    assert DEVNET.bech32_hrp == "tst"
    assert DEVNET.network_name == "tanglehub-devnet"
    assert DEVNET.min_pow_score == 0
    assert DEVNET.rent_structure == RentStructure(100, 1, 10)
    assert DEVNET.token_supply == SHIMMER_MAINNET.token_supply


def test_iota_go_json_example_round_trips_exactly() -> None:
    text = EXTRACTED["protocol_parameters_json_example"]["json"]
    params = ProtocolParameters.from_json(json.loads(text))
    assert params.version == 6
    assert params.rent_structure == RentStructure(v_byte_cost=6, v_byte_factor_data=8, v_byte_factor_key=7)
    assert params.token_supply == 1234567890987654321
    assert json.dumps(params.to_json(), separators=(",", ":")) == text


def test_shimmer_json_shape() -> None:
    assert SHIMMER_MAINNET.to_json() == {
        "version": 2,
        "networkName": "shimmer",
        "bech32Hrp": "smr",
        "minPowScore": 1500,
        "belowMaxDepth": 15,
        "rentStructure": {"vByteCost": 100, "vByteFactorData": 1, "vByteFactorKey": 10},
        "tokenSupply": "1813620509061365",
    }


def test_binary_layout_puts_data_factor_before_key_factor() -> None:
    raw = ProtocolParameters(2, "ab", "c", 7, 15, RentStructure(500, 1, 10), 99).to_bytes()
    expected = (
        bytes([2, 2]) + b"ab" + bytes([1]) + b"c" + (7).to_bytes(4, "little") + bytes([15])
        + (500).to_bytes(4, "little") + bytes([1, 10]) + (99).to_bytes(8, "little")
    )  # fmt: skip
    assert raw == expected


@pytest.mark.parametrize("params", [IOTA_MAINNET, SHIMMER_MAINNET, SHIMMER_TESTNET, DEVNET])
def test_presets_round_trip(params: ProtocolParameters) -> None:
    assert ProtocolParameters.from_bytes(params.to_bytes()) == params
    assert ProtocolParameters.from_json(params.to_json()) == params


def test_truncated_binary_raises_decode_error_at_every_offset() -> None:
    raw = SHIMMER_MAINNET.to_bytes()
    for cut in range(len(raw)):
        with pytest.raises(DecodeError):
            ProtocolParameters.from_bytes(raw[:cut])
    with pytest.raises(DecodeError, match="trailing"):
        ProtocolParameters.from_bytes(raw + b"\x00")


def test_json_errors_name_the_field() -> None:
    d = SHIMMER_MAINNET.to_json()
    d["rentStructure"] = {**d["rentStructure"], "vByteCost": "100"}
    with pytest.raises(JsonShapeError, match=r"rentStructure\.vByteCost"):
        ProtocolParameters.from_json(d)
    d = SHIMMER_MAINNET.to_json()
    del d["tokenSupply"]
    with pytest.raises(JsonShapeError, match="tokenSupply"):
        ProtocolParameters.from_json(d)
    with pytest.raises(JsonShapeError, match=r"info\.protocol\.networkName"):
        ProtocolParameters.from_json({**SHIMMER_MAINNET.to_json(), "networkName": 5}, "info.protocol")


def test_out_of_range_values_are_rejected() -> None:
    with pytest.raises(InvalidProtocolParametersError, match="vByteFactorKey"):
        RentStructure(100, 1, 256)
    with pytest.raises(InvalidProtocolParametersError, match="networkName"):
        ProtocolParameters(2, "", "smr", 0, 15, RentStructure(1, 1, 1), 1)
    with pytest.raises(InvalidProtocolParametersError, match="tokenSupply"):
        ProtocolParameters(2, "x", "smr", 0, 15, RentStructure(1, 1, 1), 1 << 64)
