from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from tests.reference import VECTORS

import tanglehub.keys as keys
from tanglehub.errors import KeysError
from tanglehub.keys import (
    DerivationError,
    decode_address,
    derive_address_hashes,
    derive_addresses,
    derive_addresses_parallel,
    derive_keypairs,
    derive_path,
    ed25519_address_hash,
    encode_address,
    mnemonic_to_seed,
    public_key,
)


def load(relative: str) -> Any:
    return json.loads((VECTORS / relative).read_text())


GENERATIONS = load("iota-sdk/test_vectors.json")["general"]["address_generations"]
FROM_PUBKEY = load("extracted_vectors.json")["ed25519_address_from_public_key"]["vectors"]
SEED = mnemonic_to_seed(GENERATIONS[0]["mnemonic"])


@pytest.mark.parametrize("case", GENERATIONS, ids=lambda c: f"{c['bech32_hrp']}-{c['address_index']}")
def test_sdk_address_generation_vectors(case: dict[str, object]) -> None:
    seed = mnemonic_to_seed(str(case["mnemonic"]))
    args = (seed, case["coin_type"], case["account_index"], case["internal"], case["address_index"], 1)
    assert "0x" + derive_address_hashes(*args)[0].hex() == case["ed25519_address"]  # type: ignore[arg-type]
    assert derive_addresses(*args, str(case["bech32_hrp"])) == [case["bech32_address"]]  # type: ignore[arg-type]


@pytest.mark.parametrize("case", FROM_PUBKEY, ids=lambda c: c["hrp"])
def test_address_from_public_key_vectors(case: dict[str, str]) -> None:
    body = ed25519_address_hash(bytes.fromhex(case["public_key"]))
    assert body.hex() == case["pubkey_hash"]
    assert encode_address(case["hrp"], 0, body) == case["bech32"]


def test_batch_matches_one_by_one_derivation_from_the_full_path() -> None:
    hashes = derive_address_hashes(SEED, 4219, 3, True, 1000, 5)
    for offset, body in enumerate(hashes):
        node = derive_path(SEED, [44, 4219, 3, 1, 1000 + offset])
        assert body == ed25519_address_hash(public_key(node.private_key))
    pairs = derive_keypairs(SEED, 4219, 3, True, 1000, 5)
    assert [ed25519_address_hash(pk) for _, pk in pairs] == hashes
    assert pairs[0][0] == derive_path(SEED, [44, 4219, 3, 1, 1000]).private_key


def test_parallel_result_equals_single_core_result() -> None:
    single = derive_addresses(SEED, 4218, 0, False, 7, 5000, "iota")
    assert derive_addresses_parallel(SEED, 4218, 0, False, 7, 5000, "iota", workers=2) == single
    assert derive_addresses_parallel(SEED, 4218, 0, False, 7, 10, "iota") == single[:10]
    assert all(decode_address(a, "iota")[1] == 0 for a in single[:50])


def test_highest_index_is_reachable_but_not_beyond() -> None:
    assert len(derive_address_hashes(SEED, 4218, 0, False, 2**31 - 1, 1)) == 1
    with pytest.raises(DerivationError):
        derive_address_hashes(SEED, 4218, 0, False, 2**31 - 1, 2)


@pytest.mark.parametrize(
    "args",
    [(-1, 0, 0, 1), (4218, -1, 0, 1), (4218, 0, -1, 1), (4218, 0, 0, -1), (4218, 2**31, 0, 1)],
)
def test_negative_or_oversized_arguments_are_derivation_errors(args: tuple[int, int, int, int]) -> None:
    coin, account, start, count = args
    with pytest.raises(DerivationError):
        derive_address_hashes(SEED, coin, account, False, start, count)


def test_workers_must_be_positive() -> None:
    with pytest.raises(DerivationError):
        derive_addresses_parallel(SEED, 4218, 0, False, 0, 1, "iota", workers=0)


def test_public_surface_is_sorted_and_errors_have_unique_codes() -> None:
    assert keys.__all__ == sorted(keys.__all__)
    assert all(hasattr(keys, name) for name in keys.__all__)
    errors = [getattr(keys, n) for n in keys.__all__ if isinstance(getattr(keys, n), type)]
    codes = [e.code for e in errors if issubclass(e, KeysError)]
    assert len(codes) == len(set(codes)) >= 15


def test_concurrent_derivation_in_threads_gives_each_thread_its_own_keys() -> None:
    # libsodium runs without the GIL, so threads deriving at once (the keychain sends batches to worker
    # threads) must not share output buffers: every thread has to get exactly the serial answer.
    seeds = [bytes([i]) * 64 for i in range(1, 5)]
    expected = {seed: derive_address_hashes(seed, 4219, 0, False, 0, 1000) for seed in seeds}
    pairs = {seed: derive_keypairs(seed, 4219, 1, True, 0, 300) for seed in seeds}

    def derive(seed: bytes) -> bool:
        return all(
            derive_address_hashes(seed, 4219, 0, False, 0, 1000) == expected[seed]
            and derive_keypairs(seed, 4219, 1, True, 0, 300) == pairs[seed]
            for _ in range(5)
        )

    with ThreadPoolExecutor(max_workers=len(seeds)) as pool:
        assert list(pool.map(derive, seeds)) == [True] * len(seeds)
