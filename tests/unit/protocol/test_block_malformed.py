"""Malformed bytes: every truncation of a real block is a DecodeError with an offset; trailing bytes fail."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.reference import VECTORS

from tanglehub.errors import TanglehubError
from tanglehub.protocol.block import Block
from tanglehub.protocol.errors import DecodeError

BLOCKS = json.loads((VECTORS / "iota-sdk/python_test_block_dicts.json").read_text())


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_every_truncation_is_a_decode_error_with_offset(index: int) -> None:
    data = Block.from_json(BLOCKS[index]).to_bytes()
    for cut in range(len(data)):
        with pytest.raises(DecodeError) as info:
            Block.from_bytes(data[:cut])
        assert info.value.offset is not None
        assert 0 <= info.value.offset <= cut


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_trailing_bytes_are_rejected(index: int) -> None:
    data = Block.from_json(BLOCKS[index]).to_bytes()
    with pytest.raises(DecodeError, match="trailing") as info:
        Block.from_bytes(data + b"\x00")
    assert info.value.offset == len(data)


def test_single_byte_corruptions_never_escape_as_builtin_errors() -> None:
    data = Block.from_json(BLOCKS[1]).to_bytes()
    for at in range(0, len(data), 7):
        for value in (0x00, 0xFF, 0x80):
            corrupted = data[:at] + bytes([value]) + data[at + 1 :]
            with contextlib.suppress(TanglehubError):
                Block.from_bytes(corrupted)


@settings(max_examples=400, deadline=None)
@given(
    index=st.integers(0, len(BLOCKS) - 1),
    edits=st.lists(st.tuples(st.integers(0, 2**16), st.integers(0, 255)), min_size=1, max_size=4),
)
def test_random_corruption_raises_only_tanglehub_errors(index: int, edits: list[tuple[int, int]]) -> None:
    data = bytearray(Block.from_json(BLOCKS[index]).to_bytes())
    for at, value in edits:
        data[at % len(data)] = value
    with contextlib.suppress(TanglehubError):
        Block.from_bytes(bytes(data))


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=600))
def test_random_bytes_raise_only_tanglehub_errors(data: bytes) -> None:
    with contextlib.suppress(TanglehubError):
        Block.from_bytes(b"\x02\x01" + bytes(32) + data)
