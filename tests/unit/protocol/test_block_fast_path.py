"""The short decoding path for transaction blocks (``Block.from_bytes`` of the common shapes) gives exactly what
the general reader gives: the same value, bytes, ids and cached bytes for every valid block, and for every
malformed one the same error (class, message and offset), because the short path never decides an input is
invalid: it hands anything it does not take to the general reader."""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies.transactions import blocks, common_transaction_blocks

from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.block import Block, _transaction_block_fast
from tanglehub.protocol.codec import Reader
from tanglehub.protocol.errors import DecodeError, InvalidTransactionError
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput, TagFeature, output_from_json
from tanglehub.protocol.params import DEVNET
from tanglehub.protocol.payload import (
    TaggedDataPayload,
    TransactionEssence,
    TransactionPayload,
    payload_from_bytes,
)
from tanglehub.protocol.syntax import validate_block
from tanglehub.protocol.unlock import (
    Ed25519Signature,
    ReferenceUnlock,
    SignatureUnlock,
    Unlock,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def general_from_bytes(data: bytes) -> Block:
    """The general reader alone (what ``Block.from_bytes`` did for every block before the short path)."""
    if len(data) > 32768:
        raise DecodeError(f"a block is at most 32768 bytes, got {len(data)}", 32768)
    r = Reader(data)
    block = Block.read_from(r)
    r.expect_end("block")
    object.__setattr__(block, "_cached_bytes", r.since(0))
    return block


def outcome(decode: Callable[[bytes], Block], data: bytes) -> tuple[str, Any]:
    """What decoding ``data`` gives: the value, or the error's class, message and offset."""
    try:
        return "ok", decode(data)
    except Exception as exc:
        return "error", (type(exc), str(exc), getattr(exc, "offset", None))


def assert_same_as_general(data: bytes) -> Block | None:
    """Both paths give the same value (and bytes, ids, cached bytes) or the same error; the value or None."""
    fast, general = outcome(Block.from_bytes, data), outcome(general_from_bytes, data)
    assert fast[0] == general[0], (fast, general)
    if fast[0] == "error":
        assert fast[1] == general[1]
        return None
    ours, theirs = fast[1], general[1]
    assert ours == theirs
    assert hash(ours) == hash(theirs)
    assert ours.to_bytes() == theirs.to_bytes() == data
    assert ours.block_id() == theirs.block_id()
    if isinstance(ours.payload, TransactionPayload):
        assert isinstance(theirs.payload, TransactionPayload)
        assert ours.payload.to_bytes() == theirs.payload.to_bytes()
        assert ours.payload.transaction_id() == theirs.payload.transaction_id()
        assert ours.payload.essence.hash() == theirs.payload.essence.hash()
        for a, b in zip(ours.payload.essence.outputs, theirs.payload.essence.outputs, strict=True):
            assert a.to_bytes() == b.to_bytes() == output_from_json(b.to_json()).to_bytes()
    # the decoded value encodes to the same bytes when built again from scratch (no cached part)
    assert Block.from_json(ours.to_json()).to_bytes() == data
    assert isinstance(ours, Block)
    return ours


# -- valid blocks -------------------------------------------------------------------------------------------


@SETTINGS
@given(block=common_transaction_blocks())
def test_common_blocks_decode_through_the_short_path_to_the_general_readers_value(block: Block) -> None:
    """Plain Basic outputs and signature/reference unlocks (now and then other outputs, tagged data and
    alias/NFT unlocks, which the short path reads with the general reader's own functions)."""
    data = Block.from_json(block.to_json()).to_bytes()
    if isinstance(block.payload, TransactionPayload):
        assert _transaction_block_fast(data) == block
    assert assert_same_as_general(data) == block


@SETTINGS
@given(block=blocks())
def test_any_block_decodes_to_the_general_readers_value(block: Block) -> None:
    assert_same_as_general(Block.from_json(block.to_json()).to_bytes())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block=common_transaction_blocks(max_inputs=6, max_outputs=6), data=st.data())
def test_corrupted_common_blocks_fail_or_decode_as_in_the_general_reader(
    block: Block, data: st.DataObject
) -> None:
    raw = bytearray(block.to_bytes())
    for _ in range(data.draw(st.integers(1, 3))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(
            st.one_of(st.integers(0, 255), st.sampled_from([0, 1, 2, 3, 4, 6, 0x7F, 0x80, 0xFF]))
        )
    assert_same_as_general(bytes(raw))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block=common_transaction_blocks(max_inputs=4, max_outputs=4), data=st.data())
def test_truncated_or_extended_common_blocks_fail_as_in_the_general_reader(
    block: Block, data: st.DataObject
) -> None:
    raw = block.to_bytes()
    cut = data.draw(st.integers(0, len(raw) - 1))
    assert assert_same_as_general(raw[:cut]) is None
    extra = data.draw(st.binary(min_size=1, max_size=8))
    assert assert_same_as_general(raw + extra) is None


# -- malformed transaction blocks, field by field ------------------------------------------------------------

PK = bytes(range(32))
PARENTS = (b"\x01" * 32, b"\x02" * 32)


def _plain(amount: int, key: int = 7) -> bytes:
    return BasicOutput(amount, (AddressUnlockCondition(Ed25519Address(bytes([key]) * 32)),)).to_bytes()


def _sig(n: int) -> bytes:
    return SignatureUnlock(Ed25519Signature(PK, bytes([n]) * 64)).to_bytes()


def _ref(kind: int, reference: int) -> bytes:
    return bytes([kind]) + reference.to_bytes(2, "little")


@dataclass
class Parts:
    """The fields of a transaction block, each free to be wrong."""

    version: int = 2
    parents: tuple[bytes, ...] = PARENTS
    payload_kind: int = 6
    essence_kind: int = 1
    network_id: int = 42
    inputs: tuple[tuple[int, bytes, int], ...] = ((0, b"\x0a" * 32, 0), (0, b"\x0b" * 32, 1))
    commitment: bytes = b"\x09" * 32
    outputs: tuple[bytes, ...] = (_plain(1_000_000), _plain(2_000_000, 8))
    essence_payload: bytes = b""
    unlocks: tuple[bytes, ...] = (_sig(1), _ref(1, 0))
    parent_count: int | None = None
    input_count: int | None = None
    output_count: int | None = None
    unlock_count: int | None = None
    length_delta: int = 0
    essence_payload_delta: int = 0
    nonce: int = 12345

    def to_bytes(self) -> bytes:
        essence = bytes([self.essence_kind]) + struct.pack(
            "<QH", self.network_id, _n(self.input_count, self.inputs)
        )
        essence += b"".join(bytes([k]) + t + struct.pack("<H", i) for k, t, i in self.inputs)
        essence += self.commitment + struct.pack("<H", _n(self.output_count, self.outputs))
        essence += b"".join(self.outputs)
        essence += struct.pack("<I", len(self.essence_payload) + self.essence_payload_delta) + self.essence_payload
        tx = struct.pack("<I", self.payload_kind) + essence
        tx += struct.pack("<H", _n(self.unlock_count, self.unlocks)) + b"".join(self.unlocks)
        head = bytes([self.version, _n(self.parent_count, self.parents)]) + b"".join(self.parents)
        return head + struct.pack("<I", len(tx) + self.length_delta) + tx + struct.pack("<Q", self.nonce)


def _n(count: int | None, items: tuple[Any, ...]) -> int:
    return len(items) if count is None else count


def _plain_ucs() -> tuple[AddressUnlockCondition]:
    return (AddressUnlockCondition(Ed25519Address(b"\x05" * 32)),)


VALID = Parts()
INPUT_A, INPUT_B = VALID.inputs
SIX_SIGS = tuple(_sig(i) for i in range(6))
MANY_INPUTS = tuple((0, bytes([i]) * 32, 0) for i in range(129))

BAD: dict[str, Parts] = {
    "no parents": Parts(parents=(), parent_count=0),
    "nine parents": Parts(parents=tuple(bytes([i]) * 32 for i in range(9))),
    "unsorted parents": Parts(parents=(b"\x02" * 32, b"\x01" * 32)),
    "duplicate parents": Parts(parents=(b"\x01" * 32, b"\x01" * 32)),
    "parent count beyond the data": Parts(parent_count=3),
    "payload length too long": Parts(length_delta=1),
    "payload length too short": Parts(length_delta=-1),
    "payload length huge": Parts(length_delta=40_000),
    "milestone payload type": Parts(payload_kind=7),
    "unknown payload type": Parts(payload_kind=9),
    "essence type 2": Parts(essence_kind=2),
    "no inputs": Parts(inputs=(), unlocks=()),
    "129 inputs": Parts(inputs=MANY_INPUTS, unlocks=(_sig(0), *(_ref(1, 0) for _ in range(128)))),
    "input count says more": Parts(input_count=3),
    "input count says fewer": Parts(input_count=1),
    "input type 1": Parts(inputs=((1, INPUT_A[1], 0), INPUT_B)),
    "output index 128": Parts(inputs=((0, INPUT_A[1], 128), INPUT_B)),
    "output index 65535": Parts(inputs=((0, INPUT_A[1], 0xFFFF), INPUT_B)),
    "duplicate inputs": Parts(inputs=(INPUT_A, INPUT_A)),
    "same transaction, same index": Parts(inputs=((0, b"\x0a" * 32, 3), (0, b"\x0a" * 32, 3))),
    "no outputs": Parts(outputs=()),
    "129 outputs": Parts(outputs=tuple(_plain(1) for _ in range(129))),
    "output count says more": Parts(output_count=3),
    "output count says fewer": Parts(output_count=1),
    "output type 2": Parts(outputs=(b"\x02" + _plain(5)[1:], _plain(5))),
    "output type 9": Parts(outputs=(b"\x09" + _plain(5)[1:], _plain(5))),
    "amount zero": Parts(outputs=(_plain(5)[:1] + bytes(8) + _plain(5)[9:], _plain(5))),
    "native token count 65": Parts(outputs=(_plain(5)[:9] + b"\x41" + _plain(5)[10:], _plain(5))),
    "no unlock condition": Parts(outputs=(_plain(5)[:10] + b"\x00" + _plain(5)[11:], _plain(5))),
    "five unlock conditions": Parts(outputs=(_plain(5)[:10] + b"\x05" + _plain(5)[11:], _plain(5))),
    "timelock unlock condition only": Parts(outputs=(_plain(5)[:11] + b"\x02" + _plain(5)[12:], _plain(5))),
    "unknown address kind": Parts(outputs=(_plain(5)[:12] + b"\x01" + _plain(5)[13:], _plain(5))),
    "feature count 1, no feature": Parts(outputs=(_plain(5)[:45] + b"\x01", _plain(5))),
    "feature count 4": Parts(outputs=(_plain(5)[:45] + b"\x04", _plain(5))),
    "essence payload length without payload": Parts(essence_payload_delta=4),
    "essence payload of type 6": Parts(essence_payload=struct.pack("<I", 6) + bytes(10)),
    "essence payload length mismatch": Parts(
        essence_payload=TaggedDataPayload(b"t", b"d").to_bytes(), essence_payload_delta=-1
    ),
    "unlock count says more": Parts(unlock_count=3),
    "unlock count says fewer": Parts(unlock_count=1),
    "unknown unlock type": Parts(unlocks=(_sig(1), _ref(4, 0))),
    "signature type 1": Parts(unlocks=(b"\x00\x01" + _sig(1)[2:], _ref(1, 0))),
    "duplicate signatures": Parts(unlocks=(_sig(1), _sig(1))),
    "reference to itself": Parts(unlocks=(_sig(1), _ref(1, 1))),
    "reference forward": Parts(unlocks=(_ref(1, 1), _sig(1))),
    "reference 128": Parts(unlocks=(_sig(1), _ref(1, 128))),
    "reference 65535": Parts(unlocks=(_sig(1), _ref(1, 0xFFFF))),
    "reference to a reference": Parts(
        inputs=(INPUT_A, INPUT_B, (0, b"\x0c" * 32, 0)), unlocks=(_sig(1), _ref(1, 0), _ref(1, 1))
    ),
    "alias unlock to itself": Parts(unlocks=(_sig(1), _ref(2, 1))),
    "NFT unlock forward": Parts(unlocks=(_sig(1), _ref(3, 2))),
    "first unlock a reference": Parts(unlocks=(_ref(1, 0), _sig(1))),
    "truncated signature": Parts(unlocks=(_sig(1), _sig(2)[:60])),
    "trailing byte inside the payload": Parts(unlocks=(_sig(1), _ref(1, 0) + b"\x00")),
}


def test_the_valid_parts_decode_through_the_short_path() -> None:
    data = VALID.to_bytes()
    assert _transaction_block_fast(data) is not None
    assert assert_same_as_general(data) is not None


@pytest.mark.parametrize("name", list(BAD))
def test_a_malformed_transaction_block_fails_as_in_the_general_reader(name: str) -> None:
    data = BAD[name].to_bytes()
    assert _transaction_block_fast(data) is None
    assert assert_same_as_general(data) is None


def test_every_truncation_and_extension_of_the_valid_parts_fails_as_in_the_general_reader() -> None:
    data = VALID.to_bytes()
    for cut in range(len(data)):
        assert assert_same_as_general(data[:cut]) is None
    for extra in (b"\x00", b"\xff" * 8, bytes(64)):
        assert assert_same_as_general(data + extra) is None


@pytest.mark.parametrize(
    "parts",
    [
        Parts(version=0),
        Parts(version=255, network_id=2**64 - 1, nonce=2**64 - 1),
        Parts(parents=tuple(bytes([i]) * 32 for i in range(8))),
        Parts(outputs=(_plain(2**64 - 1),)),
        Parts(outputs=tuple(_plain(i + 1, i) for i in range(128))),
        Parts(inputs=tuple((0, bytes([i]) * 32, i) for i in range(128)), unlocks=(_sig(0),) + (_ref(1, 0),) * 127),
        Parts(unlocks=(_sig(1), _sig(2))),
        Parts(unlocks=(_sig(1), _ref(2, 0))),
        Parts(unlocks=(_sig(1), _ref(3, 0))),
        Parts(essence_payload=TaggedDataPayload(b"tag", b"data").to_bytes()),
        Parts(essence_payload=TaggedDataPayload().to_bytes()),
        Parts(outputs=(_plain(5)[:12] + b"\x08" + _plain(5)[13:], _plain(5))),  # owned by an alias address
        Parts(outputs=(_plain(5), BasicOutput(5, _plain_ucs(), features=(TagFeature(b"t"),)).to_bytes())),
    ],
)
def test_valid_edge_blocks_decode_through_the_short_path(parts: Parts) -> None:
    data = parts.to_bytes()
    assert _transaction_block_fast(data) is not None
    assert assert_same_as_general(data) is not None


def test_amounts_over_the_supply_decode_and_then_fail_validation_the_same_way() -> None:
    data = Parts(outputs=(_plain(DEVNET.token_supply), _plain(1))).to_bytes()
    errors = []
    for decode in (Block.from_bytes, general_from_bytes):
        block = decode(data)
        with pytest.raises(InvalidTransactionError) as info:
            validate_block(block, DEVNET)
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    single = Parts(outputs=(_plain(DEVNET.token_supply + 1),), version=DEVNET.version).to_bytes()
    messages = []
    for decode in (Block.from_bytes, general_from_bytes):
        with pytest.raises(Exception) as caught:  # noqa: PT011 - compared below
            validate_block(decode(single), DEVNET)
        messages.append((type(caught.value), str(caught.value)))
    assert messages[0] == messages[1]


def test_a_bytearray_or_memoryview_decodes_like_bytes() -> None:
    data = VALID.to_bytes()
    assert Block.from_bytes(bytearray(data)) == Block.from_bytes(memoryview(data)) == Block.from_bytes(data)
    assert type(Block.from_bytes(bytearray(data)).to_bytes()) is bytes


def test_decoded_values_are_frozen_and_hashable() -> None:
    block = Block.from_bytes(VALID.to_bytes())
    assert isinstance(block.payload, TransactionPayload)
    essence = block.payload.essence
    assert isinstance(essence, TransactionEssence)
    assert all(type(i) is UtxoInput for i in essence.inputs)
    assert hash(block) == hash(general_from_bytes(VALID.to_bytes()))
    for value in (block, essence, essence.inputs[0], essence.outputs[0], block.payload.unlocks[0]):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, dataclasses.fields(value)[0].name, 1)
    unlocks: tuple[Unlock, ...] = block.payload.unlocks
    assert unlocks == (SignatureUnlock(Ed25519Signature(PK, b"\x01" * 64)), ReferenceUnlock(0))
    assert payload_from_bytes(block.payload.to_bytes()) == block.payload
