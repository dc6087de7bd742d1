"""Review fixes: JSON numbers and hex that used to slip through or escape as ValueError, constructors that
took booleans or wrong types (and failed later with TypeError), and bytearray fields that made values
unhashable. Each case failed before the fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tanglehub.errors import TanglehubError
from tanglehub.protocol.address import Ed25519Address, address_from_json
from tanglehub.protocol.block import Block
from tanglehub.protocol.errors import (
    InvalidBlockError,
    InvalidInputError,
    InvalidTransactionError,
    InvalidUnlockError,
    JsonShapeError,
)
from tanglehub.protocol.ids import foundry_id, network_id, output_id, split_output_id
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.jsonutil import hex_to_bytes, int_from_dec, int_from_hex_u256
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput, MetadataFeature, output_from_json
from tanglehub.protocol.payload import TaggedDataPayload, TransactionEssence
from tanglehub.protocol.token_scheme import SimpleTokenScheme
from tanglehub.protocol.unlock import Ed25519Signature, ReferenceUnlock, SignatureUnlock
from tanglehub.protocol.validation_errors import InvalidIdentifierError

TX_ID = bytes(range(32))
PARENT = b"\x01" * 32
OWNER = Ed25519Address(b"\x02" * 32)
BASIC = BasicOutput(100_000, (AddressUnlockCondition(OWNER),))


def test_decimal_with_thousands_of_digits_is_out_of_range_not_value_error() -> None:
    # int() refuses strings over 4300 digits with a bare ValueError.
    with pytest.raises(JsonShapeError, match="out of range"):
        int_from_dec("9" * 5000, "amount")
    block = {"protocolVersion": 2, "parents": ["0x" + PARENT.hex()], "nonce": "1" * 5000}
    with pytest.raises(JsonShapeError, match="nonce"):
        Block.from_json(block)
    output = {**BASIC.to_json(), "amount": "7" * 4301}
    with pytest.raises(JsonShapeError, match="amount"):
        output_from_json(output)


def test_decimal_leading_zeros_still_parse() -> None:
    assert int_from_dec("0" * 30 + "42", "amount") == 42
    assert int_from_dec(str(2**64 - 1), "amount") == 2**64 - 1
    with pytest.raises(JsonShapeError, match="out of range"):
        int_from_dec(str(2**64), "amount")


@pytest.mark.parametrize("text", ["0x-1", "0x+5", "0x 5", "0x5 ", "0x1_0", "0x0x10", "0x5\n"])
def test_uint256_hex_accepts_only_hex_digits(text: str) -> None:
    with pytest.raises(JsonShapeError, match="not a hex number"):
        int_from_hex_u256(text, "amount")
    scheme = {"type": 0, "mintedTokens": "0x5", "meltedTokens": "0x0", "maximumSupply": text}
    with pytest.raises(JsonShapeError, match="maximumSupply"):
        SimpleTokenScheme.from_json(scheme)


def test_uint256_hex_still_accepts_node_forms() -> None:
    assert int_from_hex_u256("0x0", "a") == 0
    assert int_from_hex_u256("0x64", "a") == 100
    assert int_from_hex_u256("0X00FF", "a") == 255
    assert int_from_hex_u256("0x" + "f" * 64, "a") == 2**256 - 1


@pytest.mark.parametrize("text", ["0x00 11", "0x0011\n", "0x 0011", "0x00\t11"])
def test_hex_bytes_reject_whitespace(text: str) -> None:
    with pytest.raises(JsonShapeError, match="not valid hex"):
        hex_to_bytes(text, "data")
    spaced = "0x" + " ".join(["00"] * 32)
    with pytest.raises(JsonShapeError, match="pubKeyHash"):
        address_from_json({"type": 0, "pubKeyHash": spaced})


BAD_CALLS: list[tuple[str, Callable[[], object], type[TanglehubError]]] = [
    ("input index bool", lambda: UtxoInput(TX_ID, True), InvalidInputError),
    ("input id None", lambda: UtxoInput(None, 0), InvalidInputError),  # type: ignore[arg-type]
    ("input id text", lambda: UtxoInput("a" * 32, 0), InvalidInputError),  # type: ignore[arg-type]
    ("input from None", lambda: UtxoInput.from_output_id(None), InvalidInputError),  # type: ignore[arg-type]
    ("reference bool", lambda: ReferenceUnlock(True), InvalidUnlockError),
    ("reference text", lambda: ReferenceUnlock("1"), InvalidUnlockError),  # type: ignore[arg-type]
    ("signature None", lambda: Ed25519Signature(None, bytes(64)), InvalidUnlockError),  # type: ignore[arg-type]
    ("signature text", lambda: Ed25519Signature("a" * 32, "b" * 64), InvalidUnlockError),  # type: ignore[arg-type]
    ("unlock of bytes", lambda: SignatureUnlock(bytes(97)), InvalidUnlockError),  # type: ignore[arg-type]
    ("tag text", lambda: TaggedDataPayload("abc", b""), TanglehubError),  # type: ignore[arg-type]
    ("tag None", lambda: TaggedDataPayload(None, b""), TanglehubError),  # type: ignore[arg-type]
    ("output id bool index", lambda: output_id(TX_ID, True), InvalidIdentifierError),
    ("output id text index", lambda: output_id(TX_ID, "1"), InvalidIdentifierError),  # type: ignore[arg-type]
    ("output id None", lambda: output_id(None, 1), InvalidIdentifierError),  # type: ignore[arg-type]
    ("split None", lambda: split_output_id(None), InvalidIdentifierError),  # type: ignore[arg-type]
    ("network id of int", lambda: network_id(5), InvalidIdentifierError),  # type: ignore[arg-type]
    ("foundry serial float", lambda: foundry_id(TX_ID, 1.5), InvalidIdentifierError),  # type: ignore[arg-type]
    ("address from None", lambda: Ed25519Address.from_public_key(None), TanglehubError),  # type: ignore[arg-type]
    ("block version bool", lambda: Block(True, (PARENT,), None, 0), InvalidBlockError),
    ("block nonce text", lambda: Block(2, (PARENT,), None, "0"), InvalidBlockError),  # type: ignore[arg-type]
    ("block parent text", lambda: Block(2, ("a" * 32,), None, 0), InvalidBlockError),  # type: ignore[arg-type]
    ("block carrying an output", lambda: Block(2, (PARENT,), BASIC, 0), InvalidBlockError),  # type: ignore[arg-type]
    (
        "essence network id bool",
        lambda: TransactionEssence(True, (UtxoInput(TX_ID, 0),), bytes(32), (BASIC,)),
        InvalidTransactionError,
    ),
    (
        "essence output not an output",
        lambda: TransactionEssence(1, (UtxoInput(TX_ID, 0),), bytes(32), (BASIC.to_json(),)),  # type: ignore[arg-type]
        InvalidTransactionError,
    ),
    (
        "essence input not an input",
        lambda: TransactionEssence(1, (TX_ID,), bytes(32), (BASIC,)),  # type: ignore[arg-type]
        InvalidTransactionError,
    ),
]


@pytest.mark.parametrize(("label", "call", "error"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_constructors_reject_wrong_types_with_protocol_errors(
    label: str, call: Callable[[], object], error: type[TanglehubError]
) -> None:
    with pytest.raises(error):
        call()


def test_bytearray_fields_become_bytes_so_values_stay_hashable() -> None:
    values: list[tuple[Any, Any]] = [
        (Ed25519Address(bytearray(32)), Ed25519Address(bytes(32))),
        (MetadataFeature(bytearray(b"meta")), MetadataFeature(b"meta")),
        (TaggedDataPayload(bytearray(b"t"), memoryview(b"d")), TaggedDataPayload(b"t", b"d")),
        (UtxoInput(bytearray(TX_ID), 1), UtxoInput(TX_ID, 1)),
        (Ed25519Signature(bytearray(32), bytearray(64)), Ed25519Signature(bytes(32), bytes(64))),
    ]
    for loose, exact in values:
        assert loose == exact
        assert hash(loose) == hash(exact)
        assert loose.to_bytes() == exact.to_bytes()


def test_block_parents_given_as_a_list_become_a_tuple() -> None:
    block = Block(2, [PARENT], None, 0)  # type: ignore[arg-type]
    assert block.parents == (PARENT,)
    assert hash(block) == hash(Block(2, (PARENT,), None, 0))
