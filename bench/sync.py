"""Wallet sync after 100 new deposits: tanglehub ledger mode and indexer mode beside iota-sdk's ``sync``, on
one devnet in one run; plus building and signing a 128-input transaction, ours beside the SDK's.

Setup (not timed): a devnet child process (manual milestones) with a data folder. Wallets of 1k, 10k and 100k
addresses (one mnemonic, account 0) are created while the ledger is still empty, so their first ledger sync
sets the cursor cheaply. The devnet is then stopped, 20,000 outputs are paid round robin to the first 10,000
addresses by driving ``DevnetNode`` in-process with 127-output transactions, and the devnet is served again
from that folder. Every wallet then catches up once (its "initial" sync, shown too). Then the faucet pays
100 deposits to the first 100 addresses, one milestone confirms them, and each wallet syncs once (timed).

The SDK (``iota_sdk`` 1.1.4) talks to the same devnet over HTTP from this process; the devnet is a child
process because the SDK's blocking calls hold the GIL.

The closing table prints every row beside the SDK's with the ratio: sync after the deposits per mode and
address count (the SDK's one ``sync`` is its only mode), the first indexer sync, and preparing and signing
a 128-input transaction. The SDK runs at every size up to 10,000 addresses. Indexer mode appears twice: as it
runs (a first sync lists this small ledger once; the next brings the addresses it covered up to date from
the milestone since), and with every address queried, as it must run against a node that keeps no milestones
and a ledger larger than the wallet. Each row gives wall clock and this
process's CPU time (ours with its SQLite thread; the SDK's Rust threads run in this process too; the devnet is
another process), each with its ratio: on the shared 2-core machine CPU time varies less than wall clock. The
row list above the table gives the requests ours sent in each timed sync (counted at its HTTP wire). A full
garbage collection runs before every timed call (ours and the SDK's), outside the timing, so that no row pays
for the setup's garbage; before ours the event loop also handles what is pending (the other wallets' idle
connections the devnet closed meanwhile: the first timed row used to pay for about a hundred of them).

Ours runs on uvloop, as the ``tanglehub`` command runs (``--loop asyncio``: the standard event loop).

Usage: .venv/bin/python bench/sync.py [--quick] [--loop uvloop|asyncio]
(--quick: 100/1k/10k addresses, 2,000 outputs)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from tanglehub.cli.loop import run
from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.node import DevnetNode
from tanglehub.devnet.server import free_port
from tanglehub.keys import generate_mnemonic, mnemonic_to_seed
from tanglehub.keys.address import derive_address_hashes
from tanglehub.keys.ed25519 import public_key, sign
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.node import NodePool
from tanglehub.node.aiohttp_wire import AiohttpWire
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.block import PROTOCOL_VERSION, Block
from tanglehub.protocol.ids import output_id
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput, Output
from tanglehub.protocol.payload import TransactionEssence, TransactionPayload, inputs_commitment
from tanglehub.protocol.unlock import Ed25519Signature, SignatureUnlock
from tanglehub.vault import KdfParams
from tanglehub.wallet import SyncMode, SyncOptions, Wallet
from tanglehub.wallet.operations import sync_indexer
from tanglehub.wallet.operations.send import prepare_send
from tanglehub.wallet.operations.transaction import TransactionOptions, sign_transaction

AMOUNT = 100_000
DEPOSITS = 100
KEEP_ALIVE_WAIT = 6.0
"""Seconds waited before the timed syncs: longer than the devnet's keep-alive timeout (uvicorn's 5 s)."""
PREPARE_SETS = 5
"""Disjoint sets of 128 inputs the "again" prepare row takes the median over (ours and the SDK's each)."""
PASSWORD = "bench password"
LEDGER = SyncOptions(SyncMode.LEDGER)
INDEXER = SyncOptions(SyncMode.INDEXER)


class DevnetChild:
    """``tanglehub devnet`` in a child process on a data folder, milestones only on request."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "tanglehub.cli.main", "devnet", "--port", str(self.port)]
        args += ["--data-dir", str(data_dir), "--milestone-interval", "0", "--log-level", "warning"]
        self._log = log.open("ab")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT)
        self.http = httpx.Client(base_url=self.url, timeout=60)
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.http.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit(f"the devnet did not start; see {log}")
            time.sleep(0.1)

    def milestone(self) -> int:
        """Issue one milestone now."""
        return int(self.http.post("/api/devnet/v1/milestones", json={}).json()["index"])

    def faucet(self, address: str) -> None:
        """One faucet payment (confirmed by the next milestone)."""
        self.http.post("/api/plugins/faucet/v1/enqueue", json={"address": address}).raise_for_status()

    def stop(self) -> None:
        """Ctrl-C the node and wait for it."""
        self.http.close()
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def fill_ledger(data_dir: Path, hashes: list[bytes], count: int) -> None:
    """Pay ``count`` outputs of AMOUNT round robin to ``hashes`` from the faucet, in-process (unmeasured)."""
    node = DevnetNode(DevnetConfig(data_dir=data_dir, milestone_interval=0))
    key, faucet = node.keys.faucet_private, node.keys.faucet_address
    head = node.faucet._confirmed_head()
    cur: tuple[bytes, Output] = (head.oid, head.output)
    made = pending = 0
    while made < count:
        n = min(126, count - made)
        outs: list[Output] = [
            BasicOutput(AMOUNT, (AddressUnlockCondition(Ed25519Address(hashes[(made + i) % len(hashes)])),))
            for i in range(n)
        ]
        outs.append(BasicOutput(cur[1].amount - n * AMOUNT, (AddressUnlockCondition(faucet),)))
        essence = TransactionEssence(
            node.network_id, (UtxoInput.from_output_id(cur[0]),), inputs_commitment([cur[1]]), tuple(outs)
        )
        unlock = SignatureUnlock(Ed25519Signature(public_key(key), sign(key, essence.hash())))
        payload = TransactionPayload(essence, (unlock,))
        node.submit_own_block(Block(PROTOCOL_VERSION, tuple(node.tips()), payload, 0))
        cur = (output_id(payload.transaction_id(), n), outs[n])
        made += n
        pending += 1
        if pending == 40:
            node.issue_milestone()
            pending = 0
    node.issue_milestone()
    node.close()


SHORTCUTS = (sync_indexer.MAX_CATCH_UP_MILESTONES, sync_indexer.GLOBAL_SCAN_MIN_ADDRESSES)
"""Indexer sync's defaults: how many milestones it reads for covered addresses, and from how many addresses
holding nothing it tries one ledger-wide listing."""


def queries_only(on: bool) -> None:
    """With ``on``, indexer sync queries every address (neither milestones nor a ledger-wide listing), as it
    must against a node that has pruned the milestones and an indexer with a ledger larger than the wallet."""
    sync_indexer.MAX_CATCH_UP_MILESTONES, sync_indexer.GLOBAL_SCAN_MIN_ADDRESSES = (
        (0, sys.maxsize) if on else SHORTCUTS
    )


MODE_NAMES = {
    "ledger": "ledger mode",
    "indexer": "indexer mode",
    "queries": "indexer mode, every address queried (no milestones kept, a ledger larger than the wallet)",
}
REQUESTS = {"sent": 0}
"""HTTP requests tanglehub's node client has sent in this process (counted at its wire)."""
SENT: dict[str, int] = {}
"""Requests ours sent during the last timed call under each label."""


def count_requests() -> None:
    """Count every request of tanglehub's node client (its aiohttp wire) in :data:`REQUESTS`."""
    original = AiohttpWire.request

    async def request(self: AiohttpWire, *args: Any, **kwargs: Any) -> Any:
        REQUESTS["sent"] += 1
        return await original(self, *args, **kwargs)

    AiohttpWire.request = request  # type: ignore[method-assign]


CPU: dict[str, float] = {}
"""Process CPU seconds (every thread: ours with its SQLite thread, the SDK's Rust threads) of the last timed
call under each label; the devnet is another process and not counted."""


async def timed(fn: Callable[[], Awaitable[Any]], label: str) -> tuple[float, Any]:
    """(seconds, result) of one awaited call; its process CPU time goes to ``CPU[label]``."""
    # outside the timing: the loop handles what is pending (the keep-alive connections of the other wallets'
    # pools that the devnet closed meanwhile, about a hundred), and a full collection of the setup's garbage
    await asyncio.sleep(0.05)
    gc.collect()
    sent = REQUESTS["sent"]
    cpu, start = time.process_time(), time.perf_counter()
    result = await fn()
    seconds = time.perf_counter() - start
    CPU[label] = time.process_time() - cpu
    SENT[label] = REQUESTS["sent"] - sent
    return seconds, result


def timed_sync(fn: Callable[[], Any], label: str) -> tuple[float, Any]:
    """:func:`timed` for a blocking call (the SDK's)."""
    gc.collect()  # as for ours
    cpu, start = time.process_time(), time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    CPU[label] = time.process_time() - cpu
    return seconds, result


def sdk_wallet(path: Path, url: str, mnemonic: str, addresses: int) -> Any:
    """An iota-sdk wallet on ``url`` with ``addresses`` public addresses of ``mnemonic`` (account 0)."""
    sdk: Any = importlib.import_module("iota_sdk")
    wallet = sdk.Wallet(
        str(path),
        sdk.ClientOptions(nodes=[url], ignoreNodeHealth=True),
        sdk.CoinType.SHIMMER,
        sdk.MnemonicSecretManager(mnemonic),
    )
    account = wallet.create_account("bench")
    left = addresses - 1
    while left > 0:
        account.generate_ed25519_addresses(min(left, 10_000))
        left -= min(left, 10_000)
    return wallet, account


class Bench:
    """The whole run (see the module docstring)."""

    def __init__(self, quick: bool) -> None:
        self.sizes = [100, 1_000, 10_000] if quick else [1_000, 10_000, 100_000]
        self.main = self.sizes[1]
        self.outputs = 2_000 if quick else 20_000
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
        self.data = self.tmp / "devnet"
        self.log = self.tmp / "devnet.log"
        self.mnemonic = generate_mnemonic()
        self.rows: list[tuple[str, int, str, str]] = []
        self.table: list[tuple[str, int | None, float, float, float, float]] = []
        """(what, addresses, ours in s, SDK's in s, our CPU s, the SDK's CPU s) for the comparison table."""

    def pool(self, url: str) -> NodePool:
        return NodePool([url], max_milestone_age=None, timeout=120)

    async def make_wallet(self, url: str, name: str, addresses: int, ledger: bool) -> None:
        pool = self.pool(url)
        wallet = await Wallet.create(
            self.tmp / name,
            password=PASSWORD,
            coin_type=SHIMMER_COIN_TYPE,
            pool=pool,
            mnemonic=self.mnemonic,
            kdf=KdfParams.MINIMUM,
            idle_timeout=None,
        )
        account = await wallet.create_account("bench")
        if ledger:
            await wallet.sync(LEDGER)  # empty ledger: sets the cursor
        if addresses > 1:
            await account.generate_addresses(addresses - 1)
        await wallet.close()
        await pool.aclose()

    async def open_wallet(self, url: str, name: str) -> tuple[Wallet, NodePool]:
        pool = self.pool(url)
        wallet = await Wallet.open(self.tmp / name, password=PASSWORD, pool=pool, idle_timeout=None)
        return wallet, pool

    async def run(self) -> None:
        print(f"setup in {self.tmp} (addresses {self.sizes}, {self.outputs} outputs) ...", flush=True)
        devnet = DevnetChild(self.data, self.log)
        devnet.milestone()
        for n in self.sizes:
            await self.make_wallet(devnet.url, f"ledger-{n}", n, ledger=True)
        indexer_sizes = [n for n in self.sizes if n <= 10_000]
        for n in indexer_sizes:
            await self.make_wallet(devnet.url, f"indexer-{n}", n, ledger=False)
            await self.make_wallet(devnet.url, f"queries-{n}", n, ledger=False)
        devnet.stop()
        seed = mnemonic_to_seed(self.mnemonic)
        hashes = derive_address_hashes(seed, SHIMMER_COIN_TYPE, 0, False, 0, self.main)
        start = time.perf_counter()
        fill_ledger(self.data, hashes, self.outputs)
        print(f"ledger filled in {time.perf_counter() - start:.1f} s", flush=True)
        devnet = DevnetChild(self.data, self.log)
        try:
            await self.measure(devnet, indexer_sizes, hashes)
        finally:
            devnet.stop()
            shutil.rmtree(self.tmp, ignore_errors=True)

    async def measure(self, devnet: DevnetChild, indexer_sizes: list[int], hashes: list[bytes]) -> None:
        wallets: dict[str, tuple[Wallet, NodePool]] = {}
        for n in self.sizes:
            wallets[f"ledger-{n}"] = await self.open_wallet(devnet.url, f"ledger-{n}")
        for n in indexer_sizes:
            wallets[f"indexer-{n}"] = await self.open_wallet(devnet.url, f"indexer-{n}")
            wallets[f"queries-{n}"] = await self.open_wallet(devnet.url, f"queries-{n}")
        initial: dict[str, float] = {}
        for name, (wallet, _) in wallets.items():
            mode = LEDGER if name.startswith("ledger") else INDEXER
            queries_only(name.startswith("queries"))
            initial[name], _ = await timed(lambda w=wallet, m=mode: w.sync(m), f"first {name}")  # type: ignore[misc]
            queries_only(False)
            print(f"  initial sync {name}: {initial[name]:.2f} s", flush=True)
        sdk: dict[int, Any] = {}
        for n in indexer_sizes:
            wallet_sdk, account_sdk = sdk_wallet(self.tmp / f"sdk-{n}", devnet.url, self.mnemonic, n)
            initial[f"sdk-{n}"], _ = timed_sync(account_sdk.sync, f"first sdk-{n}")
            print(f"  initial sync sdk-{n}: {initial[f'sdk-{n}']:.2f} s", flush=True)
            sdk[n] = (wallet_sdk, account_sdk)

        hrp = "tst"
        for i in range(DEPOSITS):
            devnet.faucet(Ed25519Address(hashes[i % min(100, len(hashes))]).to_bech32(hrp))
        devnet.milestone()
        # every wallet's keep-alive connections from the initial syncs are closed by the devnet after 5 s idle:
        # wait until they are, so that each timed sync (ours and the SDK's) starts alike, with new connections,
        # and none pays for tearing down the others' (the first timed row used to)
        await asyncio.sleep(KEEP_ALIVE_WAIT)

        for name, (wallet, _) in wallets.items():
            kind, size = name.split("-")
            mode = LEDGER if kind == "ledger" else INDEXER
            # "queries": indexer mode as against a node without the milestones since the last sync
            queries_only(kind == "queries")
            seconds, result = await timed(lambda w=wallet, m=mode: w.sync(m), f"after {name}")  # type: ignore[misc]
            queries_only(False)
            note = f"{len(result.new_output_ids)} new, {SENT[f'after {name}']} requests"
            self.rows.append((f"tanglehub {kind}", int(size), f"{seconds:.3f}", note))
        sdk_after: dict[int, float] = {}
        for n, (_, account_sdk) in sdk.items():
            before = len(account_sdk.unspent_outputs())
            seconds, _ = timed_sync(account_sdk.sync, f"after sdk-{n}")
            sdk_after[n] = seconds
            after = len(account_sdk.unspent_outputs())
            self.rows.append(("iota-sdk sync", n, f"{seconds:.3f}", f"{after - before} new"))
        ours = {(w, n): float(secs) for w, n, secs, _ in self.rows}
        for mode in ("ledger", "indexer", "queries"):
            for n, theirs in sdk_after.items():
                if (f"tanglehub {mode}", n) in ours:
                    what = f"sync after {DEPOSITS} deposits, {MODE_NAMES[mode]}"
                    cpu = (CPU[f"after {mode}-{n}"], CPU[f"after sdk-{n}"])
                    self.table.append((what, n, ours[(f"tanglehub {mode}", n)], theirs, *cpu))
        for n in indexer_sizes:
            cpu = (CPU[f"first indexer-{n}"], CPU[f"first sdk-{n}"])
            self.table.append(("first sync, indexer mode", n, initial[f"indexer-{n}"], initial[f"sdk-{n}"], *cpu))
        for n in indexer_sizes:
            cpu = (CPU[f"first queries-{n}"], CPU[f"first sdk-{n}"])
            what = f"first sync, {MODE_NAMES['queries']}"
            self.table.append((what, n, initial[f"queries-{n}"], initial[f"sdk-{n}"], *cpu))

        await self.sign_128(wallets[f"ledger-{self.main}"][0], sdk[self.main][1])
        self.report(initial)
        for wallet, pool in wallets.values():
            await wallet.close()
            await pool.aclose()
        for wallet_sdk, _ in sdk.values():
            wallet_sdk.destroy()

    async def sign_128(self, wallet: Wallet, account_sdk: Any) -> None:
        sdk: Any = importlib.import_module("iota_sdk")
        account = await wallet.get_account("bench")
        unspent = await account.unspent_outputs()
        records, others = unspent[:128], unspent[128:256]
        to = (await account.addresses(internal=False))[0].bech32

        def args(rs: list[Any]) -> tuple[list[tuple[str, int]], TransactionOptions, tuple[Any, ...]]:
            amount = sum(r.amount for r in rs)
            ids = tuple(r.output_id for r in rs)
            sdk_options = sdk.TransactionOptions(custom_inputs=["0x" + i.hex() for i in ids])
            sdk_params = [sdk.SendParams(address=to, amount=str(amount))]
            return [(to, amount)], TransactionOptions(custom_inputs=ids), (sdk_params, sdk_options)

        # the first prepare after the syncs, on other inputs (ours commits its reservation: SQLite may
        # checkpoint its write-ahead log in that commit)
        recipients, options, sdk_args = args(others)
        first, _ = await timed(lambda: prepare_send(account, recipients, options), "prepare first")
        first_sdk, _ = timed_sync(lambda: account_sdk.prepare_send(*sdk_args), "sdk prepare first")
        recipients, options, sdk_args = args(records)
        prepare_s, prepared = await timed(lambda: prepare_send(account, recipients, options), "prepare")
        sign_s, signed = await timed(lambda: sign_transaction(account, prepared), "sign")
        assert len(signed.payload.essence.inputs) == 128
        signatures = len({i.chain for i in prepared.inputs})
        sdk_prepare_s, sdk_prepared = timed_sync(lambda: account_sdk.prepare_send(*sdk_args), "sdk prepare")
        essence = sdk_prepared.prepared_transaction_data()
        sdk_sign_s, sdk_signed = timed_sync(lambda: account_sdk.sign_transaction_essence(essence), "sdk sign")
        assert sdk_signed is not None
        note = f"{signatures} signatures, incl. semantic check"
        self.rows.append(
            ("tanglehub prepare 128 inputs", self.main, f"{prepare_s:.4f}", "selection + reservation")
        )
        self.rows.append(("tanglehub sign 128 inputs", self.main, f"{sign_s:.3f}", note))
        self.rows.append(("iota-sdk prepare 128 inputs", self.main, f"{sdk_prepare_s:.4f}", ""))
        self.rows.append(("iota-sdk sign 128 inputs", self.main, f"{sdk_sign_s:.3f}", ""))
        # "again": the median over PREPARE_SETS disjoint sets of 128 inputs, each prepared by both
        samples = [(prepare_s, sdk_prepare_s, CPU["prepare"], CPU["sdk prepare"])]
        for k in range(2, 1 + PREPARE_SETS):
            recipients, options, sdk_args = args(unspent[128 * k : 128 * (k + 1)])
            ours_s, _ = await timed(partial(prepare_send, account, recipients, options), "prepare")
            theirs_s, _ = timed_sync(partial(account_sdk.prepare_send, *sdk_args), "sdk prepare")
            samples.append((ours_s, theirs_s, CPU["prepare"], CPU["sdk prepare"]))
        again = tuple(statistics.median(column) for column in zip(*samples, strict=True))
        what = "prepare a 128-input transaction"
        cpu = (CPU["prepare first"], CPU["sdk prepare first"])
        self.table.append((f"{what}, first after the syncs", None, first, first_sdk, *cpu))
        self.table.append((f"{what}, again (median of {PREPARE_SETS} input sets)", None, *again))
        self.table.append(("sign a 128-input transaction", None, sign_s, sdk_sign_s, CPU["sign"], CPU["sdk sign"]))

    def report(self, initial: dict[str, float]) -> None:
        print()
        print(f"sync after {DEPOSITS} new deposits ({self.outputs} outputs on the first {self.main} addresses)")
        print(f"{'what':32} {'addresses':>10} {'seconds':>9}  note")
        for what, n, secs, note in self.rows:
            print(f"{what:32} {n:>10} {secs:>9}  {note}")
        print()
        print("initial catch-up (not the benchmark): " + ", ".join(f"{k} {v:.1f} s" for k, v in initial.items()))
        print()
        print("wall clock per row, and this process's CPU time (ours: event loop + SQLite thread; the SDK's: its")
        print("Rust threads; the devnet's is not counted): on a shared machine CPU varies less than wall clock")
        print()
        columns = "tanglehub | iota-sdk 1.1.4 | ours / SDK | CPU tanglehub | CPU iota-sdk | CPU ours / SDK"
        print(f"| what | addresses | {columns} |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for what, n, mine, theirs, cpu_mine, cpu_theirs in self.table:
            size = "" if n is None else f"{n:,}"
            print(
                f"| {what} | {size} | {_secs(mine)} | {_secs(theirs)} | {_ratio(mine, theirs)} "
                f"| {_secs(cpu_mine)} | {_secs(cpu_theirs)} | {_ratio(cpu_mine, cpu_theirs)} |"
            )


def _secs(seconds: float) -> str:
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1000:.0f} ms" if seconds < 0.1 else f"{seconds:.3f} s"


def _ratio(ours: float, theirs: float) -> str:
    """``2.4x faster`` when ours took less time than the SDK's, else ``1.3x slower``."""
    if ours <= 0 or theirs <= 0:
        return "n/a"
    return f"{theirs / ours:.1f}x faster" if ours <= theirs else f"{ours / theirs:.1f}x slower"


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (100/1k/10k addresses, 2k outputs)")
    parser.add_argument(
        "--loop",
        choices=("uvloop", "asyncio"),
        default="uvloop",
        help="event loop ours runs on (uvloop: as the tanglehub command runs; asyncio: the standard loop)",
    )
    args = parser.parse_args()
    count_requests()
    print(f"event loop: {args.loop}")
    bench = Bench(args.quick)
    if args.loop == "uvloop":
        run(bench.run())
    else:
        asyncio.run(bench.run())


if __name__ == "__main__":
    main()
