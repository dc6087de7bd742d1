"""Outputs, storage deposits and ids checked against iota-sdk 1.1.4 as an oracle.

For random valid outputs of all four kinds: our bytes equal the SDK's ``outputHexBytes``, our storage
deposit equals ``Utils.compute_storage_deposit``, and our JSON equals what the SDK's output builders emit
for the same fields.
"""

from __future__ import annotations

import json
from typing import Any

import iota_sdk
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from iota_sdk import Utils
from iota_sdk.utils import _call_method
from tests.reference import VECTORS
from tests.strategies.outputs import outputs

from tanglehub.protocol.ids import alias_id_from_output_id, foundry_id, nft_id_from_output_id, output_id
from tanglehub.protocol.output import Output, output_from_bytes, output_from_json
from tanglehub.protocol.params import DEVNET, IOTA_MAINNET, SHIMMER_MAINNET, SHIMMER_TESTNET, RentStructure
from tanglehub.protocol.rent import min_deposit_basic, storage_deposit

pytestmark = pytest.mark.interop

BLOCK_DICTS: list[dict[str, Any]] = json.loads((VECTORS / "iota-sdk/python_test_block_dicts.json").read_text())
FIXTURE_OUTPUTS = [
    o for b in BLOCK_DICTS for o in ((b.get("payload") or {}).get("essence") or {}).get("outputs", [])
]
PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_BUILDERS = {3: "buildBasicOutput", 4: "buildAliasOutput", 5: "buildFoundryOutput", 6: "buildNftOutput"}


@pytest.fixture(scope="module")
def sdk_client() -> iota_sdk.Client:
    """An offline SDK client that knows the devnet's protocol parameters."""
    handle = iota_sdk.external.create_client(json.dumps({"protocolParameters": DEVNET.to_json()}))
    return iota_sdk.Client(client_handle=handle)


def _sdk_bytes(d: dict[str, Any]) -> bytes:
    return bytes.fromhex(_call_method("outputHexBytes", {"output": d})[2:])


@pytest.mark.parametrize("index", range(len(FIXTURE_OUTPUTS)))
def test_fixture_outputs_serialize_like_the_sdk(index: int) -> None:
    d = FIXTURE_OUTPUTS[index]
    out = output_from_json(d)
    assert out.to_bytes() == _sdk_bytes(d)
    assert out.to_json() == d


@PROPERTY
@given(outputs(max_tokens=6))
def test_bytes_equal_sdk_output_hex_bytes(out: Output) -> None:
    d = out.to_json()
    assert out.to_bytes() == _sdk_bytes(d)
    assert output_from_bytes(_sdk_bytes(d)) == out


@PROPERTY
@given(
    outputs(max_tokens=3),
    st.builds(RentStructure, st.integers(0, 1000), st.integers(0, 255), st.integers(0, 255)),
)
def test_storage_deposit_equals_sdk(out: Output, rent: RentStructure) -> None:
    expected = int(Utils.compute_storage_deposit(out.to_json(), rent.to_json()))
    assert storage_deposit(out, rent) == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outputs(max_tokens=3))
def test_json_equals_sdk_builder_output(sdk_client: iota_sdk.Client, out: Output) -> None:
    d = out.to_json()
    request = {k: v for k, v in d.items() if k != "type"}
    built = sdk_client._call_method(_BUILDERS[out.KIND], request)
    assert built == d


@pytest.mark.parametrize("params", [IOTA_MAINNET, SHIMMER_MAINNET, SHIMMER_TESTNET, DEVNET])
def test_minimum_basic_deposit_equals_sdk(params: Any) -> None:
    owner = {"type": 0, "address": {"type": 0, "pubKeyHash": "0x" + "ab" * 32}}
    d = {"type": 3, "amount": "1", "unlockConditions": [owner]}
    expected = int(Utils.compute_storage_deposit(d, params.rent_structure.to_json()))
    assert min_deposit_basic(params.rent_structure) == expected


def test_network_ids_equal_sdk() -> None:
    for params in (IOTA_MAINNET, SHIMMER_MAINNET, SHIMMER_TESTNET, DEVNET):
        handle = iota_sdk.external.create_client(json.dumps({"protocolParameters": params.to_json()}))
        assert iota_sdk.Client(client_handle=handle).get_network_id() == params.network_id


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=32, max_size=32), st.integers(0, 127), st.integers(0, 0xFFFF_FFFF))
def test_ids_equal_sdk(tx_id: bytes, index: int, serial: int) -> None:
    oid = output_id(tx_id, index)
    oid_hex = "0x" + oid.hex()
    assert oid_hex == str(Utils.compute_output_id("0x" + tx_id.hex(), index))
    assert "0x" + alias_id_from_output_id(oid).hex() == _call_method("computeAliasId", {"outputId": oid_hex})
    assert "0x" + nft_id_from_output_id(oid).hex() == _call_method("computeNftId", {"outputId": oid_hex})
    alias_hex = "0x" + tx_id.hex()
    assert "0x" + foundry_id(tx_id, serial, 0).hex() == Utils.compute_foundry_id(alias_hex, serial, 0)
