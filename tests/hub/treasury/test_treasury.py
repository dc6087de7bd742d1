"""Sweeps, the hot/cold treasury and recoveries on the in-process devnet (SQLite and PostgreSQL), signed by the
in-process signer under its policy: deposits consolidated into a hot address and marked swept, the surplus above
the ceiling moved to the cold address (and a cold address the signer does not know refused), the floor alert
raised and cleared once each, uncreditable deposits sent back honouring their storage deposit return and
carrying their NFT; the books and the reconciliation after each."""

from __future__ import annotations

import dataclasses
import time
from collections import Counter

import pytest
from sqlalchemy import select
from tests.hub.conftest import HUB_MNEMONIC, plain
from tests.hub.helpers import events, new_user_address, scan_all
from tests.hub.payouts.conftest import PayoutHub

from tanglehub.hub.ledger import repository as ledger
from tanglehub.hub.ledger.reconcile import reconcile
from tanglehub.hub.models.deposit import Deposit
from tanglehub.hub.models.payout import Batch, HubOutput
from tanglehub.hub.models.recovery import Recovery
from tanglehub.hub.payouts.reconcile import holdings_differences
from tanglehub.hub.recoveries import service as recoveries
from tanglehub.hub.recoveries.errors import RecoveryAddressInvalid, RecoveryNotPossible
from tanglehub.hub.signing import InProcessSigner
from tanglehub.hub.treasury import service as treasury
from tanglehub.hub.workers.pool import fill_pool
from tanglehub.hub.workers.treasurer import Treasurer
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.ids import nft_id_from_output_id
from tanglehub.protocol.output import (
    ExpirationUnlockCondition,
    NftOutput,
    StorageDepositReturnUnlockCondition,
)
from tanglehub.vault import MnemonicSigner

COLD = Ed25519Address(bytes([0xC0]) * 32)


def _oid(tx_id: bytes, index: int) -> str:
    return "0x" + tx_id.hex() + index.to_bytes(2, "little").hex()


def _on_ledger(ph: PayoutHub, address: Ed25519Address) -> list[int]:
    node = ph.chain.node
    return sorted(int(node.output(o).output.amount) for o in node.indexer.oids_for_address(address.to_bytes()))


def _batches(ph: PayoutHub, kind: str) -> list[Batch]:
    with ph.ctx.sessionmaker() as session:
        return list(session.scalars(select(Batch).where(Batch.kind == kind).order_by(Batch.id)))


def _books_ok(ph: PayoutHub) -> None:
    with ph.ctx.sessionmaker() as session:
        assert holdings_differences(session) == []


async def _reconciled(ph: PayoutHub) -> None:
    with ph.ctx.sessionmaker() as session:
        report = await reconcile(session, ph.ctx.node)
    assert report.ok, report.differences


async def _deposit(ph: PayoutHub, amounts: dict[str, int]) -> dict[str, Ed25519Address]:
    await fill_pool(ph.ctx)
    addresses = {u: new_user_address(ph.ctx, u) for u in amounts}
    ph.chain.fund_payer(2)
    ph.chain.pay([plain(a, addresses[u]) for u, a in amounts.items()])
    await scan_all(ph.ctx)
    await ph.batcher.round()  # hot addresses derived, credited deposits recorded as hub outputs
    return addresses


def _treasurer(ph: PayoutHub) -> Treasurer:
    return Treasurer(ph.ctx, ph.batcher.params)


def _status(ph: PayoutHub) -> treasury.TreasuryStatus:
    with ph.ctx.sessionmaker() as session:
        return treasury.status(session, ph.ctx.settings)


async def test_sweep_policy_consolidates_deposits_into_the_hot_address(payout_hub: PayoutHub) -> None:
    ph = payout_hub
    ph.ctx.settings.sweep_min_outputs = 4
    ph.ctx.settings.sweep_max_age = 3600.0
    users = await _deposit(ph, {"u1": 1_000_000, "u2": 2_000_000, "u3": 3_000_000})
    t = _treasurer(ph)
    assert t.round() == []  # three waiting, four needed, none old enough: no sweep
    ph.ctx.settings.sweep_max_age = 0.001  # now the oldest is old enough
    built = t.round()
    assert len(built) == 1
    assert t.round() == []  # one sweep in flight at a time
    await ph.run(rounds=3)
    (sweep,) = _batches(ph, "sweep")
    assert sweep.state == "confirmed"
    for address in users.values():
        assert _on_ledger(ph, address) == []  # the deposit addresses are empty on the ledger
    with ph.ctx.sessionmaker() as session:
        hot = list(
            session.scalars(select(HubOutput).where(HubOutput.origin == "hot", HubOutput.state == "unspent"))
        )
        deposits = list(session.scalars(select(HubOutput).where(HubOutput.origin == "deposit")))
    assert [h.amount for h in hot] == [6_000_000]
    assert {d.state for d in deposits} == {"spent"}
    assert _on_ledger(ph, Ed25519Address(hot[0].address_hash)) == [6_000_000]
    swept = events(ph.ctx, ["deposit.swept"])
    assert sorted(e.data["amount"] for e in swept) == ["1000000", "2000000", "3000000"]
    assert {e.data["userId"] for e in swept} == {"u1", "u2", "u3"}
    assert len(events(ph.ctx, ["sweep.confirmed"])) == 1
    # the user balances did not move; the books and the ledger agree
    st = _status(ph)
    assert (st.hot, st.hot_deposits, st.hot_addresses, st.users_total) == (6_000_000, 0, 6_000_000, 6_000_000)
    _books_ok(ph)
    await _reconciled(ph)
    # later rounds sweep nothing more (nothing waits) and pay nothing twice
    assert t.round() == []
    await ph.run(rounds=2)
    assert len(_batches(ph, "sweep")) == 1
    assert len(events(ph.ctx, ["deposit.swept"])) == 3


async def test_sweep_takes_at_most_the_configured_inputs(payout_hub: PayoutHub) -> None:
    ph = payout_hub
    ph.ctx.settings.sweep_min_outputs = 2
    ph.ctx.settings.sweep_max_inputs = 3
    await _deposit(ph, {f"u{i}": 1_000_000 + i for i in range(5)})
    t = _treasurer(ph)
    for _ in range(3):
        t.round()
        await ph.run(rounds=2)
    sweeps = _batches(ph, "sweep")
    assert [b.state for b in sweeps] == ["confirmed", "confirmed"]
    assert [len(b.request or "") > 0 for b in sweeps] == [True, True]
    counts = sorted(
        len(e.data["outputs"]) if isinstance(e.data["outputs"], list) else int(str(e.data["outputs"]))
        for e in events(ph.ctx, ["sweep.confirmed"])
    )
    assert counts == [2, 3]
    _books_ok(ph)
    await _reconciled(ph)


async def test_ceiling_moves_the_surplus_to_cold_and_the_floor_alerts_once(payout_hub: PayoutHub) -> None:
    ph = payout_hub
    s = ph.ctx.settings
    s.cold_address = COLD.to_bech32("tst")
    s.hot_ceiling, s.hot_target, s.hot_floor = 5_000_000, 3_000_000, 2_000_000
    # the in-process signer's policy comes from the settings: give it the cold address too
    mnemonic = MnemonicSigner(HUB_MNEMONIC)
    signer = InProcessSigner(s, mnemonic, state_path=s.data_dir / "cold-signer.db")
    await signer.derive_addresses(s.hot_account, 0, 0, 1)  # it knows the hot address as its own
    ph.batcher.cfg = dataclasses.replace(ph.batcher.cfg, signer=signer)
    await _deposit(ph, {"a": 4_000_000, "b": 4_000_000})
    t = _treasurer(ph)
    assert len(t.round()) == 1  # free 8,000,000 > ceiling: move 5,000,000 (down to the target)
    assert _status(ph).cold_in_flight == 5_000_000
    assert t.round() == []  # one move in flight at a time
    await ph.run(rounds=3)
    (move,) = _batches(ph, "treasury")
    assert move.state == "confirmed"
    assert _on_ledger(ph, COLD) == [5_000_000]
    st = _status(ph)
    assert (st.hot, st.cold_sent, st.cold_in_flight, st.liabilities) == (3_000_000, 5_000_000, 0, 8_000_000)
    with ph.ctx.sessionmaker() as session:
        assert ledger.balance_of(session, treasury.COLD_ACCOUNT) == 5_000_000
    assert [e.data["amount"] for e in events(ph.ctx, ["treasury.moved"])] == ["5000000"]
    assert events(ph.ctx, ["treasury.below_floor"]) == []
    # the floor: free drops below it once hot shrinks (a lower target this time), one alert for many rounds
    s.hot_ceiling, s.hot_target, s.hot_floor = 2_500_000, 1_000_000, 1_500_000
    t.round()
    await ph.run(rounds=3)
    t.round()
    t.round()
    assert [e.data["free"] for e in events(ph.ctx, ["treasury.below_floor"])] == ["1000000"]
    assert _status(ph).below_floor
    # funds arrive: the alert clears once
    s.hot_ceiling = 50_000_000
    await _deposit(ph, {"c": 5_000_000})
    t.round()
    t.round()
    assert len(events(ph.ctx, ["treasury.floor_restored"])) == 1
    assert not _status(ph).below_floor
    assert _on_ledger(ph, COLD) == [2_000_000, 5_000_000]
    await signer.aclose()
    mnemonic.close()
    await _reconciled(ph)


async def test_a_cold_address_the_signer_does_not_know_is_refused(payout_hub: PayoutHub) -> None:
    ph = payout_hub
    s = ph.ctx.settings
    # the hub's configuration names a cold address, but its signer's policy (built before) has none
    s.cold_address = COLD.to_bech32("tst")
    s.hot_ceiling = 1_000_000
    await _deposit(ph, {"a": 4_000_000})
    worker = _treasurer(ph)
    worker.round()
    await ph.run(rounds=2)
    (move,) = _batches(ph, "treasury")
    assert move.state == "refused"
    assert (move.reason or "").startswith("FOREIGN_OUTPUT")
    assert [e.data["reason"] for e in events(ph.ctx, ["treasury.move_refused"])] == [move.reason]
    assert _on_ledger(ph, COLD) == []
    st = _status(ph)
    assert (st.hot, st.cold_sent) == (4_000_000, 0)
    with ph.ctx.sessionmaker() as session:
        assert {o.state for o in session.scalars(select(HubOutput))} == {"unspent"}  # inputs given back
    _books_ok(ph)
    # refused: the next rounds wait (back-off) instead of asking the signer again every round
    step = max(s.treasury_interval, 1.0)
    for _ in range(3):
        assert worker.round() == []
    with ph.ctx.sessionmaker() as session:
        assert treasury.refusal_backoff(session, s, worker.started_ms) == (1, 2 * step)
    # once the wait has passed, one attempt; refused again, the wait doubles (one refusal event per attempt)
    with ph.ctx.sessionmaker() as session:
        again = treasury.build_move(
            session, s, ph.batcher.params, int(time.time()) + 3600, refusals_since_ms=worker.started_ms
        )
    assert again is not None
    await ph.run(rounds=2)
    assert [b.state for b in _batches(ph, "treasury")] == ["refused", "refused"]
    assert len(events(ph.ctx, ["treasury.move_refused"])) == 2
    with ph.ctx.sessionmaker() as session:
        assert treasury.refusal_backoff(session, s, worker.started_ms) == (2, 4 * step)
        # a restarted worker (perhaps with another signer) or another cold address ends the back-off
        assert treasury.refusal_backoff(session, s, int(time.time() * 1000) + 1) == (0, 0.0)
        s.cold_address = Ed25519Address(bytes([0x44]) * 32).to_bech32("tst")
        assert treasury.refusal_backoff(session, s, worker.started_ms) == (0, 0.0)


async def test_recoveries_return_uncreditable_deposits(payout_hub: PayoutHub) -> None:
    ph = payout_hub
    await fill_pool(ph.ctx)
    alice = new_user_address(ph.ctx, "alice")
    bob = new_user_address(ph.ctx, "bob")
    ph.chain.fund_payer(2)
    now = int(ph.chain.now[0])
    tx = ph.chain.pay(
        [
            plain(
                1_000_000,
                alice,
                StorageDepositReturnUnlockCondition(ph.chain.payer, 42_600),
                ExpirationUnlockCondition(ph.chain.payer, now + 3600),
            ),
            plain(50_000, bob),  # below the minimum deposit
            NftOutput(amount=100_000, unlock_conditions=plain(1, bob).unlock_conditions),
            plain(2_000_000, bob),  # credited: not recoverable
            plain(  # almost all of it is the sender's storage deposit: the hub adds the rest from hot funds
                51_000,
                alice,
                StorageDepositReturnUnlockCondition(ph.chain.payer, 42_600),
                ExpirationUnlockCondition(ph.chain.payer, now + 3600),
            ),
        ]
    )
    await scan_all(ph.ctx)
    await ph.batcher.round()
    params = ph.batcher.params
    operator = Ed25519Address(bytes([0x0F]) * 32)
    payer_before = _on_ledger(ph, ph.chain.payer)

    async def recover(oid: str, address: str | None = None) -> Recovery:
        with ph.ctx.sessionmaker() as session:
            return await recoveries.request_recovery(session, ph.ctx.node, ph.ctx.settings, params, oid, address)

    sdr = await recover(_oid(tx, 0))
    tight = await recover(_oid(tx, 4), operator.to_bech32("tst"))
    assert tight.return_amount == 42_600
    assert tight.topup > 0
    assert tight.amount == 8_400 + tight.topup
    assert (sdr.address_source, sdr.amount, sdr.return_amount, sdr.topup) == ("return", 957_400, 42_600, 0)
    small = await recover(_oid(tx, 1))
    assert (small.address_source, small.address, small.amount) == (
        "input",
        ph.chain.payer.to_bech32("tst"),
        50_000,
    )
    nft = await recover(_oid(tx, 2), operator.to_bech32("tst"))
    assert (nft.address_source, nft.nft_id) == (
        "request",
        "0x" + nft_id_from_output_id(bytes.fromhex(_oid(tx, 2)[2:])).hex(),
    )
    # a repeat answers the same recovery; credited deposits, unknown and foreign addresses are refused
    assert (await recover(_oid(tx, 0))).id == sdr.id
    with pytest.raises(RecoveryNotPossible, match="credited"):
        await recover(_oid(tx, 3))
    with pytest.raises(RecoveryAddressInvalid, match=r"address of .*only addresses of its own network"):
        await recover(_oid(tx, 1), operator.to_bech32("iota"))
    await ph.run(rounds=3)
    with ph.ctx.sessionmaker() as session:
        rows = {r.deposit_output_id: r for r in session.scalars(select(Recovery))}
        statuses = {d.output_id: d.status for d in session.scalars(select(Deposit))}
        assert ledger.balance_of(session, recoveries.RECOVERED_ACCOUNT) == 1_201_000 + tight.topup
        assert ledger.balance_of(session, recoveries.UNCREDITED_ACCOUNT) == -1_201_000
        assert ledger.balance_of(session, treasury.HOT_WALLET_ACCOUNT) == -tight.topup
    assert {r.state for r in rows.values()} == {"confirmed"}
    assert [statuses[_oid(tx, i)] for i in range(5)] == ["recovered"] * 3 + ["credited", "recovered"]
    # the payer got the storage deposit return, the rest of that deposit and the small deposit back
    # (the indexer also lists the deposit with the payer as its expiration return address, until it is spent)
    new = Counter(_on_ledger(ph, ph.chain.payer))
    new.subtract(Counter(payer_before))
    assert +new == Counter([42_600, 957_400, 50_000, 42_600])
    at_operator = [
        ph.chain.node.output(o).output for o in ph.chain.node.indexer.oids_for_address(operator.to_bytes())
    ]
    assert sorted(int(getattr(o, "amount", 0)) for o in at_operator) == sorted([100_000, tight.amount])
    (nft_out,) = [o for o in at_operator if isinstance(o, NftOutput)]
    assert isinstance(nft_out, NftOutput)
    assert "0x" + nft_out.nft_id.hex() == nft.nft_id
    assert len(events(ph.ctx, ["recovery.confirmed"])) == 4

    _books_ok(ph)
    await _reconciled(ph)
