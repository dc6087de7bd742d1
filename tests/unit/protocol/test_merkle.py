"""TIP-4 Merkle tree hash: the TIP example, edge cases, and the iterative form against the definition."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.reference import load_vectors

from tanglehub.protocol.merkle import EMPTY_MERKLE_ROOT, MerkleInputError, merkle_root, merkle_root_recursive

VECTOR: dict[str, Any] = load_vectors("extracted_vectors.json")["merkle_tree_hash"]
LEAVES = [bytes.fromhex(h) for h in VECTOR["leaves"]]

ids = st.lists(st.binary(min_size=32, max_size=32), max_size=70)


def _h(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


def test_tip4_example_root() -> None:
    assert merkle_root(LEAVES).hex() == VECTOR["root"]
    assert merkle_root_recursive(LEAVES).hex() == VECTOR["root"]


def test_tip4_example_leaf_hashes() -> None:
    assert [merkle_root([leaf]).hex() for leaf in LEAVES] == VECTOR["leaf_hashes"]


def test_empty_list_root_is_blake2b_of_nothing() -> None:
    assert merkle_root([]) == EMPTY_MERKLE_ROOT
    assert EMPTY_MERKLE_ROOT.hex() == VECTOR["empty_list_root_computed"]
    assert EMPTY_MERKLE_ROOT.hex() == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"


def test_split_puts_the_largest_power_of_two_below_n_on_the_left() -> None:
    a, b, c, d, e = LEAVES[:5]
    leaf = [_h(b"\x00" + x) for x in (a, b, c, d, e)]
    four = _h(b"\x01" + _h(b"\x01" + leaf[0] + leaf[1]) + _h(b"\x01" + leaf[2] + leaf[3]))
    assert merkle_root([a, b, c, d, e]) == _h(b"\x01" + four + leaf[4])
    assert merkle_root([a, b, c]) == _h(b"\x01" + _h(b"\x01" + leaf[0] + leaf[1]) + leaf[2])


def test_order_matters() -> None:
    assert merkle_root(LEAVES) != merkle_root(LEAVES[::-1])


@settings(max_examples=400, deadline=None)
@given(ids)
def test_iterative_root_equals_the_recursive_definition(items: list[bytes]) -> None:
    assert merkle_root(items) == merkle_root_recursive(items)


def test_tens_of_thousands_of_ids() -> None:
    many = [_h(i.to_bytes(4, "big")) for i in range(40_000)]
    assert merkle_root(many) == merkle_root_recursive(many)
    assert merkle_root(many) != merkle_root(many[:-1])


def test_accepts_bytes_like_and_rejects_other_items() -> None:
    assert merkle_root([bytearray(LEAVES[0]), memoryview(LEAVES[1])]) == merkle_root(LEAVES[:2])
    with pytest.raises(MerkleInputError, match="input 1 is str"):
        merkle_root([LEAVES[0], "0x00"])  # type: ignore[list-item]
    with pytest.raises(MerkleInputError, match="input 0 is int"):
        merkle_root_recursive([7])  # type: ignore[list-item]
