"""TIP-12 PoW: Curl-P-81 vectors, b1t6, scores of known blocks, and nonces mined by find_nonce."""

from __future__ import annotations

import hashlib
import json
import math
import threading
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.reference import VECTORS

from tanglehub.errors import ProtocolValidationError
from tanglehub.protocol import _curl_bct as bct
from tanglehub.protocol.pow import (
    MAX_NONCE,
    CurlP81,
    PowCancelledError,
    PowInputError,
    PowTimeoutError,
    b1t6_decode,
    b1t6_encode,
    curl_p81_hash,
    find_nonce,
    min_pow_score_met,
    pow_digest_trits,
    pow_score,
    required_trailing_zeros,
    trailing_zeros,
    trits_to_trytes,
    trytes_to_trits,
)

CURL_CASES: list[dict[str, str]] = json.loads((VECTORS / "iota-crypto-demo/curlp81.json").read_text())
EXTRACTED: dict[str, Any] = json.loads((VECTORS / "extracted_vectors.json").read_text())
SDK_BLOCKS: list[dict[str, Any]] = json.loads((VECTORS / "iota-sdk/python_test_block_dicts.json").read_text())
POW_VECTORS: list[dict[str, Any]] = EXTRACTED["pow"]["vectors"]

trit_lists = st.lists(st.sampled_from([-1, 0, 1]), min_size=243, max_size=243)


def _block(prefix: bytes, nonce: int) -> bytes:
    return prefix + nonce.to_bytes(8, "little")


def _score_by_sponge(block: bytes) -> float:
    """Score recomputed from the TIP-12 rule with the sponge object, independently of pow_score."""
    digest = hashlib.blake2b(block[:-8], digest_size=32).digest()
    curl = CurlP81()
    curl.absorb(b1t6_encode(digest) + b1t6_encode(block[-8:]) + [0, 0, 0])
    return int(3 ** trailing_zeros(curl.squeeze())) / len(block)


# --- Curl-P-81 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CURL_CASES, ids=lambda c: f"{len(c['in'])}->{len(c['hash'])}")
def test_reference_curl_matches_all_300_vectors(case: dict[str, str]) -> None:
    curl = CurlP81()
    curl.absorb(trytes_to_trits(case["in"]))
    assert trits_to_trytes(curl.squeeze(3 * len(case["hash"]))) == case["hash"]


@pytest.mark.parametrize(("in_len", "out_len"), [(81, 81), (243, 81), (81, 243)])
def test_bit_sliced_kernel_matches_all_300_vectors(in_len: int, out_len: int) -> None:
    cases = [c for c in CURL_CASES if (len(c["in"]), len(c["hash"])) == (in_len, out_len)]
    assert len(cases) == 100
    out = bct.hash_many([trytes_to_trits(c["in"]) for c in cases], squeeze=out_len // 81)
    assert [trits_to_trytes(row.tolist()) for row in out] == [c["hash"] for c in cases]


def test_single_block_hash_function_matches_vectors() -> None:
    for case in CURL_CASES[:100]:
        assert trits_to_trytes(curl_p81_hash(trytes_to_trits(case["in"]))) == case["hash"]


@settings(max_examples=150, deadline=None)
@given(st.lists(trit_lists, min_size=1, max_size=3))
def test_kernel_agrees_with_reference_on_random_inputs(inputs: list[list[int]]) -> None:
    got = bct.hash_many(inputs)
    assert [row.tolist() for row in got] == [curl_p81_hash(t) for t in inputs]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from([-1, 0, 1]), min_size=5, max_size=5), min_size=1, max_size=130))
def test_pack_unpack_round_trip(rows: list[list[int]]) -> None:
    trits = np.array(rows, dtype=np.int8)
    lo, hi = bct.pack(trits)
    assert bct.unpack(lo, hi, len(rows)).tolist() == rows


def test_curl_rejects_partial_blocks_and_bad_trits() -> None:
    with pytest.raises(PowInputError, match="whole blocks"):
        CurlP81().absorb([0] * 242)
    with pytest.raises(PowInputError, match="trit 3 is 2"):
        curl_p81_hash([0, 0, 0, 2] + [0] * 239)
    with pytest.raises(PowInputError, match="whole blocks"):
        CurlP81().squeeze(100)


# --- b1t6 and trytes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("vec", EXTRACTED["b1t6"]["vectors"], ids=lambda v: v["bytes_hex"][:8])
def test_b1t6_vectors(vec: dict[str, str]) -> None:
    data = bytes.fromhex(vec["bytes_hex"])
    trits = b1t6_encode(data)
    assert trits_to_trytes(trits) == vec["trytes"]
    assert b1t6_decode(trytes_to_trits(vec["trytes"])) == data


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_b1t6_round_trip(data: bytes) -> None:
    trits = b1t6_encode(data)
    assert len(trits) == 6 * len(data)
    assert b1t6_decode(trits) == data
    assert trytes_to_trits(trits_to_trytes(trits)) == trits


def test_b1t6_and_trytes_reject_garbage() -> None:
    with pytest.raises(PowInputError, match="multiple of 6"):
        b1t6_decode([0] * 5)
    with pytest.raises(PowInputError, match="do not encode a byte"):
        b1t6_decode([1] * 6)  # 364 is outside the signed byte range
    with pytest.raises(PowInputError, match="not a tryte"):
        trytes_to_trits("AB1")
    with pytest.raises(PowInputError, match="multiple of 3"):
        trits_to_trytes([0, 1])


# --- scores ------------------------------------------------------------------------------------------------


def test_tip12_example_step_by_step() -> None:
    vec = POW_VECTORS[0]
    block = bytes.fromhex(vec["message_hex"])
    assert hashlib.blake2b(block[:-8], digest_size=32).hexdigest() == vec["pow_digest"]
    assert int.from_bytes(block[-8:], "little") == int(vec["nonce"])
    trits = pow_digest_trits(block)
    assert trits_to_trytes(trits) == vec["curl_input_trytes"]
    assert trits_to_trytes(curl_p81_hash(trits)) == vec["pow_hash_trytes"]
    assert pow_score(block) == vec["score"]


@pytest.mark.parametrize("vec", POW_VECTORS, ids=lambda v: str(v["trailing_zeros"]))
def test_pow_score_vectors(vec: dict[str, Any]) -> None:
    block = bytes.fromhex(vec["message_hex"]) if "message_hex" in vec else bytes(10000)
    assert pow_score(block) == pytest.approx(vec["score"], rel=1e-12)
    assert pow_score(block) == int(3 ** vec["trailing_zeros"]) / len(block)


@pytest.mark.interop
@pytest.mark.parametrize("index", range(5))
def test_real_testnet_block_scores_via_sdk_bytes(index: int) -> None:
    from iota_sdk import Block, Utils

    expected = EXTRACTED["blocks_and_transactions"]["vectors"][2 + index]
    raw = bytes(Utils.block_bytes(Block.from_dict(SDK_BLOCKS[index])))
    assert len(raw) == expected["computed_length"]
    assert pow_score(raw) == pytest.approx(expected["computed_pow_score"], rel=1e-12)
    accepted_by_testnet = expected["payload_type"] != 7  # milestones carry nonce 0 and skip PoW
    assert min_pow_score_met(raw, 1500) is accepted_by_testnet


def test_min_pow_score_met_edges() -> None:
    block = bytes.fromhex(POW_VECTORS[0]["message_hex"])  # score 937.28...
    assert min_pow_score_met(block, 937.2857142857143)
    assert not min_pow_score_met(block, 937.3)
    assert min_pow_score_met(block, 0)
    with pytest.raises(PowInputError, match="8-byte nonce"):
        min_pow_score_met(b"\x00" * 7, 0)
    with pytest.raises(PowInputError, match="8-byte nonce"):
        pow_score(b"")
    with pytest.raises(PowInputError, match="must be bytes"):
        pow_score("00" * 8)  # type: ignore[arg-type]


def test_required_trailing_zeros() -> None:
    assert required_trailing_zeros(300, 1500) == 12  # 3**12 / 300 = 1771.47 >= 1500 > 3**11 / 300
    assert required_trailing_zeros(21, 937.2857142857143) == 9
    assert required_trailing_zeros(100, 0) == 0
    with pytest.raises(PowInputError, match="cannot be reached"):
        required_trailing_zeros(100, 1e120)
    with pytest.raises(PowInputError, match="not a number"):
        required_trailing_zeros(100, math.nan)


# --- mining ------------------------------------------------------------------------------------------------

PREFIX = bytes(range(256)) + b"tanglehub" * 6  # 310 bytes, like a small transaction block


def test_mined_nonce_is_the_smallest_and_verified_by_the_reference() -> None:
    target = 27 / 318  # needs 3 trailing zero trits
    nonce = find_nonce(PREFIX, target, workers=1, start=1000)
    assert nonce >= 1000
    assert _score_by_sponge(_block(PREFIX, nonce)) >= target
    assert all(_score_by_sponge(_block(PREFIX, n)) < target for n in range(1000, nonce))


def test_mining_to_score_300_is_verified_by_the_reference() -> None:
    nonce = find_nonce(PREFIX, 300, workers=1)
    block = _block(PREFIX, nonce)
    assert pow_score(block) >= 300
    assert _score_by_sponge(block) == pow_score(block)
    assert find_nonce(PREFIX, 300, workers=1) == nonce  # deterministic
    assert find_nonce(PREFIX, 300, workers=1, start=nonce) == nonce


def test_workers_do_not_change_the_answer() -> None:
    one = find_nonce(PREFIX, 200, workers=1, start=12345)
    two = find_nonce(PREFIX, 200, workers=2, start=12345)
    assert one == two
    assert pow_score(_block(PREFIX, two)) >= 200


def test_zero_target_returns_start_and_bad_arguments_are_refused() -> None:
    assert find_nonce(PREFIX, 0, start=77) == 77
    with pytest.raises(PowInputError, match="start nonce"):
        find_nonce(PREFIX, 100, start=MAX_NONCE + 1)
    with pytest.raises(PowInputError, match="workers"):
        find_nonce(PREFIX, 100, workers=0)
    with pytest.raises(PowInputError, match="timeout"):
        find_nonce(PREFIX, 100, timeout=-1)
    with pytest.raises(PowInputError, match="cannot be reached"):
        find_nonce(PREFIX, 1e200)


@pytest.mark.parametrize("workers", [1, 2])
def test_search_near_the_top_of_the_nonce_space_never_wraps(workers: int) -> None:
    start = MAX_NONCE - 10
    scores = {n: pow_score(_block(PREFIX, n)) for n in range(start, MAX_NONCE + 1)}
    best = max(scores.values())
    first_best = min(n for n, score in scores.items() if score == best)
    assert find_nonce(PREFIX, best, workers=workers, start=start) == first_best
    with pytest.raises(PowInputError, match="no nonce from"):
        find_nonce(PREFIX, best * 3, workers=workers, start=start)


@pytest.mark.parametrize("workers", [1, 2])
def test_timeout_stops_a_hopeless_search(workers: int) -> None:
    with pytest.raises(PowTimeoutError, match="allow more time"):
        find_nonce(PREFIX, 3**40 / 318, workers=workers, timeout=0.2)


@pytest.mark.parametrize("workers", [1, 2])
def test_cancel_event_stops_the_search(workers: int) -> None:
    cancel = threading.Event()
    timer = threading.Timer(0.1, cancel.set)
    timer.start()
    try:
        with pytest.raises(PowCancelledError) as info:
            find_nonce(PREFIX, 3**40 / 318, workers=workers, cancel=cancel)
    finally:
        timer.cancel()
    assert isinstance(info.value, ProtocolValidationError)
    assert info.value.code == "POW_CANCELLED"


@pytest.mark.interop
def test_block_mined_by_find_nonce_round_trips_through_the_sdk() -> None:
    """The SDK exposes no PoW scoring, so it checks the bytes and PoW hash input; the score is ours."""
    from iota_sdk import Block, Utils

    block_dict = dict(SDK_BLOCKS[3])  # a real tagged-data block
    block_dict["payload"] = {"type": 5, "tag": "0x74616e676c65687562", "data": "0x" + "ab" * 40}
    block_dict["nonce"] = "0"
    prefix = bytes(Utils.block_bytes(Block.from_dict(block_dict)))[:-8]
    assert Utils.block_hash_without_nonce(Block.from_dict(block_dict)) == (
        "0x" + hashlib.blake2b(prefix, digest_size=32).hexdigest()
    )
    nonce = find_nonce(prefix, 250, workers=1)
    block_dict["nonce"] = str(nonce)
    sdk_block = Block.from_dict(block_dict)
    raw = bytes(Utils.block_bytes(sdk_block))
    assert raw == _block(prefix, nonce)
    assert Utils.block_id(sdk_block) == "0x" + hashlib.blake2b(raw, digest_size=32).hexdigest()
    assert _score_by_sponge(raw) >= 250
