"""Acceptance: SIGKILL a wallet process in the middle of sends and syncs, many times, and restart it.

A devnet runs as a child process (data folder, a milestone every 0.25 s). A driver child process
(``tests/faults/drivers/wallet_loop.py``) opens the wallet, recovers, and loops over sync / send / track;
the test kills it with SIGKILL after a seeded random delay, or lets it kill itself at a named point
(``tests/faults/drivers/crashpoints.py``: inside or right after a given database transaction, before or
after a node request). After every kill the wallet file is checked as the crash left it (one NewOutput per
output, one SpentOutput per spent output, the balance log matches the outputs). After the last kill one clean
restart (recover, follow pending transactions, sync) must agree with the devnet's ledger: the same unspent
outputs and balance, no reservation left, every transaction the devnet saw from the wallet stored once and
never two different payloads for the same input.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.faults.harness import PASSWORD, DevnetProcess, Driver, WalletDb, devnet_transactions

from tanglehub.devnet.tangle import INCLUDED
from tanglehub.errors import TanglehubError
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.node import NodePool, OutputQuery
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.ids import blake2b256
from tanglehub.vault import KdfParams
from tanglehub.wallet import SyncMode, SyncOptions, Wallet
from tanglehub.wallet.operations.send import send
from tanglehub.wallet.operations.tracking import recover_after_restart, retry_until_included

pytestmark = pytest.mark.slow

RANDOM_KILLS = 20
"""Random-delay kills per scenario."""
SEND_POINTS = [
    "store:reserve_outputs:after:1",  # inputs reserved, never signed
    "store:insert_transaction:inside:1",  # signed payload never stored (rolled back)
    "store:insert_transaction:after:1",  # stored, block never built
    "node:post_block:before:1",  # block id recorded, never posted
    "node:post_block:after:1",  # posted, the answer never arrived
    "node:post_block:after:2",
    "store:mark_output_spent:inside:1",  # confirmation / sync marking inputs spent, rolled back
    "store:mark_output_spent:after:1",
    "store:release_reservations:after:1",
]
SYNC_POINTS = [
    "store:insert_outputs:inside:1",
    "store:insert_outputs:after:1",
    "store:insert_outputs:after:3",
    "store:mark_output_spent:inside:1",
    "store:mark_output_spent:after:1",
    "store:set_meta:after:2",
    "node:get_utxo_changes_by_index:after:2",  # milestone changes read, not yet applied
]
POINT_KILL_MAX_STEPS = 300
"""Steps a driver may take to reach its named kill point before the test calls the point unreachable."""
LEDGER = SyncOptions(SyncMode.LEDGER)
INDEXER = SyncOptions(SyncMode.INDEXER)
EXTERNAL = Ed25519Address(blake2b256(b"somebody else")).to_bech32("tst")
"""An address outside the wallet (payments there leave the wallet)."""


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevnetProcess]:
    net = DevnetProcess(tmp_path_factory.mktemp("devnet"))
    yield net
    net.stop()


def _pool(devnet: DevnetProcess) -> NodePool:
    return NodePool([devnet.url], max_milestone_age=None)


async def _create(devnet: DevnetProcess, path: Path, *, mnemonic: str | None = None) -> tuple[Wallet, NodePool]:
    pool = _pool(devnet)
    wallet = await Wallet.create(
        path,
        password=PASSWORD,
        coin_type=SHIMMER_COIN_TYPE,
        pool=pool,
        mnemonic=mnemonic,
        kdf=KdfParams.MINIMUM,
        idle_timeout=None,
    )
    account = await wallet.create_account("main")
    await account.generate_addresses(7)
    return wallet, pool


async def _funded_wallet(devnet: DevnetProcess, path: Path, payments: int) -> tuple[list[str], str]:
    """A closed wallet with 8 public addresses, ``payments`` faucet outputs, synced; (addresses, mnemonic)."""
    wallet, pool = await _create(devnet, path)
    mnemonic = wallet.take_new_mnemonic()
    account = await wallet.get_account("main")
    addresses = [a.bech32 for a in await account.addresses(internal=False)]
    for i in range(payments):
        devnet.faucet(addresses[i % len(addresses)])
    devnet.wait_milestones(2)
    await wallet.sync(LEDGER)
    assert len(await account.unspent_outputs()) == payments
    await wallet.close()
    await pool.aclose()
    return addresses, mnemonic


def _driver(path: Path, devnet: DevnetProcess, mode: str, seed: int, label: str | None = None) -> Driver:
    args = [str(path), devnet.url, "--mode", mode, "--seed", str(seed), "--external", EXTERNAL]
    if label is not None:
        # The driver kills itself at the point; the cap only ends a run that never gets there. It is generous
        # because how soon a point comes depends on timing (sends fail fast while every input is reserved).
        args += ["--steps", str(POINT_KILL_MAX_STEPS)]
    env = {"TANGLEHUB_CRASH_AT": label} if label else {}
    return Driver("tests.faults.drivers.wallet_loop", args, env, log_path=path.parent / f"{path.name}-driver.log")


def _check_db(path: Path) -> None:
    db = WalletDb(path / "wallet.db")
    try:
        db.check_consistent()
    finally:
        db.close()


def _random_kill(path: Path, devnet: DevnetProcess, mode: str, seed: int, rng: random.Random) -> None:
    driver = _driver(path, devnet, mode, seed).start()
    try:
        assert driver.wait_for("ready") == "ready", driver.lines
        time.sleep(rng.uniform(0.0, 0.9))
    finally:
        driver.kill()
    assert not [line for line in driver.lines if line.startswith("crash")]
    _check_db(path)


def _point_kill(path: Path, devnet: DevnetProcess, mode: str, seed: int, label: str) -> None:
    driver = _driver(path, devnet, mode, seed, label).start()
    code = driver.wait_exit(180)
    assert f"crash {label}" in driver.lines, f"{label} was never reached: {driver.lines[-5:]}"
    assert code == -9
    _check_db(path)


async def _final_restart(devnet: DevnetProcess, path: Path) -> None:
    """The clean restart after the last kill: recover, follow every pending transaction, sync both ways."""
    pool = _pool(devnet)
    wallet = await Wallet.open(path, password=PASSWORD, pool=pool, idle_timeout=None)
    try:
        account = await wallet.get_account("main")
        report = await recover_after_restart(account)
        for rec in report.pending:
            await retry_until_included(account, rec.tx_id, interval=0.25, max_attempts=80)
        await wallet.sync(LEDGER)
        await wallet.sync(INDEXER)
        db = WalletDb(path / "wallet.db")
        try:
            await _check_against_ledger(wallet, db, pool)
        finally:
            db.close()
    finally:
        await wallet.close()
        await pool.aclose()


async def _check_against_ledger(wallet: Wallet, db: WalletDb, pool: NodePool) -> None:
    db.check_consistent()
    account = await wallet.get_account("main")
    ours: set[bytes] = set()
    for address in await account.addresses():
        ours.update(await pool.all_output_ids(OutputQuery(unlockable_by_address=address.bech32)))
    stored_unspent = {r.output_id for r in await account.unspent_outputs()}
    assert stored_unspent == ours, "the wallet's unspent outputs differ from the ledger's"
    ledger_total = sum(r.output.amount for r in await pool.get_outputs(sorted(ours)))
    assert (await account.balance()).base_coin.total == ledger_total
    txs = db.transactions()
    assert {state for state, _ in txs.values()} <= {"confirmed", "conflicting"}, "a transaction stayed pending"
    assert db.reservations() == {}, "an input stayed reserved"
    inclusions = [e for e in db.events("TransactionInclusion") if e.get("state") == "confirmed"]
    confirmed = {tx_id for tx_id, (state, _) in txs.items() if state == "confirmed"}
    assert sorted(str(e["transactionId"]) for e in inclusions) == sorted("0x" + t.hex() for t in confirmed)


def _check_devnet_blocks(devnet: DevnetProcess, path: Path) -> tuple[int, int]:
    """Every transaction the devnet received that spends a wallet output is stored in the wallet; no input
    is spent by two different payloads; confirmed in the wallet = included on the devnet. Returns
    (wallet transactions, blocks carrying them)."""
    devnet.wait_milestones(2)  # the devnet writes blocks to its store at milestones
    db = WalletDb(path / "wallet.db")
    try:
        outputs = {bytes.fromhex(k[2:]) for k in db.outputs()}
        stored = db.transactions()
    finally:
        db.close()
    spenders: dict[bytes, set[bytes]] = defaultdict(set)
    included: set[bytes] = set()
    blocks = 0
    for _, payload, state in devnet_transactions(devnet.data_dir):
        inputs = [u.output_id for u in payload.essence.inputs]
        if not any(oid in outputs for oid in inputs):
            continue
        blocks += 1
        tx_id = payload.transaction_id()
        assert tx_id in stored, f"the devnet got transaction 0x{tx_id.hex()} the wallet does not know"
        assert stored[tx_id][1] == payload
        for oid in inputs:
            spenders[oid].add(tx_id)
        if state == INCLUDED:
            included.add(tx_id)
    twice = {oid.hex(): len(t) for oid, t in spenders.items() if len(t) > 1}
    assert twice == {}, "inputs were sent in two different transactions"
    assert included == {t for t, (state, _) in stored.items() if state == "confirmed"}
    return len(stored), blocks


async def test_kill_during_send_many_times(devnet: DevnetProcess, tmp_path: Path) -> None:
    path = tmp_path / "sender"
    await _funded_wallet(devnet, path, payments=8)
    rng = random.Random(4218)
    for seed in range(RANDOM_KILLS):
        _random_kill(path, devnet, "send", seed, rng)
    for seed, label in enumerate(SEND_POINTS, start=100):
        _point_kill(path, devnet, "send", seed, label)
    await _final_restart(devnet, path)
    stored, blocks = _check_devnet_blocks(devnet, path)
    assert stored >= 10, "too few sends got far enough to be stored; the kills are not reaching the send path"
    assert blocks >= stored


async def test_kill_during_sync_many_times(devnet: DevnetProcess, tmp_path: Path) -> None:
    """The synced wallet receives faucet deposits and sees its outputs spent by a twin wallet (same mnemonic,
    another directory, driven by this process) while it is killed again and again."""
    path = tmp_path / "syncer"
    addresses, mnemonic = await _funded_wallet(devnet, path, payments=4)
    twin, twin_pool = await _create(devnet, tmp_path / "twin", mnemonic=mnemonic)
    twin_account = await twin.get_account("main")
    rng = random.Random(4219)
    spends = 0
    try:
        labels: list[str | None] = [None] * RANDOM_KILLS + list(SYNC_POINTS)
        for seed, label in enumerate(labels):
            devnet.faucet(rng.choice(addresses))
            await twin.sync(LEDGER)
            try:
                await send(twin_account, 100_000 * rng.randint(1, 3), rng.choice(addresses))
                spends += 1
            except TanglehubError:  # e.g. the twin's outputs are all still reserved by pending spends
                pass
            if label is None:
                _random_kill(path, devnet, "sync", seed, rng)
            else:
                devnet.wait_milestones(1)
                _point_kill(path, devnet, "sync", seed, label)
    finally:
        await twin.close()
        await twin_pool.aclose()
    assert spends >= 5
    devnet.wait_milestones(2)
    await _final_restart(devnet, path)
