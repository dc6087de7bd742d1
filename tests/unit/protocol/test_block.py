"""Block codec: TIP-24 example, SDK offline vector, JSON shape, parents and milestone rules."""

from __future__ import annotations

from typing import Any

import pytest

from tanglehub.protocol.block import Block
from tanglehub.protocol.errors import DecodeError, InvalidBlockError, JsonShapeError
from tanglehub.protocol.payload import MilestoneEssence, MilestonePayload, TaggedDataPayload
from tanglehub.protocol.unlock import Ed25519Signature

TIP24_HEX = (
    "0202210fc7bb818639ac48a4c6afa2f1581a8b9525e20fda68927f2b2ff836f73578db0fa54c29f7fd928d92ca43f193dee47f5915"
    "49f597a811c8fa67ab031ebd9c180000000500000004494f54410b00000068656c6c6f20776f726c64ce6d000000000000"
)
SDK_BLOCK: dict[str, Any] = {
    "protocolVersion": 2,
    "parents": [
        "0x28dbf8f5005c0de388cbbf23d14645a579fc0cb8278ad9cdc5a4252c7e8f0ed3",
        "0x440dbc33bf05c334c6d49f06514526d7f3e3c758028a2e87636e19f886290900",
        "0xd76cdb7acf228ecdad590a42b91acc077c1518c1a271411229e33e050fc19b44",
        "0xecef38d3af7e63da78a5e70128efe371f2191088b31879f7b0e81da657fa21c6",
    ],
    "payload": {"type": 5, "tag": "0x68656c6c6f", "data": "0x68656c6c6f"},
    "nonce": "6917529027641139843",
}


def test_tip24_example_decodes_and_reencodes() -> None:
    block = Block.from_bytes(bytes.fromhex(TIP24_HEX))
    assert block.payload == TaggedDataPayload(b"IOTA", b"hello world")
    assert block.nonce == 28110
    assert block.to_bytes().hex() == TIP24_HEX
    assert block.block_id().hex() == "1a58801fbea0f94796b125669dc293edce794188ca3514f834e2cfaa79c52cf6"


def test_sdk_offline_block_id() -> None:
    block = Block.from_json(SDK_BLOCK)
    assert "0x" + block.block_id().hex() == "0x7ce5ad074d4162e57f83cfa01cd2303ef5356567027ce0bcee0c9f57bc11656e"
    assert block.to_json() == SDK_BLOCK
    assert block.bytes_without_nonce() == block.to_bytes()[:-8]


def test_no_payload_is_length_zero_and_omitted_in_json() -> None:
    block = Block(2, (b"\x01" * 32,), None, 5)
    assert block.to_bytes() == b"\x02\x01" + b"\x01" * 32 + b"\x00" * 4 + b"\x05" + b"\x00" * 7
    assert block.to_json() == {"protocolVersion": 2, "parents": ["0x" + "01" * 32], "nonce": "5"}
    assert Block.from_json({**block.to_json(), "payload": None}) == block


@pytest.mark.parametrize(
    "parents",
    [(), tuple(bytes([i]) * 32 for i in range(9)), (b"\x02" * 32, b"\x01" * 32), (b"\x01" * 32, b"\x01" * 32)],
)
def test_parents_must_be_1_to_8_strictly_ascending(parents: tuple[bytes, ...]) -> None:
    with pytest.raises(InvalidBlockError, match="parents"):
        Block(2, parents, None, 0)


def test_unsorted_parents_in_bytes_are_rejected() -> None:
    good = Block(2, (b"\x01" * 32, b"\x02" * 32), None, 0).to_bytes()
    swapped = good[:2] + good[34:66] + good[2:34] + good[66:]
    with pytest.raises(InvalidBlockError, match="ascending"):
        Block.from_bytes(swapped)


def test_zero_parent_count_in_bytes() -> None:
    with pytest.raises(DecodeError) as info:
        Block.from_bytes(b"\x02\x00" + b"\x00" * 12)
    assert info.value.offset == 1


def _milestone(parents: tuple[bytes, ...]) -> MilestonePayload:
    essence = MilestoneEssence(1, 2, 2, b"\x00" * 32, parents, b"\x00" * 32, b"\x00" * 32)
    return MilestonePayload(essence, (Ed25519Signature(b"\x01" * 32, b"\x02" * 64),))


def test_milestone_block_rules() -> None:
    parents = (b"\x01" * 32,)
    block = Block(2, parents, _milestone(parents), 0)
    assert Block.from_bytes(block.to_bytes()) == block
    with pytest.raises(InvalidBlockError, match="nonce 0"):
        Block(2, parents, _milestone(parents), 1)
    with pytest.raises(InvalidBlockError, match="parents"):
        Block(2, (b"\x03" * 32,), _milestone(parents), 0)


def test_payload_length_mismatch_is_reported() -> None:
    data = bytearray(Block(2, (b"\x01" * 32,), TaggedDataPayload(b"a", b"b"), 0).to_bytes())
    data[34] += 1  # payload length one too many
    with pytest.raises(DecodeError, match="payload length"):
        Block.from_bytes(bytes(data))


def test_oversized_block_is_rejected_before_parsing() -> None:
    with pytest.raises(DecodeError, match="at most 32768"):
        Block.from_bytes(b"\x02" * 32769)


def test_bad_json_names_field() -> None:
    with pytest.raises(JsonShapeError) as info:
        Block.from_json({**SDK_BLOCK, "nonce": "0x12"})
    assert info.value.path == "nonce"
    with pytest.raises(JsonShapeError) as info:
        Block.from_json({**SDK_BLOCK, "parents": ["0x12"]})
    assert info.value.path == "parents[0]"
    with pytest.raises(JsonShapeError) as info:
        Block.from_json({**SDK_BLOCK, "payload": {"type": 5, "tag": 3}})
    assert info.value.path == "payload.tag"
    with pytest.raises(JsonShapeError, match="missing field 'protocolVersion'"):
        Block.from_json({"parents": []})
