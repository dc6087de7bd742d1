"""Cached serialization: blocks, payloads, essences and outputs keep their bytes after the first encode or
after decoding. The cache must never change what a value is: equality, hashing and repr ignore it, and
the bytes a decoded value reports are the bytes a freshly built equal value encodes to (the binary
encoding is canonical), even for corrupted inputs that still happen to decode."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import pickle

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.reference import VECTORS
from tests.strategies.transactions import blocks

from tanglehub.errors import TanglehubError
from tanglehub.protocol.block import Block
from tanglehub.protocol.output import output_from_bytes, output_from_json
from tanglehub.protocol.payload import TransactionPayload

_SDK_JSON = json.loads((VECTORS / "iota-sdk/python_test_block_dicts.json").read_text())
SDK_BLOCKS = [Block.from_json(b) for b in _SDK_JSON]


def _fresh(block: Block) -> bytes:
    """The bytes of an equal block built from scratch (JSON round trip: no cached part)."""
    return Block.from_json(block.to_json()).to_bytes()


@settings(max_examples=150, deadline=None)
@given(blocks())
def test_decoded_blocks_report_the_canonical_bytes_and_ids(block: Block) -> None:
    data = _fresh(block)
    decoded = Block.from_bytes(data)
    assert decoded == block
    assert hash(decoded) == hash(block)
    assert decoded.to_bytes() == data
    assert decoded.block_id() == block.block_id()
    if isinstance(decoded.payload, TransactionPayload):
        assert isinstance(block.payload, TransactionPayload)
        assert decoded.payload.transaction_id() == block.payload.transaction_id()
        assert decoded.payload.essence.hash() == block.payload.essence.hash()
        for ours, theirs in zip(decoded.payload.essence.outputs, block.payload.essence.outputs, strict=True):
            assert ours.to_bytes() == theirs.to_bytes() == output_from_json(theirs.to_json()).to_bytes()


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SDK_BLOCKS), st.data())
def test_corrupted_bytes_that_still_decode_are_canonical(block: Block, data: st.DataObject) -> None:
    raw = bytearray(block.to_bytes())
    for _ in range(data.draw(st.integers(1, 3))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    decoded = None
    with contextlib.suppress(TanglehubError):
        decoded = Block.from_bytes(bytes(raw))
    if decoded is not None:
        assert _fresh(decoded) == bytes(raw)


def test_the_cache_is_not_part_of_equality_hash_or_repr() -> None:
    block = SDK_BLOCKS[1]
    fresh = Block.from_json(block.to_json())
    assert not hasattr(fresh, "_cached_bytes")
    block.to_bytes()
    assert fresh == block
    assert hash(fresh) == hash(block)
    assert "cached" not in repr(block)
    assert dataclasses.replace(block, nonce=block.nonce + 1).to_bytes()[-8:] != block.to_bytes()[-8:]
    assert pickle.loads(pickle.dumps(block)) == block
    assert pickle.loads(pickle.dumps(block)).to_bytes() == block.to_bytes()


def test_an_output_decoded_alone_keeps_its_bytes() -> None:
    payload = SDK_BLOCKS[1].payload
    assert isinstance(payload, TransactionPayload)
    output = payload.essence.outputs[0]
    data = output_from_json(output.to_json()).to_bytes()
    assert output_from_bytes(data).to_bytes() == data
