"""Decoding a transaction block from bytes: process CPU per block for ``Block.from_bytes`` beside the general
reader (the field-by-field ``Block.read_from`` walk every block went through before the fast path), and
beside iota-sdk 1.1.4's Python ``Block.from_dict`` (the SDK exposes no parsing from bytes; its dict parse is
the closest thing it offers) and its Rust ``blockId`` call (parses the block JSON in Rust and hashes it).

Shapes (random ids and signatures, a fixed seed):

- ``faucet``: 1 UTXO input, 2 Basic outputs (an Address unlock condition on an Ed25519 address, nothing
  else), 1 signature unlock: what a wallet's ledger sync reads for each faucet deposit.
- ``consolidation``: 128 inputs of one address, 1 output; 1 signature unlock and 127 reference unlocks.
- ``batch``: 1 input, 127 outputs (a batch payment), 1 signature unlock.
- ``tagged``: the faucet shape with one Basic output carrying a Tag feature: the short path reads that output
  with the general reader's own function and the rest itself.

Each figure is the median over ROUNDS rounds of the process CPU time (``time.process_time``) of a loop of
decodes, divided by the loop's length; rows alternate within each round (the machine is shared).

``--callgrind`` counts instructions instead (``valgrind --tool=callgrind``, steadier than CPU time on a shared
machine): for each shape and each of our two rows, a run decoding the block LOOPS + 20 times less a run
decoding it 20 times (start-up and first-call costs cancel), divided by LOOPS.

Usage: .venv/bin/python bench/decode.py [--rounds N] [--no-sdk] [--callgrind [--loops N] [--shapes 0 1 ..]]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.block import Block
from tanglehub.protocol.codec import Reader
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput, Output, TagFeature
from tanglehub.protocol.payload import TransactionEssence, TransactionPayload
from tanglehub.protocol.unlock import Ed25519Signature, ReferenceUnlock, SignatureUnlock, Unlock

RNG = random.Random(20240517)


def _b(n: int) -> bytes:
    return RNG.randbytes(n)


def _basic(amount: int, tag: bytes | None = None) -> BasicOutput:
    features = (TagFeature(tag),) if tag is not None else ()
    return BasicOutput(amount, (AddressUnlockCondition(Ed25519Address(_b(32))),), features=features)


def _block(n_inputs: int, outputs: list[Output], signatures: int = 1) -> Block:
    inputs = tuple(UtxoInput(_b(32), RNG.randrange(128)) for _ in range(n_inputs))
    essence = TransactionEssence(1337, inputs, _b(32), tuple(outputs))
    unlocks: list[Unlock] = [SignatureUnlock(Ed25519Signature(_b(32), _b(64))) for _ in range(signatures)]
    unlocks += [ReferenceUnlock(0) for _ in range(n_inputs - signatures)]
    payload = TransactionPayload(essence, tuple(unlocks))
    return Block(2, tuple(sorted(_b(32) for _ in range(4))), payload, RNG.getrandbits(64))


SHAPES: dict[str, Block] = {
    "faucet (1 in / 2 out)": _block(1, [_basic(1_000_000_000), _basic(9_000_000_000)]),
    "consolidation (128 in / 1 out)": _block(128, [_basic(128_000_000)]),
    "batch (1 in / 127 out)": _block(1, [_basic(1_000_000 + i) for i in range(127)]),
    "tagged (1 in / 2 out, Tag feature)": _block(1, [_basic(1_000_000_000, b"faucet"), _basic(9_000_000_000)]),
}


def general_reader(data: bytes) -> Block:
    """The general reader alone: every field through ``Reader`` and the constructors' checks."""
    r = Reader(data)
    block = Block.read_from(r)
    r.expect_end("block")
    object.__setattr__(block, "_cached_bytes", r.since(0))
    return block


def per_call(fn: Callable[[Any], object], arg: Any, loops: int) -> float:
    """Process CPU seconds per call of ``fn(arg)`` over ``loops`` calls."""
    start = time.process_time()
    for _ in range(loops):
        fn(arg)
    return (time.process_time() - start) / loops


OURS: dict[str, Callable[[bytes], Block]] = {
    "Block.from_bytes": Block.from_bytes,
    "general reader (baseline)": general_reader,
}


def _instructions(shape: int, row: int, loops: int) -> int:
    """Instructions callgrind counts for this script decoding shape ``shape`` with row ``row`` ``loops`` times."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__]
        cmd += ["--loop", str(shape), str(row), str(loops)]
        subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        match = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.MULTILINE)
        assert match is not None
        return int(match.group(1))


def callgrind(loops: int, shapes: list[int]) -> None:
    """Print instructions per block for each shape and each of our rows: the count of a run decoding the block
    ``loops`` + 20 times less the count of a run decoding it 20 times (so start-up and first-call costs cancel),
    divided by ``loops``."""
    print(f"{'shape':36} {'row':38} {'instructions/block':>19} {'vs general':>10}")
    for s in shapes:
        shape = list(SHAPES)[s]
        counts = [(_instructions(s, r, loops + 20) - _instructions(s, r, 20)) / loops for r in range(len(OURS))]
        for name, count in zip(OURS, counts, strict=True):
            print(f"{shape:36} {name:38} {count:19,.0f} {counts[1] / count:9.2f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-sdk", action="store_true", help="skip the iota-sdk rows")
    parser.add_argument("--callgrind", action="store_true", help="count instructions with callgrind")
    parser.add_argument("--loops", type=int, default=100, help="decodes counted per shape and row")
    parser.add_argument("--shapes", type=int, nargs="*", help="callgrind: shape numbers (default: all)")
    parser.add_argument("--loop", nargs=3, type=int, help=argparse.SUPPRESS)  # shape row loops (callgrind child)
    args = parser.parse_args()
    if args.loop is not None:
        shape, row, loops = args.loop
        data = list(SHAPES.values())[shape].to_bytes()
        decode = list(OURS.values())[row]
        gc.collect()
        gc.freeze()  # collections triggered by the decodes scan what the decodes allocate, not the set-up
        for _ in range(loops):
            decode(data)
        return
    if args.callgrind:
        callgrind(args.loops, args.shapes if args.shapes else list(range(len(SHAPES))))
        return

    sdk: dict[str, Callable[[Any], object]] = {}
    if not args.no_sdk:
        try:
            from iota_sdk import Block as SdkBlock
            from iota_sdk.utils import _call_method
        except ImportError:  # pragma: no cover - the SDK is a test extra
            print("iota-sdk not installed: SDK rows skipped")
        else:
            sdk["iota-sdk Block.from_dict (JSON dict)"] = SdkBlock.from_dict
            sdk["iota-sdk blockId (Rust, JSON dict)"] = lambda d: _call_method("blockId", {"block": d})

    print(f"{'shape':36} {'row':38} {'µs CPU/block':>13} {'vs general':>10}")
    for shape, block in SHAPES.items():
        data = block.to_bytes()
        as_json = block.to_json()
        assert Block.from_bytes(data) == general_reader(data) == block
        rows: dict[str, tuple[Callable[[Any], object], Any]] = {name: (fn, data) for name, fn in OURS.items()}
        for name, fn in sdk.items():
            rows[name] = (fn, as_json)
        # about 50 ms of work per row per round
        loops = {name: max(1, int(0.05 / per_call(fn, arg, 3))) for name, (fn, arg) in rows.items()}
        samples: dict[str, list[float]] = {name: [] for name in rows}
        for _ in range(args.rounds):
            for name, (fn, arg) in rows.items():
                samples[name].append(per_call(fn, arg, loops[name]))
        general = statistics.median(samples["general reader (baseline)"])
        for name, values in samples.items():
            us = statistics.median(values) * 1e6
            print(f"{shape:36} {name:38} {us:13.1f} {general * 1e6 / us:9.2f}x")
        print(f"{'':36} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
