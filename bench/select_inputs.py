"""Input selection: time to choose inputs, beside a baseline measured in the same run.

Run: .venv/bin/python bench/select_inputs.py
Each figure is the median of 5 timed runs after one warm-up. The baseline is the least any selection must
do over the same candidates: sort them largest first and sum a prefix that pays (no limits checked).

Scenarios: 10,000 plain outputs (the greedy pass decides); 1,000 plain outputs beside 200 outputs with 40
airdropped token kinds each (the token-avoiding pass decides), and the same asked for more than 128 inputs
can pay (the bounded search runs to its budget, then the error says why); 14 outputs whose token kinds make
every paying set too large (the exhaustive search runs to the end); 2,000 outputs where 128 plain ones are
not enough and two token holders carry too many kinds (both greedy passes fail, the search finds one
holder plus plain outputs).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence

from tanglehub.errors import WalletError
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput
from tanglehub.protocol.params import DEVNET
from tanglehub.wallet.operations.transaction import Candidate, select_inputs

RUNS = 5
RENT = DEVNET.rent_structure
ME = Ed25519Address(b"\x01" * 32)
OTHER = Ed25519Address(b"\x02" * 32)


def _cand(n: int, amount: int, kinds: Sequence[int] = ()) -> Candidate:
    natives = tuple(NativeToken(b"\x08" + k.to_bytes(4, "big") * 9 + b"\x00", 1) for k in sorted(kinds))
    return Candidate(
        n.to_bytes(32, "big") + b"\x00\x00",
        BasicOutput(amount, (AddressUnlockCondition(ME),), natives),
        ME.pub_key_hash,
    )


def _baseline(cands: Sequence[Candidate], need: int) -> int:
    total = 0
    for count, c in enumerate(sorted(cands, key=lambda c: (-c.amount, c.output_id)), 1):
        total += c.amount
        if total >= need:
            return count
    return len(cands)


def _median(fn: Callable[[], object]) -> tuple[float, object]:
    result = fn()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _select(cands: Sequence[Candidate], need: int) -> str:
    try:
        sel = select_inputs(
            cands, [BasicOutput(need, (AddressUnlockCondition(OTHER),))], RENT, remainder_address=ME
        )
    except WalletError as exc:
        return f"{type(exc).__name__}"
    return f"{len(sel.inputs)} inputs, {sum(len(r.native_tokens) for r in sel.remainders)} kinds to the remainder"


def main() -> None:
    """Measure and print every scenario."""
    rng = random.Random(7)
    scenarios: list[tuple[str, list[Candidate], int]] = []
    plain = [_cand(i, rng.randrange(50_000, 5_000_000)) for i in range(10_000)]
    scenarios.append(("10,000 plain outputs", plain, sum(c.amount for c in plain) // 100))
    airdrop = [_cand(i, rng.randrange(50_000, 2_000_000)) for i in range(1_000)]
    airdrop += [_cand(10_000 + i, 50_000_000, rng.sample(range(1_000), 40)) for i in range(200)]
    scenarios.append(("1,000 plain + 200 with 40 token kinds", airdrop, 200_000_000))
    scenarios.append(("the same, unpayable within 128 inputs", airdrop, 400_000_000))
    blocked = [_cand(i, 10_000_000, range(40 * i, 40 * i + 40)) for i in range(14)]
    scenarios.append(("14 outputs, every paying set > 64 kinds", blocked, 15_000_000))
    bounded = [_cand(i, 1_000_000) for i in range(1_940)]
    bounded += [_cand(10_000 + i, 30_000_000, range(40 * i, 40 * i + 40)) for i in range(60)]
    scenarios.append(("2,000 outputs, only the search pays", bounded, 1_000_000 * 129))
    print(f"{'scenario':<42} {'selection':>12} {'baseline':>12}  result")
    for label, cands, need in scenarios:
        ours, result = _median(lambda cands=cands, need=need: _select(cands, need))
        base, _ = _median(lambda cands=cands, need=need: _baseline(cands, need))
        print(f"{label:<42} {ours * 1000:>9.2f} ms {base * 1000:>9.2f} ms  {result}")


if __name__ == "__main__":
    main()
