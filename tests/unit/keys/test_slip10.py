from __future__ import annotations

import json
from typing import Any

import pytest
from tests.reference import VECTORS

from tanglehub.keys import (
    HARDENED,
    Bip44,
    DerivationError,
    ExtendedKey,
    derive_path,
    master_key,
    mnemonic_to_seed,
    public_key,
)


def load(relative: str) -> Any:
    return json.loads((VECTORS / relative).read_text())


CASES = [
    (group["seed"], test) for group in load("iota-crypto-demo/slip10_TestEd25519.json") for test in group["tests"]
]
EXTRA = load("extracted_vectors.json")["slip10_derivation_extra"]["vectors"]


def _path(chain: str) -> list[int]:
    return [int(segment.rstrip("H'")) for segment in chain.split("/")[1:]]


@pytest.mark.parametrize(("seed", "case"), CASES, ids=lambda v: v["chain"] if isinstance(v, dict) else v[:8])
def test_slip10_ed25519_vectors(seed: str, case: dict[str, str]) -> None:
    node = derive_path(bytes.fromhex(seed), _path(case["chain"]))
    assert node.private_key.hex() == case["private"]
    assert node.chain_code.hex() == case["chainCode"]
    assert "00" + public_key(node.private_key).hex() == case["public"]


def test_raw_seed_vector_from_the_sdk() -> None:
    case = EXTRA[0]
    node = derive_path(bytes.fromhex(case["raw_seed_hex"]), _path(case["path"]))
    assert node.private_key.hex() == case["computed_private_key_seed32"]
    assert public_key(node.private_key).hex() == case["public_key"]


def test_child_is_always_hardened() -> None:
    node = master_key(bytes(range(32)))
    assert node.child(5) == node.child(5 | HARDENED)


def test_bip44_path_is_five_hardened_segments() -> None:
    assert Bip44(4219, account=2, change=1, address_index=7).path == tuple(
        i | HARDENED for i in (44, 4219, 2, 1, 7)
    )
    seed = mnemonic_to_seed(EXTRA[1]["mnemonic"])
    assert derive_path(seed, Bip44(4218).path) == derive_path(seed, [44, 4218, 0, 0, 0])


@pytest.mark.parametrize("bad", [-1, HARDENED, True])
def test_bip44_rejects_out_of_range_segments(bad: int) -> None:
    with pytest.raises(DerivationError):
        Bip44(4218, account=bad)


@pytest.mark.parametrize("bad", [-1, 2**32])
def test_child_rejects_indexes_outside_u32(bad: int) -> None:
    with pytest.raises(DerivationError):
        master_key(bytes(16)).child(bad)


@pytest.mark.parametrize("length", [0, 15, 65])
def test_master_key_rejects_bad_seed_lengths(length: int) -> None:
    with pytest.raises(DerivationError):
        master_key(bytes(length))


def test_extended_key_repr_hides_the_secret() -> None:
    node = master_key(bytes(range(64)))
    assert node.private_key.hex() not in repr(node)
    assert str(node.private_key) not in repr(node)
    with pytest.raises(DerivationError):
        ExtendedKey(b"short", bytes(32))


@pytest.mark.parametrize("path", [5, None, "44'/4218'", b"\x2c"])
def test_derive_path_rejects_a_path_that_is_not_a_sequence_of_integers(path: object) -> None:
    with pytest.raises(DerivationError, match="sequence"):
        derive_path(bytes(32), path)  # type: ignore[arg-type]
