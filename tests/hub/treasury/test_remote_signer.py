"""The hub against a real ``tanglehub signer serve`` process over mutual TLS (SQLite and PostgreSQL).

* The hub has no vault: it derives its addresses and signs through the signer; withdrawals and a sweep are
  paid, a withdrawal above the signer's per-withdrawal limit fails with the signer's reason code (refunded).
* The signer is SIGKILLed in the middle of signing requests many times during a withdrawal run (CI-sized by
  default, 200 kills with ``TANGLEHUB_FAULTS_FULL=1``): every withdrawal is paid exactly once, the signer's
  durable counters hold each withdrawal once (its window limit is exactly the run's total, so one double count
  would refuse a withdrawal), and the books balance.
"""

from __future__ import annotations

import asyncio
import os
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.hub.conftest import Chain, plain
from tests.hub.helpers import balance, new_user_address, scan_all
from tests.hub.treasury.signer_process import SignerProcess, policy_text

from tanglehub.hub.context import HubContext, open_hub
from tanglehub.hub.errors import HubNetworkMismatch
from tanglehub.hub.ledger.reconcile import reconcile
from tanglehub.hub.models.payout import Batch, Withdrawal
from tanglehub.hub.payouts.reconcile import holdings_differences
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.withdrawals import service
from tanglehub.hub.workers.batcher import Batcher
from tanglehub.hub.workers.pool import fill_pool
from tanglehub.hub.workers.treasurer import Treasurer
from tanglehub.protocol.address import Ed25519Address
from tanglehub.signer.client import RemoteSigner
from tanglehub.signer.errors import SignerUnavailable

FULL = os.environ.get("TANGLEHUB_FAULTS_FULL") == "1"
KILLS = 200 if FULL else 12
WITHDRAWALS = 150 if FULL else 24


@pytest.fixture
def signer_folder(tmp_path: Path) -> Path:
    """Where the signer process keeps its vault, policy, state and certificates."""
    return tmp_path / "signer"


async def _open(settings: HubSettings, chain: Chain, sp: SignerProcess) -> HubContext:
    settings.signer_url = sp.url
    settings.signer_ca = sp.ca
    settings.signer_client_cert = sp.client_cert
    settings.signer_client_key = sp.client_key
    settings.batch_wait = 0.0
    settings.reissue_after = 0.0
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return await open_hub(settings, transport_factory=chain.transport_factory)


async def _batcher(ctx: HubContext, signer: Any) -> Batcher:
    info = await ctx.node.get_info()
    return Batcher(ctx, signer, info.protocol_parameters(), info.min_pow_score)


async def _round(batcher: Batcher, chain: Chain) -> None:
    try:
        await batcher.round()
    except SignerUnavailable:
        await asyncio.sleep(0.05)
    chain.milestone()


def _ask(ctx: HubContext, rent: Any, key: str, user: str, address: Ed25519Address, amount: int) -> Withdrawal:
    with ctx.sessionmaker() as session:
        row, _ = service.request_withdrawal(
            session,
            key,
            service.WithdrawalRequest(user, address.to_bech32("tst"), str(amount)),
            hrp="tst",
            rent=rent,
            approval_threshold=None,
        )
        return row


def _withdrawals(ctx: HubContext) -> list[Withdrawal]:
    with ctx.sessionmaker() as session:
        return list(session.scalars(select(Withdrawal).order_by(Withdrawal.id)))


def _on_ledger(chain: Chain, address: Ed25519Address) -> list[int]:
    node = chain.node
    return sorted(int(node.output(o).output.amount) for o in node.indexer.oids_for_address(address.to_bytes()))


async def _books_ok(ctx: HubContext) -> None:
    with ctx.sessionmaker() as session:
        assert holdings_differences(session) == []
    with ctx.sessionmaker() as session:
        report = await reconcile(session, ctx.node)
    assert report.ok, report.differences


async def test_the_hub_pays_through_a_signer_process_over_mutual_tls(
    hub_settings: HubSettings, chain: Chain, signer_folder: Path
) -> None:
    sp = SignerProcess(signer_folder, policy_text(max_per_withdrawal=8_000_000))
    sp.start()
    ctx = await _open(hub_settings, chain, sp)
    try:
        await _pays_through_the_signer(ctx, sp, chain)
    finally:
        await ctx.aclose()
        sp.stop()


async def _pays_through_the_signer(ctx: HubContext, sp: SignerProcess, chain: Chain) -> None:
    assert isinstance(ctx.signer, RemoteSigner)
    assert ctx.vault is None
    assert not (ctx.settings.data_dir / "hub.vault").exists()
    batcher = await _batcher(ctx, ctx.signer)
    await fill_pool(ctx)
    addresses = {u: new_user_address(ctx, u) for u in ("alice", "bob")}
    chain.fund_payer(2)
    chain.pay([plain(20_000_000, a) for a in addresses.values()])
    await scan_all(ctx)
    assert balance(ctx, "alice") == 20_000_000
    rent = batcher.params.rent_structure
    ok_to, big_to = Ed25519Address(bytes([1]) * 32), Ed25519Address(bytes([2]) * 32)
    ok = _ask(ctx, rent, "w-ok", "alice", ok_to, 5_000_000)
    big = _ask(ctx, rent, "w-big", "bob", big_to, 9_000_000)
    for _ in range(4):
        await _round(batcher, chain)
    got = {w.id: w for w in _withdrawals(ctx)}
    assert got[ok.id].state == "confirmed"
    assert (got[big.id].state, got[big.id].reason_code) == ("failed", "WITHDRAWAL_LIMIT")
    assert _on_ledger(chain, ok_to) == [5_000_000]
    assert _on_ledger(chain, big_to) == []
    assert (balance(ctx, "alice"), balance(ctx, "bob")) == (15_000_000, 20_000_000)  # bob refunded once
    # a sweep through the same signer
    ctx.settings.sweep_min_outputs = 1
    assert len(Treasurer(ctx, batcher.params).round()) == 1
    for _ in range(3):
        await _round(batcher, chain)
    with ctx.sessionmaker() as session:
        kinds = {(b.kind, b.state) for b in session.scalars(select(Batch))}
    assert ("sweep", "confirmed") in kinds
    decisions = [d for _, d in sp.decisions()]
    assert "refused" in decisions
    assert "signed" in decisions
    assert list(sp.counted().values()) == [5_000_000]
    await _books_ok(ctx)


async def test_a_signer_of_another_network_is_refused_at_start(
    hub_settings: HubSettings, chain: Chain, signer_folder: Path
) -> None:
    sp = SignerProcess(signer_folder, policy_text().replace("tanglehub-devnet", "another-net"))
    sp.start()
    try:
        with pytest.raises(HubNetworkMismatch, match="signs for network 'another-net'"):
            await _open(hub_settings, chain, sp)
    finally:
        sp.stop()


class KillingSigner:
    """Wraps the hub's remote signer: on most sign calls it SIGKILLs the signer process a few milliseconds
    after the request left (mid-request: the signer may or may not have committed its answer), then restarts
    it, until ``kills`` kills happened."""

    def __init__(self, inner: RemoteSigner, sp: SignerProcess, kills: int, rng: random.Random) -> None:
        self.inner = inner
        self.sp = sp
        self.left = kills
        self.rng = rng
        self.mid_request = 0
        self._lock = asyncio.Lock()

    async def derive_addresses(self, account: int, change: int, start: int, count: int) -> list[bytes]:
        return await self.inner.derive_addresses(account, change, start, count)

    async def sign(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.left <= 0 or self._lock.locked() or self.rng.random() < 0.2:
            return await self.inner.sign(request)
        async with self._lock:  # one kill-and-restart at a time; concurrent calls just see the outage
            self.left -= 1
            call = asyncio.ensure_future(self.inner.sign(request))
            await asyncio.sleep(self.rng.uniform(0.0, 0.03))
            if not call.done():
                self.mid_request += 1
            await asyncio.to_thread(self.sp.kill)
            try:
                return await call
            finally:
                await asyncio.to_thread(self.sp.start)


@pytest.mark.slow
async def test_signer_killed_mid_request_many_times_pays_everything_once(
    hub_settings: HubSettings, chain: Chain, signer_folder: Path
) -> None:
    rng = random.Random(11)
    amounts = [rng.randrange(1_000_000, 3_000_000) for _ in range(WITHDRAWALS)]
    total = sum(amounts)
    # the window limit is exactly the run's total: counting any withdrawal twice would refuse a later one
    sp = SignerProcess(signer_folder, policy_text(max_per_window=total))
    sp.start()
    hub_settings.batch_max = 2
    ctx = await _open(hub_settings, chain, sp)
    try:
        assert isinstance(ctx.signer, RemoteSigner)
        killer = KillingSigner(ctx.signer, sp, KILLS, rng)
        batcher = await _batcher(ctx, killer)
        await fill_pool(ctx)
        users = [f"u{i}" for i in range(4)]
        addresses = {u: new_user_address(ctx, u) for u in users}
        chain.fund_payer(4)
        chain.pay([plain(total // 4 + 10_000_000, a) for a in addresses.values()])
        await scan_all(ctx)
        rent = batcher.params.rent_structure
        dests = [Ed25519Address(rng.randbytes(32)) for _ in amounts]
        waiting = list(enumerate(zip(amounts, dests, strict=True)))
        rounds = 0
        while waiting or any(w.state != "confirmed" for w in _withdrawals(ctx)) or killer.left > 0:
            for i, (amount, dest) in waiting[:2]:  # withdrawals keep arriving while the signer is killed
                _ask(ctx, rent, f"k{i}", users[i % 4], dest, amount)
            del waiting[:2]
            await _round(batcher, chain)
            rounds += 1
            assert rounds < 40 * (KILLS + WITHDRAWALS), "the run did not complete"
            if not waiting and killer.left > 0 and all(w.state == "confirmed" for w in _withdrawals(ctx)):
                break  # everything paid before every kill was spent: enough
        assert sp.starts > KILLS // 2
        assert killer.mid_request > 0
        rows = _withdrawals(ctx)
        assert {w.state for w in rows} == {"confirmed"}
        for amount, dest in zip(amounts, dests, strict=True):
            assert _on_ledger(chain, dest) == [amount]  # paid exactly once, the right amount
        counted = sp.counted()
        assert len(counted) == WITHDRAWALS
        assert sum(counted.values()) == total  # each withdrawal counted once against the limits
        # more rounds pay nothing more
        for _ in range(3):
            await _round(batcher, chain)
        for amount, dest in zip(amounts, dests, strict=True):
            assert _on_ledger(chain, dest) == [amount]
        await _books_ok(ctx)
    finally:
        await ctx.aclose()
        sp.stop()
