"""UTXO input: binary layout, output ids, JSON shape and the errors a user sees."""

from __future__ import annotations

import pytest

from tanglehub.protocol.errors import DecodeError, InvalidInputError, JsonShapeError
from tanglehub.protocol.input import UtxoInput

TX = bytes(range(32))


def test_binary_layout_is_type_txid_le_index() -> None:
    inp = UtxoInput(TX, 5)
    assert inp.to_bytes() == b"\x00" + TX + b"\x05\x00"
    assert UtxoInput.from_bytes(inp.to_bytes()) == inp


def test_output_id_round_trip() -> None:
    inp = UtxoInput(TX, 127)
    assert inp.output_id == TX + b"\x7f\x00"
    assert UtxoInput.from_output_id(inp.output_id) == inp


def test_json_shape_matches_node() -> None:
    inp = UtxoInput(TX, 3)
    assert inp.to_json() == {"type": 0, "transactionId": "0x" + TX.hex(), "transactionOutputIndex": 3}
    assert UtxoInput.from_json(inp.to_json()) == inp


@pytest.mark.parametrize("index", [-1, 128, 65535])
def test_output_index_out_of_range_is_rejected(index: int) -> None:
    with pytest.raises(InvalidInputError, match="output index"):
        UtxoInput(TX, index)


def test_decoding_index_128_is_a_decode_error_with_offset() -> None:
    with pytest.raises(DecodeError) as info:
        UtxoInput.from_bytes(b"\x00" + TX + b"\x80\x00")
    assert info.value.offset == 33


def test_unknown_input_type_is_rejected() -> None:
    with pytest.raises(DecodeError, match="unknown input type 1"):
        UtxoInput.from_bytes(b"\x01" + TX + b"\x00\x00")


def test_wrong_output_id_length() -> None:
    with pytest.raises(InvalidInputError, match="34 bytes"):
        UtxoInput.from_output_id(TX)


def test_bad_json_names_the_field() -> None:
    with pytest.raises(JsonShapeError) as info:
        UtxoInput.from_json({"type": 0, "transactionId": "0x00", "transactionOutputIndex": 0}, "inputs[1]")
    assert info.value.path == "inputs[1].transactionId"
    with pytest.raises(JsonShapeError) as info:
        UtxoInput.from_json({"type": 0, "transactionId": "0x" + TX.hex()}, "inputs[0]")
    assert "transactionOutputIndex" in str(info.value)
