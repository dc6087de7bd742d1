"""Addresses: binary, JSON and bech32 forms, golden vectors from TIP-31 and iota-sdk."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.reference import VECTORS

from tanglehub.errors import KeysError
from tanglehub.protocol.address import (
    AliasAddress,
    Ed25519Address,
    NftAddress,
    address_from_bech32,
    address_from_bytes,
    address_from_json,
)
from tanglehub.protocol.errors import DecodeError, JsonShapeError
from tanglehub.protocol.validation_errors import InvalidAddressError

EXTRACTED: dict[str, Any] = json.loads((VECTORS / "extracted_vectors.json").read_text())


@pytest.mark.parametrize("vector", EXTRACTED["bech32"]["vectors"], ids=lambda v: v["bech32"][:12])
def test_bech32_vectors(vector: dict[str, Any]) -> None:
    raw = bytes.fromhex(vector["serialized_address_hex"])
    address = address_from_bytes(raw)
    assert address.to_bytes() == raw
    assert address.to_bech32(vector["hrp"]) == vector["bech32"]
    assert address_from_bech32(vector["bech32"], vector["hrp"]) == address


@pytest.mark.parametrize("vector", EXTRACTED["ed25519_address_from_public_key"]["vectors"], ids=lambda v: v["hrp"])
def test_address_from_public_key(vector: dict[str, Any]) -> None:
    address = Ed25519Address.from_public_key(bytes.fromhex(vector["public_key"]))
    assert address.pub_key_hash.hex() == vector["pubkey_hash"]
    assert address.to_bech32(vector["hrp"]) == vector["bech32"]


def test_json_shapes() -> None:
    body = bytes(range(32))
    assert Ed25519Address(body).to_json() == {"type": 0, "pubKeyHash": "0x" + body.hex()}
    assert AliasAddress(body).to_json() == {"type": 8, "aliasId": "0x" + body.hex()}
    assert NftAddress(body).to_json() == {"type": 16, "nftId": "0x" + body.hex()}
    for cls in (Ed25519Address, AliasAddress, NftAddress):
        address = cls(body)
        assert address_from_json(address.to_json()) == address
        assert len(address.to_bytes()) == 33


def test_json_errors_name_the_field() -> None:
    with pytest.raises(JsonShapeError, match=r"out\.address\.type: unknown address type 1"):
        address_from_json({"type": 1, "pubKeyHash": "0x00"}, "out.address")
    with pytest.raises(JsonShapeError, match=r"a\.aliasId: expected 32 bytes"):
        address_from_json({"type": 8, "aliasId": "0x00"}, "a")
    with pytest.raises(JsonShapeError, match="missing field 'nftId'"):
        address_from_json({"type": 16, "pubKeyHash": "0x" + "00" * 32})


def test_binary_errors() -> None:
    with pytest.raises(DecodeError, match="unknown address kind 1"):
        address_from_bytes(bytes(33)[:0] + b"\x01" + bytes(32))
    for cut in range(33):
        with pytest.raises(DecodeError):
            address_from_bytes(bytes(33)[:cut])
    with pytest.raises(DecodeError, match="trailing"):
        address_from_bytes(bytes(34))


def test_wrong_body_length_is_rejected() -> None:
    with pytest.raises(InvalidAddressError, match="32 bytes"):
        Ed25519Address(bytes(31))
    with pytest.raises(InvalidAddressError, match="public key"):
        Ed25519Address.from_public_key(bytes(33))


def test_bech32_with_wrong_network_is_rejected() -> None:
    text = Ed25519Address(bytes(32)).to_bech32("smr")
    with pytest.raises(KeysError):
        address_from_bech32(text, "iota")


def test_addresses_of_different_kinds_with_equal_bodies_differ() -> None:
    assert AliasAddress(bytes(32)) != NftAddress(bytes(32))
    assert len({Ed25519Address(bytes(32)), AliasAddress(bytes(32)), NftAddress(bytes(32))}) == 3
