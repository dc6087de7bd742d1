"""Devnet throughput and indexer latency on this machine.

Prints validated + confirmed transactions per second for 1-input and 100-input transactions (block bytes
decoded, syntactically validated, attached, then confirmed by one milestone: white-flag order, semantic
validation with Ed25519 signature checks, ledger and indexer updates), and indexer query latency with 100,000
unspent outputs. Client-side work (building and signing) is done before the clock starts. The main figures
measure the node core on one core, without HTTP; one extra line sends the same kind of transactions through
the HTTP app in-process (binary POST + milestone route, no sockets).

Usage: .venv/bin/python bench/devnet.py [--txs 2000] [--per-milestone 500] [--big 20] [--outputs 100000] [--sqlite]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.node import DevnetNode
from tanglehub.keys.ed25519 import public_key, sign
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.block import PROTOCOL_VERSION, Block
from tanglehub.protocol.ids import output_id
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput, Output
from tanglehub.protocol.payload import TransactionEssence, TransactionPayload, inputs_commitment
from tanglehub.protocol.unlock import Ed25519Signature, ReferenceUnlock, SignatureUnlock

AMOUNT = 100_000


def simple(amount: int, address: Ed25519Address) -> BasicOutput:
    return BasicOutput(amount=amount, unlock_conditions=(AddressUnlockCondition(address),))


def signed(
    node: DevnetNode, key: bytes, inputs: list[tuple[bytes, Output]], outputs: list[Output]
) -> TransactionPayload:
    essence = TransactionEssence(
        network_id=node.network_id,
        inputs=tuple(UtxoInput.from_output_id(oid) for oid, _ in inputs),
        inputs_commitment=inputs_commitment([o for _, o in inputs]),
        outputs=tuple(outputs),
    )
    first = SignatureUnlock(Ed25519Signature(public_key(key), sign(key, essence.hash())))
    return TransactionPayload(essence, (first, *(ReferenceUnlock(0) for _ in inputs[1:])))


def fan_out(node: DevnetNode, count: int, recipients: list[Ed25519Address]) -> list[tuple[bytes, Output]]:
    """Make ``count`` outputs of AMOUNT, round robin over ``recipients``, paid from the faucet (unmeasured)."""
    key, faucet = node.keys.faucet_private, node.keys.faucet_address
    made: list[tuple[bytes, Output]] = []
    head_id = node.faucet._confirmed_head()
    cur = (head_id.oid, head_id.output)
    pending = 0
    while len(made) < count:
        n = min(126, count - len(made))
        outs: list[Output] = [simple(AMOUNT, recipients[(len(made) + i) % len(recipients)]) for i in range(n)]
        rest = cur[1].amount - n * AMOUNT
        outs.append(simple(rest, faucet))
        payload = signed(node, key, [cur], outs)
        node.submit_own_block(Block(PROTOCOL_VERSION, tuple(node.tips()), payload, 0))
        tx = payload.transaction_id()
        made += [(output_id(tx, i), outs[i]) for i in range(n)]
        cur = (output_id(tx, n), outs[n])
        pending += 1
        if pending == 50:
            node.issue_milestone()
            pending = 0
    node.issue_milestone()
    node.faucet.head = None
    return made


def confirm_rate(node: DevnetNode, blocks: list[bytes]) -> tuple[float, float, float]:
    """(tx/s overall, seconds attaching, seconds confirming) for blocks given as bytes."""
    start = time.perf_counter()
    for data in blocks:
        node.submit_block(node.block_from_bytes(data))
    attached = time.perf_counter()
    node.latest_timestamp -= 5  # let the bench issue back-to-back milestones without waiting for the clock
    node.issue_milestone()
    done = time.perf_counter()
    return len(blocks) / (done - start), attached - start, done - attached


def bench_simple(node: DevnetNode, count: int, per_milestone: int) -> None:
    key = bytes(range(32))
    owner = Ed25519Address.from_public_key(public_key(key))
    funded = fan_out(node, count, [owner])
    blocks = []
    for oid, out in funded:
        payload = signed(node, key, [(oid, out)], [simple(AMOUNT, owner)])
        blocks.append(Block(PROTOCOL_VERSION, tuple(node.tips()), payload, 0).to_bytes())
    rates, att, conf = [], 0.0, 0.0
    for i in range(0, len(blocks), per_milestone):
        r, a, c = confirm_rate(node, blocks[i : i + per_milestone])
        rates.append(r)
        att += a
        conf += c
    applied = sum(1 for data in blocks if node.block(node.block_from_bytes(data).block_id()).inclusion_state == 1)
    assert applied == count, f"only {applied} of {count} 1-input transactions applied"
    print(
        f"1-input txs:   {count} in milestones of {per_milestone}: {count / (att + conf):8.0f} tx/s "
        f"(attach+syntax {att / count * 1e6:.0f} us/tx, confirm+semantic {conf / count * 1e6:.0f} us/tx); "
        f"all {applied} applied"
    )


def bench_http(node: DevnetNode, count: int) -> None:
    """The same 1-input transactions posted as binary blocks through the ASGI app (no sockets)."""
    import asyncio

    import httpx

    from tanglehub.devnet.app import create_app

    key = bytes(range(2, 34))
    owner = Ed25519Address.from_public_key(public_key(key))
    funded = fan_out(node, count, [owner])
    blocks = [
        Block(PROTOCOL_VERSION, tuple(node.tips()), signed(node, key, [f], [simple(AMOUNT, owner)]), 0).to_bytes()
        for f in funded
    ]

    async def run() -> float:
        transport = httpx.ASGITransport(app=create_app(node=node))
        async with httpx.AsyncClient(transport=transport, base_url="http://devnet") as client:
            start = time.perf_counter()
            for data in blocks:
                r = await client.post(
                    "/api/core/v2/blocks",
                    content=data,
                    headers={"content-type": "application/vnd.iota.serializer-v1"},
                )
                assert r.status_code == 201
            node.latest_timestamp -= 5
            assert (await client.post("/api/devnet/v1/milestones")).status_code == 200
            return time.perf_counter() - start

    elapsed = asyncio.run(run())
    print(f"1-input txs via the ASGI app (binary POST + milestone route): {count / elapsed:8.0f} tx/s")


def bench_big(node: DevnetNode, count: int) -> None:
    key = bytes(range(1, 33))
    owner = Ed25519Address.from_public_key(public_key(key))
    funded = fan_out(node, count * 100, [owner])
    blocks = []
    for i in range(count):
        chunk = funded[i * 100 : (i + 1) * 100]
        payload = signed(node, key, chunk, [simple(AMOUNT * 100, owner)])
        blocks.append(Block(PROTOCOL_VERSION, tuple(node.tips()), payload, 0).to_bytes())
    rate, att, conf = confirm_rate(node, blocks)
    applied = sum(1 for data in blocks if node.block(node.block_from_bytes(data).block_id()).inclusion_state == 1)
    assert applied == count, f"only {applied} of {count} 100-input transactions applied"
    print(
        f"100-input txs: {count} in one milestone: {rate:8.1f} tx/s = {rate * 100:.0f} inputs/s "
        f"(attach+syntax {att / count * 1e3:.1f} ms/tx, confirm+semantic {conf / count * 1e3:.1f} ms/tx)"
    )


def bench_indexer(node: DevnetNode, total: int) -> None:
    recipients = [Ed25519Address(os.urandom(32)) for _ in range(1000)]
    start = time.perf_counter()
    fan_out(node, total, recipients)
    print(f"indexer: booked {total} outputs in {time.perf_counter() - start:.1f} s; {len(node.indexer)} unspent")
    hrp = node.params.bech32_hrp
    some = recipients[7].to_bech32(hrp)
    hits = len(node.indexer.oids_for_address(bytes(recipients[7].to_bytes())))
    queries = {
        f"basic address=A ({hits} hits)": (3, {"address": some}),
        "outputs unlockableByAddress=A": (None, {"unlockableByAddress": some}),
        "basic address=A&hasStorageDepositReturn=false&hasTimelock=false": (
            3,
            {"address": some, "hasStorageDepositReturn": "false", "hasTimelock": "false"},
        ),
        "basic hasTimelock=true (no hits, full scan)": (3, {"hasTimelock": "true"}),
        "outputs first page (1000)": (None, {}),
    }
    for name, (kind, params) in queries.items():
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            node.index_query(kind, params)
            times.append(time.perf_counter() - t0)
        print(f"  {name:<66} median {statistics.median(times) * 1e3:8.3f} ms")
    page = node.index_query(None, {"pageSize": "1000"})
    cursor = page["cursor"]
    pages = 1
    while pages < total // 1000 - 1:
        cursor = node.index_query(None, {"cursor": str(cursor)})["cursor"]
        pages += 1
    t0 = time.perf_counter()
    node.index_query(None, {"cursor": str(cursor)})
    print(
        f"  {f'outputs page {pages + 1} via cursor (1000 items)':<66} {(time.perf_counter() - t0) * 1e3:8.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--txs", type=int, default=2000)
    parser.add_argument("--per-milestone", type=int, default=500)
    parser.add_argument("--big", type=int, default=20)
    parser.add_argument("--outputs", type=int, default=100_000)
    parser.add_argument(
        "--sqlite", action="store_true", help="measure with the SQLite store (in a temporary data folder)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) if args.sqlite else None
        label = "SQLite store" if data_dir else "in-memory"
        print(f"devnet bench ({label}), one process, one core")
        bench_simple(
            DevnetNode(DevnetConfig(milestone_interval=0, data_dir=data_dir and data_dir / "a")),
            args.txs,
            args.per_milestone,
        )
        bench_http(DevnetNode(DevnetConfig(milestone_interval=0)), min(args.txs, 1000))
        bench_big(DevnetNode(DevnetConfig(milestone_interval=0, data_dir=data_dir and data_dir / "b")), args.big)
        bench_indexer(
            DevnetNode(DevnetConfig(milestone_interval=0, data_dir=data_dir and data_dir / "c")), args.outputs
        )


if __name__ == "__main__":
    main()
