"""Hub withdrawals: confirmed withdrawals per second sustained for 60 s, and request-to-confirmed p50/p99,
beside the legacy Hub's default payout policy (at most 7 withdrawals per sweep, one sweep every 10 minutes)
computed for the same arrivals.

A devnet child process (milestones every ``--milestone`` seconds) and, in this process, a hub on SQLite with an
in-process signer (the signer's full policy check on every batch) and its batcher (``batch_wait`` 1 s,
``batches_in_flight`` 4). Users are funded from the faucet, then withdrawals arrive at ``--rate`` per second for
``--seconds`` through the service layer (the same code the REST route runs); the run ends when all are settled.

The sustained rate counts confirmations in a window as long as the offer, starting at the first confirmation.

Run: .venv/bin/python bench/hub_withdrawals.py [--rate 150] [--seconds 60] [--milestone 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import select

from tanglehub.devnet.server import free_port
from tanglehub.hub.addresses.service import assign_address
from tanglehub.hub.context import HubContext, open_hub
from tanglehub.hub.ledger import repository as ledger
from tanglehub.hub.models.payout import Withdrawal
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.signing import InProcessSigner, PoolDeadCheck
from tanglehub.hub.users.service import create_user
from tanglehub.hub.withdrawals import service
from tanglehub.hub.workers.runner import run_workers
from tanglehub.node import NodePool
from tanglehub.protocol.address import Ed25519Address
from tanglehub.vault import MnemonicSigner

MNEMONIC = (
    "giant dynamic museum toddler six deny defense ostrich bomb access mercy blood explain muscle shoot shallow "
    "glad autumn author calm heavy hawk abuse rally"
)
USERS = 24
LEGACY_PER_SWEEP = 7
LEGACY_INTERVAL = 600.0


def _devnet(tmp: Path, milestone: float) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "tanglehub.cli.main",
        "devnet",
        "--port",
        str(port),
        "--data-dir",
        str(tmp / "d"),
    ]
    args += ["--milestone-interval", str(milestone), "--log-level", "warning"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("the devnet did not start")


def _fund(ctx: HubContext, url: str) -> list[str]:
    names = [f"bench-{i}" for i in range(USERS)]
    for name in names:
        with ctx.sessionmaker() as session:
            user, _ = create_user(session, name)
            row = assign_address(session, user)
        httpx.post(f"{url}/api/plugins/faucet/v1/enqueue", json={"address": row.bech32}, timeout=30)
    return names


def _funded(ctx: HubContext, names: list[str]) -> bool:
    with ctx.sessionmaker() as session:
        from tanglehub.hub.users import repository as users

        for name in names:
            user = users.by_external_id(session, name)
            if user is None or ledger.balance_of(session, ledger.user_account(user.id)) == 0:
                return False
    return True


def _ask(ctx: HubContext, rent: object, i: int, user: str) -> None:
    address = Ed25519Address(i.to_bytes(4, "big") + b"\x77" * 28).to_bech32("tst")
    with ctx.sessionmaker() as session:
        service.request_withdrawal(
            session,
            f"bench-{i}",
            service.WithdrawalRequest(user, address, "1000000"),
            hrp="tst",
            rent=rent,  # type: ignore[arg-type]
            approval_threshold=None,
        )


def _settled(ctx: HubContext) -> list[tuple[int, int, str]]:
    with ctx.sessionmaker() as session:
        rows = session.execute(select(Withdrawal.created_at, Withdrawal.updated_at, Withdrawal.state))
        return [(int(c), int(u), s) for c, u, s in rows]


def _legacy(arrivals: list[float]) -> tuple[float, float, float]:
    """(sustained withdrawals/s, p50, p99 seconds) of 7 per sweep every 10 minutes for these arrivals; the
    first sweep falls half an interval after the start (the average phase)."""
    sweep = LEGACY_INTERVAL / 2
    queue = sorted(arrivals)
    latencies: list[float] = []
    i = 0
    while i < len(queue):
        due = [a for a in queue[i : i + LEGACY_PER_SWEEP] if a <= sweep]
        if not due:
            sweep += LEGACY_INTERVAL
            continue
        latencies += [sweep - a for a in due]
        i += len(due)
        sweep += LEGACY_INTERVAL
    q = statistics.quantiles(latencies, n=100)
    return LEGACY_PER_SWEEP / LEGACY_INTERVAL, q[49], q[98]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=150.0, help="withdrawals requested per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--milestone", type=float, default=1.0, help="devnet milestone interval, seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        proc, url = _devnet(tmp, args.milestone)
        try:
            await _run(tmp, url, args)
        finally:
            proc.terminate()
            proc.wait(10)


async def _run(tmp: Path, url: str, args: argparse.Namespace) -> None:
    settings = HubSettings(
        data_dir=tmp / "hub",
        node_urls=(url,),
        address_pool_target=40,
        address_pool_low_water=10,
        address_pool_batch=40,
        scan_poll_interval=0.1,
        payout_poll_interval=0.1,
    )
    settings.data_dir.mkdir(parents=True)
    mnemonic = MnemonicSigner(MNEMONIC)
    dead_pool = NodePool([url], max_milestone_age=None)
    signer = InProcessSigner(settings, mnemonic, dead_check=PoolDeadCheck(dead_pool))
    ctx = await open_hub(settings, signer=signer)
    stop = asyncio.Event()
    workers = asyncio.create_task(run_workers(ctx, stop, webhooks=False))
    try:
        while True:
            try:
                names = await asyncio.to_thread(_fund, ctx, url)
                break
            except Exception:  # the pool is still being filled
                await asyncio.sleep(0.5)
        while not await asyncio.to_thread(_funded, ctx, names):
            await asyncio.sleep(0.2)
        rent = (await ctx.node.get_info()).protocol_parameters().rent_structure
        total = int(args.rate * args.seconds)
        print(
            f"offering {total} withdrawals at {args.rate:.0f}/s for {args.seconds:.0f} s "
            f"(devnet milestone every {args.milestone} s) ..."
        )
        t0 = time.time()
        arrivals: list[float] = []
        gate = asyncio.Semaphore(8)

        async def one(i: int) -> None:
            async with gate:
                await asyncio.to_thread(_ask, ctx, rent, i, names[i % len(names)])
            arrivals.append(time.time() - t0)

        pending = []
        for i in range(total):
            due = t0 + i / args.rate
            delay = due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            pending.append(asyncio.create_task(one(i)))
        await asyncio.gather(*pending)
        offered = total / max(arrivals)
        while True:
            rows = await asyncio.to_thread(_settled, ctx)
            if all(s in ("confirmed", "failed", "cancelled") for _, _, s in rows):
                break
            await asyncio.sleep(0.5)
    finally:
        stop.set()
        await workers
        await ctx.aclose()
        await dead_pool.aclose()
        mnemonic.close()
    confirmed = [(c, u) for c, u, s in rows if s == "confirmed"]
    latencies = sorted((u - c) / 1000 for c, u in confirmed)
    first = min(u for _, u in confirmed)
    window_end = first + args.seconds * 1000  # a window as long as the offer, from the first confirmation
    in_window = sum(1 for _, u in confirmed if u <= window_end)
    q = statistics.quantiles(latencies, n=100)
    legacy_rate, legacy_p50, legacy_p99 = _legacy(arrivals)
    print(f"requests accepted at {offered:.1f}/s")
    print(f"{'':<44}{'tanglehub':>14}{'legacy Hub policy':>20}")
    print(
        f"{'confirmed withdrawals/s within the window':<44}{in_window / args.seconds:>14.1f}{legacy_rate:>20.3f}"
    )
    print(f"{'confirmed in total':<44}{len(confirmed):>14}{'':>20}")
    print(f"{'request -> confirmed p50 (s)':<44}{q[49]:>14.2f}{legacy_p50:>20.0f}")
    print(f"{'request -> confirmed p99 (s)':<44}{q[98]:>14.2f}{legacy_p99:>20.0f}")
    print("target: >= 100 confirmed withdrawals/s")


if __name__ == "__main__":
    asyncio.run(main())
