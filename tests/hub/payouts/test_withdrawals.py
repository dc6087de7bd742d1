"""Withdrawals end to end on the in-process devnet (SQLite and PostgreSQL): requested, batched, signed by the
in-process signer under its policy, submitted, confirmed; every refusal with its code; cancel and approval;
short hot funds; a held block reissued with the same payload; a batch proven dead and its withdrawal paid
once by a new one; the books and the reconciliation after each."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select
from tests.hub.conftest import HUB_MNEMONIC, key_of, plain
from tests.hub.helpers import balance, events, new_user_address, scan_all
from tests.hub.payouts.conftest import PayoutHub

from tanglehub.errors import TanglehubError
from tanglehub.hub.errors import IdempotencyConflict, InsufficientBalance
from tanglehub.hub.ledger.reconcile import reconcile
from tanglehub.hub.models.payout import Batch, HubOutput, Withdrawal
from tanglehub.hub.payouts.reconcile import holdings_differences
from tanglehub.hub.payouts.withdrawal_batches import read_short
from tanglehub.hub.signing import InProcessSigner
from tanglehub.hub.withdrawals import service
from tanglehub.hub.withdrawals.errors import (
    WithdrawalAmountInvalid,
    WithdrawalBelowMinimum,
    WithdrawalStateConflict,
    WithdrawalWrongNetwork,
)
from tanglehub.hub.workers.batcher import Batcher
from tanglehub.hub.workers.pool import fill_pool
from tanglehub.keys.ed25519 import public_key, sign
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.block import PROTOCOL_VERSION, Block
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.payload import TransactionEssence, TransactionPayload, inputs_commitment
from tanglehub.protocol.unlock import Ed25519Signature, SignatureUnlock
from tanglehub.signer.authorization import sign_authorization
from tanglehub.vault import MnemonicSigner


def _rent(ph: PayoutHub):  # type: ignore[no-untyped-def]
    return ph.batcher.params.rent_structure


def _ask(ph: PayoutHub, key: str, user: str, address: str, amount: str) -> Withdrawal:
    with ph.ctx.sessionmaker() as session:
        row, _ = service.request_withdrawal(
            session,
            key,
            service.WithdrawalRequest(user, address, amount),
            hrp="tst",
            rent=_rent(ph),
            approval_threshold=ph.ctx.settings.withdrawal_approval_threshold,
        )
        return row


def _get(ph: PayoutHub, wid: int) -> Withdrawal:
    with ph.ctx.sessionmaker() as session:
        return service.get_withdrawal(session, str(wid))


def _external(seed: int) -> Ed25519Address:
    return Ed25519Address(bytes([seed]) * 32)


def _paid_outputs(ph: PayoutHub, address: Ed25519Address) -> list[int]:
    node = ph.chain.node
    return [int(node.output(o).output.amount) for o in node.indexer.oids_for_address(address.to_bytes())]


async def _funded(ph: PayoutHub, users: dict[str, int]) -> dict[str, Ed25519Address]:
    await fill_pool(ph.ctx)
    addresses = {u: new_user_address(ph.ctx, u) for u in users}
    ph.chain.fund_payer(2)
    ph.chain.pay([plain(a, addresses[u]) for u, a in users.items()])
    await scan_all(ph.ctx)
    return addresses


def _books_ok(ph: PayoutHub) -> None:
    with ph.ctx.sessionmaker() as session:
        assert holdings_differences(session) == []


async def test_withdrawal_paid_once_and_books_balance(payout_hub: PayoutHub) -> None:
    ph = payout_hub
    await _funded(ph, {"alice": 20_000_000, "bob": 30_000_000})
    dest = [_external(i) for i in (1, 2, 3)]
    a1 = _ask(ph, "k1", "alice", dest[0].to_bech32("tst"), "5000000")
    a2 = _ask(ph, "k2", "alice", dest[1].to_bech32("tst"), "6000000")
    b1 = _ask(ph, "k3", "bob", dest[2].to_bech32("tst"), "7000000")
    assert balance(ph.ctx, "alice") == 9_000_000
    assert a1.state == "queued"
    _books_ok(ph)
    await ph.run(rounds=3)
    for w, d, amount in ((a1, dest[0], 5_000_000), (a2, dest[1], 6_000_000), (b1, dest[2], 7_000_000)):
        got = _get(ph, w.id)
        assert got.state == "confirmed", got.state
        assert got.transaction_id
        assert got.block_id
        assert got.milestone
        assert _paid_outputs(ph, d) == [amount]
    # one batch carried all three, and the remainder came back to the hub's hot address
    with ph.ctx.sessionmaker() as session:
        batches = list(session.scalars(select(Batch)))
        assert [b.state for b in batches] == ["confirmed"]
        hot = list(session.scalars(select(HubOutput).where(HubOutput.origin == "hot")))
        assert len(hot) == 1
        assert hot[0].state == "unspent"
    _books_ok(ph)
    kinds = [e.kind for e in events(ph.ctx) if e.kind.startswith("withdrawal.")]
    assert kinds.count("withdrawal.confirmed") == 3
    assert kinds.count("withdrawal.submitted") == 3
    # more rounds and milestones change nothing: nothing paid twice
    await ph.run(rounds=2)
    assert _paid_outputs(ph, dest[0]) == [5_000_000]
    with ph.ctx.sessionmaker() as session:
        report = await reconcile(session, ph.ctx.node)
    assert report.ok, report.differences


async def test_refusals_each_with_its_code(payout_hub: PayoutHub) -> None:
    ph = payout_hub
    addresses = await _funded(ph, {"carol": 20_000_000, "dave": 1_000_000})
    good = _external(9).to_bech32("tst")
    with pytest.raises(WithdrawalWrongNetwork, match="Shimmer mainnet"):
        _ask(ph, "w1", "carol", _external(9).to_bech32("smr"), "1000000")
    with pytest.raises(WithdrawalBelowMinimum, match="storage deposit"):
        _ask(ph, "w2", "carol", good, "10")
    with pytest.raises(WithdrawalAmountInvalid):
        _ask(ph, "w3", "carol", good, "-5")
    with pytest.raises(InsufficientBalance):
        _ask(ph, "w4", "carol", good, "20000001")
    first = _ask(ph, "w5", "carol", good, "1000000")
    assert _ask(ph, "w5", "carol", good, "1000000").id == first.id
    with pytest.raises(IdempotencyConflict):
        _ask(ph, "w5", "carol", good, "1000001")
    assert balance(ph.ctx, "carol") == 19_000_000
    # to another user's deposit address: settled internally, no transaction
    internal = _ask(ph, "w6", "carol", addresses["dave"].to_bech32("tst"), "2000000")
    assert internal.state == "confirmed"
    assert internal.internal
    assert balance(ph.ctx, "dave") == 3_000_000
    # cancel refunds once; a second cancel changes nothing; cancel after signing is refused
    cancelled = _ask(ph, "w7", "carol", good, "3000000")
    with ph.ctx.sessionmaker() as session:
        service.cancel(session, str(cancelled.id))
    with ph.ctx.sessionmaker() as session:
        service.cancel(session, str(cancelled.id))
    assert balance(ph.ctx, "carol") == 17_000_000
    # above the approval threshold: waits for approval
    big = _ask(ph, "w8", "carol", good, "10000000")
    assert big.state == "awaiting_approval"
    await ph.run(rounds=2)
    assert _get(ph, big.id).state == "awaiting_approval"
    assert _get(ph, first.id).state == "confirmed"
    with ph.ctx.sessionmaker() as session:
        service.approve(session, str(big.id))
    await ph.run(rounds=2)
    assert _get(ph, big.id).state == "confirmed"
    with ph.ctx.sessionmaker() as session, pytest.raises(WithdrawalStateConflict):
        service.cancel(session, str(big.id))
    assert sorted(_paid_outputs(ph, _external(9))) == [1_000_000, 10_000_000]
    assert balance(ph.ctx, "carol") == 7_000_000
    _books_ok(ph)


async def test_short_hot_funds_wait_in_order(payout_hub: PayoutHub) -> None:
    ph = payout_hub
    ph.ctx.settings.withdrawal_approval_threshold = None
    await _funded(ph, {"erin": 30_000_000})
    # erin's balance is moved in by a transfer-like internal credit: a second user deposits later
    dest = _external(5).to_bech32("tst")
    w1 = _ask(ph, "s1", "erin", dest, "20000000")
    await ph.run(rounds=2)
    assert _get(ph, w1.id).state == "confirmed"
    # now the hub holds 10 M; erin has 10 M; frank deposits after his withdrawal would be short
    w2 = _ask(ph, "s2", "erin", dest, "10000000")
    with ph.ctx.sessionmaker() as session:
        for o in session.scalars(select(HubOutput).where(HubOutput.state == "unspent")):
            o.state = "spent"  # the hot funds vanish from the hub's view: simulate a cold move elsewhere
        session.commit()
    await ph.run(rounds=2)
    assert _get(ph, w2.id).state == "queued"
    assert [e.kind for e in events(ph.ctx, ["payouts.short_funds"])] == ["payouts.short_funds"]
    with ph.ctx.sessionmaker() as session:
        assert read_short(session) == 10_000_000  # what /metrics shows as tanglehub_hub_payouts_short_funds
    await _funded(ph, {"frank": 15_000_000})
    await ph.run(rounds=3)
    assert _get(ph, w2.id).state == "confirmed"
    assert [e.kind for e in events(ph.ctx, ["payouts.funds_available"])] == ["payouts.funds_available"]
    with ph.ctx.sessionmaker() as session:
        assert read_short(session) == 0


async def test_held_block_is_reissued_with_the_same_payload(payout_hub: PayoutHub) -> None:
    ph = payout_hub
    await _funded(ph, {"gina": 20_000_000})
    dest = _external(6)
    w = _ask(ph, "h1", "gina", dest.to_bech32("tst"), "4000000")
    ph.chain.node.faults.replace(ph.chain.node.faults.settings.updated({"holdNextBlocks": 1}))
    await ph.run(rounds=3)
    done = _get(ph, w.id)
    assert done.state == "confirmed"
    submitted = events(ph.ctx, ["batch.submitted"])
    reissued = events(ph.ctx, ["batch.reissued"])
    assert len(submitted) == 1
    assert reissued
    assert {e.data["transactionId"] for e in submitted + reissued} == {done.transaction_id}
    assert submitted[0].data["blockId"] != done.block_id
    assert _paid_outputs(ph, dest) == [4_000_000]
    _books_ok(ph)


async def test_dead_batch_only_on_proof_then_paid_once(payout_hub: PayoutHub) -> None:
    ph = payout_hub
    await _funded(ph, {"hank": 20_000_000})
    dest = _external(7)
    w = _ask(ph, "d1", "hank", dest.to_bech32("tst"), "4000000")
    faults = ph.chain.node.faults
    faults.replace(faults.settings.updated({"loseNextBlocks": 100}))
    await ph.batcher.round()  # built, signed, submitted; the node loses every block of it
    with ph.ctx.sessionmaker() as session:
        batch = session.scalars(select(Batch)).one()
        reserved = session.scalars(select(HubOutput).where(HubOutput.reserved_by == batch.id)).one()
    # someone with the hub's keys spends the reserved input in another transaction
    key = key_of(HUB_MNEMONIC, 0, reserved.address_index)
    spent_output = ph.chain.node.output(bytes.fromhex(reserved.output_id[2:])).output
    essence = TransactionEssence(
        ph.chain.node.network_id,
        (UtxoInput.from_output_id(bytes.fromhex(reserved.output_id[2:])),),
        inputs_commitment([spent_output]),
        (plain(spent_output.amount, _external(8)),),
    )
    payload = TransactionPayload(
        essence, (SignatureUnlock(Ed25519Signature(public_key(key), sign(key, essence.hash()))),)
    )
    ph.chain.node.submit_own_block(Block(PROTOCOL_VERSION, tuple(ph.chain.node.tips()), payload, 0))
    ph.chain.milestone()
    faults.replace(faults.settings.updated({"loseNextBlocks": 0}))
    await ph.run(rounds=1, milestones=False)
    with ph.ctx.sessionmaker() as session:
        assert session.get(Batch, batch.id).state == "dead"  # type: ignore[union-attr]
    assert _get(ph, w.id).state == "queued"
    # hank's money is still pending, not refunded; the hub has no funds left, so he waits
    assert balance(ph.ctx, "hank") == 16_000_000
    await _funded(ph, {"ivan": 10_000_000})
    await ph.run(rounds=3)
    assert _get(ph, w.id).state == "confirmed"
    assert _paid_outputs(ph, dest) == [4_000_000]
    assert balance(ph.ctx, "hank") == 16_000_000


def test_parse_amount_and_destination() -> None:
    assert service.parse_amount("123") == 123
    for bad in ("0", "1.5", "abc", "", "99999999999999999999999"):
        with pytest.raises(TanglehubError):
            service.parse_amount(bad)
    assert isinstance(service.parse_destination(_external(3).to_bech32("tst"), "tst"), Ed25519Address)


async def test_signer_refusal_fails_only_that_withdrawal_with_its_reason(payout_hub: PayoutHub) -> None:
    ph = payout_hub
    ph.ctx.settings.withdrawal_approval_threshold = None
    await _funded(ph, {"jane": 30_000_000})
    # a signer whose policy allows at most 5 M per withdrawal (its state is new: it re-derives the hot addresses)
    ph.ctx.settings.withdrawal_max_amount = 5_000_000
    mnemonic = MnemonicSigner(HUB_MNEMONIC)
    strict = InProcessSigner(ph.ctx.settings, mnemonic, state_path=ph.ctx.settings.data_dir / "strict.db")
    ph.batcher = Batcher(ph.ctx, strict, ph.batcher.params, 0)
    small = _ask(ph, "r1", "jane", _external(11).to_bech32("tst"), "3000000")
    big = _ask(ph, "r2", "jane", _external(12).to_bech32("tst"), "9000000")
    await ph.run(rounds=4)
    assert _get(ph, small.id).state == "confirmed"
    failed = _get(ph, big.id)
    assert failed.state == "failed"
    assert failed.reason_code == "WITHDRAWAL_LIMIT"
    assert balance(ph.ctx, "jane") == 27_000_000  # 30 M - 3 M paid; the 9 M came back once
    assert _paid_outputs(ph, _external(12)) == []
    assert [e.data["withdrawalId"] for e in events(ph.ctx, ["withdrawal.failed"])] == [str(big.id)]
    _books_ok(ph)
    await strict.aclose()
    mnemonic.close()


async def test_signer_requiring_authorization_pays_only_authorized_withdrawals(payout_hub: PayoutHub) -> None:
    ph = payout_hub
    ph.ctx.settings.withdrawal_approval_threshold = None
    await _funded(ph, {"kim": 30_000_000})
    exchange_key = bytes(range(32))
    mnemonic = MnemonicSigner(HUB_MNEMONIC)
    strict = InProcessSigner(ph.ctx.settings, mnemonic, state_path=ph.ctx.settings.data_dir / "auth.db")
    limits = replace(
        strict.policy.limits, require_authorization=True, authorization_keys=(public_key(exchange_key),)
    )
    strict.policy = strict.service.policy = replace(strict.policy, limits=limits)
    ph.batcher = Batcher(ph.ctx, strict, ph.batcher.params, 0)
    paid_to = _external(21).to_bech32("tst")
    signature = sign_authorization(exchange_key, "kim", paid_to, 4_000_000, "a1")
    with ph.ctx.sessionmaker() as session:
        authorized, _ = service.request_withdrawal(
            session,
            "a1",
            service.WithdrawalRequest("kim", paid_to, "4000000", authorization="0x" + signature.hex().upper()),
            hrp="tst",
            rent=_rent(ph),
            approval_threshold=None,
        )
    bare = _ask(ph, "a2", "kim", _external(22).to_bech32("tst"), "2000000")
    await ph.run(rounds=4)
    assert _get(ph, authorized.id).state == "confirmed"
    assert _paid_outputs(ph, _external(21)) == [4_000_000]
    failed = _get(ph, bare.id)
    assert failed.state == "failed"
    assert failed.reason_code == "AUTHORIZATION_MISSING"
    assert _paid_outputs(ph, _external(22)) == []
    assert balance(ph.ctx, "kim") == 26_000_000
    _books_ok(ph)
    await strict.aclose()
    mnemonic.close()


async def test_idempotency_compares_the_normalized_request(payout_hub: PayoutHub) -> None:
    ph = payout_hub
    ph.ctx.settings.withdrawal_approval_threshold = None
    await _funded(ph, {"lou": 20_000_000})
    dest = _external(31).to_bech32("tst")
    first = _ask(ph, "n1", "lou", dest, "5000000")
    assert _ask(ph, "n1", "lou", dest, "0005000000").id == first.id
    assert _ask(ph, "n1", "lou", dest.upper(), "5000000").id == first.id
    with pytest.raises(IdempotencyConflict):
        _ask(ph, "n1", "lou", dest, "5000001")
    assert balance(ph.ctx, "lou") == 15_000_000


async def test_a_remainder_below_the_storage_deposit_is_named_as_the_reason(payout_hub: PayoutHub) -> None:
    ph = payout_hub
    ph.ctx.settings.withdrawal_approval_threshold = None
    await _funded(ph, {"max": 10_000_000})
    # the hub holds exactly 10 M: paying 10 M - 1000 would leave 1000, below a remainder's storage deposit
    waiting = _ask(ph, "m1", "max", _external(41).to_bech32("tst"), "9999000")
    await ph.run(rounds=2)
    got = _get(ph, waiting.id)
    assert got.state == "queued"
    assert got.reason is not None
    assert "remainder below storage deposit" in got.reason
    (short,) = events(ph.ctx, ["payouts.short_funds"])
    assert short.data["reason"] == "remainder below storage deposit"
