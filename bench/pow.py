"""PoW benchmark: time to mine score 1500 on transaction-sized blocks, and kernel vs reference hash rate.

Run: ``.venv/bin/python bench/pow.py [--blocks 5] [--score 1500]``.

Blocks are shaped like a Stardust block carrying a transaction payload: version 2, two sorted random parents,
a payload padded to the requested total length. The real 1-input / 2-output testnet block
(``python_test_block_dicts.json[0]``, 4 parents) is 422 bytes. Contents are random: PoW cost depends only on
the length and on luck. At score 1500 a block of up to 354 bytes needs 12 trailing zero trits (3**12 =
531,441 hashes expected) and a longer one needs 13 (1,594,323 expected), so both a 350- and a 422-byte block
are reported.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from tanglehub.protocol._curl_bct import NonceKernel
from tanglehub.protocol._curl_workers import available_cores
from tanglehub.protocol.pow import (
    b1t6_encode,
    curl_p81_hash,
    find_nonce,
    pow_score,
    required_trailing_zeros,
)

PARENTS = 2


def block_prefix(rng: random.Random, length: int) -> bytes:
    """A ``length``-byte block without its nonce: version 2, sorted random parents, a random payload."""
    parent_ids = sorted(rng.randbytes(32) for _ in range(PARENTS))
    payload_len = length - 2 - 32 * PARENTS - 4 - 8
    payload = (6).to_bytes(4, "little") + rng.randbytes(payload_len - 4)
    return bytes([2, PARENTS]) + b"".join(parent_ids) + len(payload).to_bytes(4, "little") + payload


def kernel_rate(seconds: float = 3.0) -> float:
    """Nonces per second of the bit-sliced kernel on one core (12-zero target, 2048 nonces per batch)."""
    kernel = NonceKernel(b1t6_encode(os.urandom(32)), 12)
    kernel.search(0)
    done, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        kernel.search(done)
        done += kernel.batch
    return done / (time.perf_counter() - began)


def reference_rate(seconds: float = 2.0) -> float:
    """Hashes per second of the plain reference Curl-P-81."""
    trits = [*b1t6_encode(os.urandom(40)), 0, 0, 0]
    done, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        curl_p81_hash(trits)
        done += 1
    return done / (time.perf_counter() - began)


def mine(prefixes: list[bytes], score: float, workers: int) -> tuple[float, float]:
    """Mean seconds per block and mean nonces tried per block, mining each prefix from nonce 0."""
    times, tried = [], []
    for prefix in prefixes:
        began = time.perf_counter()
        nonce = find_nonce(prefix, score, workers=workers)
        times.append(time.perf_counter() - began)
        tried.append(nonce + 1)
        assert pow_score(prefix + nonce.to_bytes(8, "little")) >= score
    return statistics.mean(times), statistics.mean(tried)


def main() -> None:
    """Print the measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=5, help="random blocks per size (default 5)")
    parser.add_argument("--score", type=float, default=1500.0, help="target PoW score (default 1500)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--lengths", default="350,422", help="block lengths in bytes (default 350,422)")
    args = parser.parse_args()
    cores = available_cores()

    ref = reference_rate()
    ker = kernel_rate()
    print(f"reference Curl-P-81: {ref:,.0f} hashes/s (one core)")
    print(f"bit-sliced kernel:   {ker:,.0f} hashes/s (one core) = {ker / ref:,.0f}x the reference")

    began = time.perf_counter()
    find_nonce(b"warm up", 0.5, workers=cores)
    print(f"starting {cores} worker processes (incl. first forkserver start): {time.perf_counter() - began:.2f} s")
    began = time.perf_counter()
    find_nonce(b"warm up", 0.5, workers=cores)
    print(f"starting {cores} worker processes again: {time.perf_counter() - began:.2f} s")

    rng = random.Random(args.seed)
    print(f"load average before mining: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus")
    for length in (int(x) for x in args.lengths.split(",")):
        prefixes = [block_prefix(rng, length) for _ in range(args.blocks)]
        zeros = required_trailing_zeros(length, args.score)
        expected = 3**zeros
        print(
            f"\n{length}-byte block, score {args.score:g}: {zeros} trailing zero trits, "
            f"{expected:,} nonces expected ({expected / ker:.2f} s expected on one core at the kernel rate)"
        )
        for workers in sorted({1, cores}):
            secs, tried = mine(prefixes, args.score, workers)
            print(
                f"  workers={workers}: mean {secs:.2f} s over {args.blocks} blocks "
                f"(mean {tried:,.0f} nonces tried, {tried / secs:,.0f} nonces/s)"
            )


if __name__ == "__main__":
    main()
