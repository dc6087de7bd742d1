"""Bad JSON never escapes as a builtin error: replacing any field of a real block raises a TanglehubError."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.reference import VECTORS

from tanglehub.errors import TanglehubError
from tanglehub.protocol.block import Block

BLOCKS = json.loads((VECTORS / "iota-sdk/python_test_block_dicts.json").read_text())


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


PATHS = [(i, p) for i, b in enumerate(BLOCKS) for p in _paths(b) if p]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=5,
)


@settings(max_examples=400, deadline=None)
@given(target=st.sampled_from(PATHS), value=json_values)
def test_replacing_any_field_raises_only_tanglehub_errors(target: tuple[int, tuple[Any, ...]], value: Any) -> None:
    index, path = target
    doc = copy.deepcopy(BLOCKS[index])
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with contextlib.suppress(TanglehubError):
        Block.from_json(doc)


@settings(max_examples=200, deadline=None)
@given(target=st.sampled_from([(i, p) for i, p in PATHS if isinstance(p[-1], str)]))
def test_removing_any_field_raises_only_tanglehub_errors(target: tuple[int, tuple[Any, ...]]) -> None:
    index, path = target
    doc = copy.deepcopy(BLOCKS[index])
    node = doc
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    with contextlib.suppress(TanglehubError):
        Block.from_json(doc)
