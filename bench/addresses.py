"""Addresses per second for 10,000 addresses from one mnemonic: ours (one core, all cores) vs the iota-sdk.

Run: .venv/bin/python bench/addresses.py [count]
Each figure is the median of 5 timed runs after one warm-up; all three produce the same addresses.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

from tanglehub.keys import derive_addresses, derive_addresses_parallel, generate_mnemonic, mnemonic_to_seed

RUNS = 5
COIN_TYPE, HRP = 4219, "rms"


def _median_rate(label: str, count: int, fn: Callable[[], list[str]]) -> list[str]:
    result = fn()  # warm-up (and the result to compare)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"{label:<44} {count / median:>10,.0f} addresses/s  ({median * 1000:7.1f} ms median of {RUNS})")
    return result


def main() -> None:
    """Measure and print the three rates."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    mnemonic = generate_mnemonic()
    seed = mnemonic_to_seed(mnemonic)
    cpus = os.cpu_count() or 1
    print(f"{count:,} addresses, coin type {COIN_TYPE}, hrp {HRP!r}, {cpus} CPUs")
    ours = _median_rate(
        "tanglehub, one core", count, lambda: derive_addresses(seed, COIN_TYPE, 0, False, 0, count, HRP)
    )
    parallel = _median_rate(
        f"tanglehub, all cores ({cpus} processes)",
        count,
        lambda: derive_addresses_parallel(seed, COIN_TYPE, 0, False, 0, count, HRP, workers=cpus),
    )
    try:
        from iota_sdk import MnemonicSecretManager, SecretManager
    except ImportError:
        print("iota-sdk not installed: skipping the SDK comparison")
        return
    manager = SecretManager(MnemonicSecretManager(mnemonic))
    sdk = _median_rate(
        "iota-sdk 1.1.4 MnemonicSecretManager",
        count,
        lambda: manager.generate_ed25519_addresses(
            coin_type=COIN_TYPE, account_index=0, start=0, end=count, internal=False, bech32_hrp=HRP
        ),
    )
    print("all three give identical addresses:", ours == parallel == sdk)


if __name__ == "__main__":
    main()
