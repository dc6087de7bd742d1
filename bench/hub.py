"""The hub's figures in one run, beside the legacy Hub's model measured on the same devnet.

1. Detection: time from a milestone's confirmation (the devnet answering the milestone request) to the
   deposit's ``deposit.credited`` event, with 10k, 100k and 1M deposit addresses in the hub (flat: the scanner
   looks up each created output by its address hash, never each address).
2. Catch-up: credited deposits per second while the scanner works through a backlog of milestones.
3. Over HTTP (the hub's API in a child process, uvicorn on uvloop as ``hub serve`` runs it, an admin key):
   balance reads and deposit-address creations per second with p50/p99 latency (on PostgreSQL also the
   reads with two API processes sharing the port, as ``hub serve --api-only --reuse-port`` runs them),
   16 concurrent connections from a lean load generator
   (bench/http_load.py: ``wrk`` when installed, else aiohttp; its own CPU share is printed, and the
   machine's load average, since the cores are shared). Beside them, ``GET /health`` (no key, no database)
   under the same load: the ceiling of this machine with the load generator on the same cores.
4. Baseline, the legacy Hub's model at 10k addresses: one balance request per deposit address per scan
   (here: the indexer's outputs-by-address query per address); a deposit waits at least one full scan.

Setup (not timed): a devnet child process with manual milestones; the deposit addresses are synthetic
(random Ed25519 address hashes assigned round robin to 1,000 users, bulk-inserted), because deriving a
million keys measures the signer, not the hub. The faucet pays the deposits.

Usage: .venv/bin/python bench/hub.py [--quick] [--http-only] [--no-wrk] [--postgres URL]
  --quick: 10k and 100k addresses, a smaller backlog and fewer requests.
  --http-only: only part 3 (10k addresses; no detection, catch-up or legacy scan).
  --no-wrk: use the aiohttp generator even when wrk is installed.
  --postgres URL: run on PostgreSQL (a fresh schema in that database, dropped at the end) instead of SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, insert, select, text

from http_load import LoadResult, run_load
from tanglehub.devnet.server import free_port
from tanglehub.hub.addresses.source import AddressSource
from tanglehub.hub.api.auth import create_api_key
from tanglehub.hub.context import HubContext, open_hub
from tanglehub.hub.db import lock_writes, now_ms
from tanglehub.hub.models.address import DepositAddress
from tanglehub.hub.models.event import Event
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.users.service import create_user
from tanglehub.hub.workers.scanner import run_scanner, scan_once
from tanglehub.keys.bech32 import encode_many

HRP = "tst"
USERS = 1000


class NoDerivation(AddressSource):
    """The bench inserts its addresses itself; the hub never derives any here."""

    async def derive_addresses(self, account: int, change: int, start: int, count: int) -> list[bytes]:
        raise RuntimeError("the bench does not derive addresses")


class DevnetChild:
    """``tanglehub devnet`` in a child process, milestones only on request."""

    def __init__(self, log: Path) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        port = self.url.rsplit(":", 1)[1]
        args = [sys.executable, "-m", "tanglehub.cli.main", "devnet", "--port", port, "--milestone-interval", "0"]
        args += ["--log-level", "warning", "--faucet-amount", "1000000"]
        self._log = log.open("ab")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT)
        self.http = httpx.Client(base_url=self.url, timeout=60)
        for _ in range(600):
            try:
                if self.http.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise SystemExit(f"the devnet did not start; see {log}")

    def milestone(self) -> int:
        return int(self.http.post("/api/devnet/v1/milestones", json={}).json()["index"])

    def faucet(self, address: str) -> None:
        self.http.post("/api/plugins/faucet/v1/enqueue", json={"address": address}).raise_for_status()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)
        self.http.close()
        self._log.close()


def add_addresses(ctx: HubContext, upto: int, *, assigned: bool = True) -> list[str]:
    """Bulk-insert synthetic deposit addresses until ``upto`` exist; returns the new bech32 texts."""
    with ctx.sessionmaker() as session:
        start = int(session.scalar(text("SELECT COALESCE(MAX(address_index) + 1, 0) FROM deposit_addresses")) or 0)
        user_ids = list(session.scalars(text("SELECT id FROM users ORDER BY id")))
    out: list[str] = []
    step = 20_000
    for first in range(start, upto, step):
        count = min(step, upto - first)
        hashes = [secrets.token_bytes(32) for _ in range(count)]
        texts = encode_many(HRP, 0, hashes)
        rows = [
            {
                "address_index": first + i,
                "address_hash": h,
                "bech32": t,
                "user_id": user_ids[(first + i) % len(user_ids)] if assigned else None,
                "assigned_at": now_ms() if assigned else None,
            }
            for i, (h, t) in enumerate(zip(hashes, texts, strict=True))
        ]
        with ctx.engine.begin() as conn:
            conn.execute(insert(DepositAddress), rows)
        out += texts
    return out


def credited_count(ctx: HubContext) -> int:
    with ctx.sessionmaker() as session:
        q = select(text("count(*)")).select_from(Event).where(Event.kind == "deposit.credited")
        return int(session.scalar(q) or 0)


async def detection(ctx: HubContext, devnet: DevnetChild, addresses: list[str], trials: int) -> list[float]:
    """Seconds from the milestone answer to the credited event, ``trials`` times (scanner running)."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_scanner(ctx, stop))
    times: list[float] = []
    try:
        for _ in range(trials):
            before = await asyncio.to_thread(credited_count, ctx)
            await asyncio.to_thread(devnet.faucet, secrets.choice(addresses))
            await asyncio.to_thread(devnet.milestone)
            t0 = time.perf_counter()
            while await asyncio.to_thread(credited_count, ctx) == before:
                await asyncio.sleep(0.002)
                if time.perf_counter() - t0 > 5:  # the payment missed that milestone: confirm it now
                    await asyncio.to_thread(devnet.milestone)
                    t0 = time.perf_counter()
            times.append(time.perf_counter() - t0)
    finally:
        stop.set()
        await task
    return times


async def catch_up(ctx: HubContext, devnet: DevnetChild, addresses: list[str], deposits: int) -> tuple[int, float]:
    """Credited deposits per second through a backlog of ``deposits`` payments over several milestones."""
    before = await asyncio.to_thread(credited_count, ctx)
    for i in range(deposits):
        await asyncio.to_thread(devnet.faucet, secrets.choice(addresses))
        if i % 100 == 99:
            await asyncio.to_thread(devnet.milestone)
    await asyncio.to_thread(devnet.milestone)
    t0 = time.perf_counter()
    while (await scan_once(ctx)).milestones:
        pass
    elapsed = time.perf_counter() - t0
    return (await asyncio.to_thread(credited_count, ctx)) - before, elapsed


async def legacy_scan(devnet_url: str, addresses: list[str], concurrency: int = 16) -> float:
    """Seconds for one legacy-style scan: one balance (outputs-by-address) request per deposit address."""
    queue = list(addresses)
    async with httpx.AsyncClient(base_url=devnet_url, timeout=30) as client:

        async def worker() -> None:
            while queue:
                address = queue.pop()
                (await client.get("/api/indexer/v1/outputs/basic", params={"address": address})).raise_for_status()

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - t0


def serve_api(settings: HubSettings, port: int) -> subprocess.Popen[bytes]:
    """One API process (no workers) on ``port``, bound with SO_REUSEPORT as ``hub serve --api-only
    --reuse-port`` does, on the event loop ``hub serve`` uses (``tanglehub.cli.loop``)."""
    code = (
        "import sys, uvicorn\n"
        "from pathlib import Path\n"
        "from tanglehub.hub.settings import HubSettings\n"
        "from tanglehub.hub.context import open_hub\n"
        "from tanglehub.hub.api.app import create_app\n"
        "from tanglehub.cli.loop import run\n"
        "from tanglehub.listen import bind_port\n"
        "sys.path.insert(0, 'bench')\n"
        "from hub import NoDerivation\n"
        f"sock = bind_port('127.0.0.1', {port}, bad_address=SystemExit, unavailable=SystemExit, reuse_port=True)\n"
        "async def main():\n"
        f"    s = HubSettings(data_dir=Path({str(settings.data_dir)!r}), database_url={settings.database_url!r}, "
        f"node_urls={settings.node_urls!r})\n"
        "    ctx = await open_hub(s, address_source=NoDerivation())\n"
        "    app = create_app(ctx, with_workers=False)\n"
        "    await uvicorn.Server(uvicorn.Config(app, log_level='warning')).serve(sockets=[sock])\n"
        "run(main())\n"
    )
    return subprocess.Popen([sys.executable, "-c", code])


def wait_served(url: str) -> None:
    """Until ``url`` answers ``/health`` (30 s at most)."""
    for _ in range(300):
        try:
            if httpx.get(url + "/health", timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            time.sleep(0.1)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--http-only", action="store_true", help="only the HTTP figures (10k addresses)")
    parser.add_argument("--no-wrk", action="store_true", help="the aiohttp load generator even if wrk is here")
    parser.add_argument("--postgres", default=None, help="a postgresql+psycopg:// URL (a schema is made in it)")
    args = parser.parse_args()
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    if args.http_only:
        sizes = [10_000]
    trials = 5 if args.quick else 10
    backlog = 300 if args.quick else 1000
    requests = 2000 if args.quick else 5000
    tmp = Path(tempfile.mkdtemp(prefix="bench-hub-"))
    database_url = None
    schema = None
    if args.postgres:
        schema = "bench_" + uuid.uuid4().hex[:10]
        admin = create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        database_url = f"{args.postgres}{'&' if '?' in args.postgres else '?'}options=-csearch_path%3D{schema}"
    devnet = DevnetChild(tmp / "devnet.log")
    print(
        f"hub bench on {'PostgreSQL' if database_url else 'SQLite'} ({os.cpu_count()} cores); "
        f"devnet at {devnet.url}"
    )
    settings = HubSettings(data_dir=tmp / "hub", database_url=database_url, node_urls=(devnet.url,))
    settings.scan_poll_interval = 0.01
    settings.scan_batch = 50
    try:
        ctx = await open_hub(settings, address_source=NoDerivation())
        with ctx.sessionmaker() as session:
            for i in range(USERS):
                session.execute(text("SELECT 1"))
                create_user(session, f"bench-{i}")
        addresses: list[str] = []
        results: list[tuple[int, list[float]]] = []
        for size in sizes:
            t = time.perf_counter()
            addresses += await asyncio.to_thread(add_addresses, ctx, size)
            print(f"  {size:>9,} deposit addresses in the hub (insert {time.perf_counter() - t:.1f} s)")
            if not args.http_only:
                results.append((size, await detection(ctx, devnet, addresses, trials)))
        credited, seconds = (0, 0.0) if args.http_only else await catch_up(ctx, devnet, addresses, backlog)
        # wrk runs for a time, not a count: leave room for ~5k creations/s for its run
        pool_size = requests + (0 if args.no_wrk else 50_000)
        pool = await asyncio.to_thread(add_addresses, ctx, len(addresses) + pool_size, assigned=False)
        with ctx.sessionmaker() as session:
            lock_writes(session)
            token, _ = create_api_key(session, "bench", ["admin"])
        await ctx.aclose()

        port = free_port()
        api = serve_api(settings, port)
        url = f"http://127.0.0.1:{port}"
        await asyncio.to_thread(wait_served, url)
        reads_two: LoadResult | None = None
        try:
            users = [f"bench-{i % USERS}" for i in range(requests)]
            wrk = not args.no_wrk
            reads_paths = [f"/v1/users/{u}/balance" for u in users]
            await run_load(url, token, reads_paths[:200], "GET", use_wrk=False)  # warm-up
            load_before = os.getloadavg()
            reads = await run_load(url, token, reads_paths, "GET", use_wrk=wrk)
            ceiling = await run_load(url, token, ["/health"] * len(users), "GET", use_wrk=wrk)
            news = await run_load(
                url,
                token,
                [f"/v1/users/{u}/deposit-addresses" for u in users[: len(pool) // 2]],
                "POST",
                use_wrk=wrk,
            )
            if database_url:
                # PostgreSQL lets API processes run side by side: a second one on the same port (SO_REUSEPORT,
                # as `hub serve --api-only --reuse-port`), one per core
                second = serve_api(settings, port)
                try:
                    await asyncio.sleep(3)  # its start-up (the first one answers /health meanwhile)
                    await run_load(url, token, reads_paths[:400], "GET", use_wrk=False)
                    reads_two = await run_load(url, token, reads_paths, "GET", use_wrk=wrk)
                finally:
                    second.terminate()
                    second.wait(20)
            load_after = os.getloadavg()
        finally:
            api.terminate()
            api.wait(20)
        legacy = 0.0 if args.http_only else await legacy_scan(devnet.url, addresses[:10_000])

        if not args.http_only:
            print("\nDetection: milestone confirmed -> deposit.credited event (median / max over trials)")
            for size, times in results:
                median, worst = statistics.median(times) * 1000, max(times) * 1000
                print(f"  {size:>9,} addresses: {median:7.1f} ms / {worst:7.1f} ms")
            print(
                f"Catch-up: {credited} deposits credited in {seconds:.2f} s = {credited / seconds:,.0f} deposits/s"
            )
        print(
            f"\nOver HTTP (16 connections, generator: {reads.generator}; load average before/after "
            f"{load_before[0]:.2f}/{load_after[0]:.2f} on {os.cpu_count()} shared cores):"
        )
        rows: list[tuple[str, LoadResult]] = [("balance reads", reads), ("deposit-address creations", news)]
        rows.append(("ceiling: GET /health (no key, no DB)", ceiling))
        if reads_two is not None:
            rows.append(("balance reads, 2 API processes", reads_two))
        for label, result in rows:
            print(
                f"  {label:37} {result.rps:7,.0f} req/s  p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms"
                f"  (generator CPU {result.client_cpu * 100:3.0f}% of a core)"
            )
        if args.http_only:
            return
        print("Baseline, the legacy Hub's model (one balance request per deposit address per scan):")
        print(
            f"  one scan of 10,000 addresses: {legacy:.2f} s ({10_000 / legacy:,.0f} requests/s); a deposit waits"
        )
        print(
            f"  up to a full scan (+ the scan interval), vs {statistics.median(results[0][1]) * 1000:.0f} ms here"
        )
    finally:
        devnet.stop()
        if schema and args.postgres:
            with create_engine(args.postgres).begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))


if __name__ == "__main__":
    asyncio.run(main())
