"""TransactionProgress on the devnet: a send logs every step in order, callbacks and streams receive them,
a reattachment logs ``Reattaching``, local proof of work logs ``PerformingPow``."""

from __future__ import annotations

import asyncio

from tests.wallet_fixtures import Devnet

from tanglehub.protocol.pow import min_pow_score_met
from tanglehub.wallet import DeliveredEvent, TransactionProgress
from tanglehub.wallet.events import ProgressStep
from tanglehub.wallet.operations.tracking import track_transaction
from tanglehub.wallet.operations.transaction.context import NodeView
from tanglehub.wallet.operations.transaction.submit import build_block

SEND_STEPS = ["SelectingInputs", "PreparedTransaction", "SignedTransaction", "Broadcasting"]


async def steps_of(wallet) -> list[TransactionProgress]:  # type: ignore[no-untyped-def]
    return [d.event for d in await wallet.events.history(kinds=[TransactionProgress])]  # type: ignore[misc]


async def test_a_send_logs_each_step_and_subscribers_get_them(wallet_factory, devnet: Devnet) -> None:
    wallet = await wallet_factory("alice", funded=1)
    alice = await wallet.get_account("main")
    seen: list[DeliveredEvent] = []
    await wallet.events.subscribe(seen.append, kinds=[TransactionProgress])
    stream = wallet.events.stream("ui", kinds=["TransactionProgress"])
    to = (await alice.addresses(internal=False))[0].bech32
    rec = await alice.send(100_000, to)
    logged = await steps_of(wallet)
    assert [e.step for e in logged] == SEND_STEPS
    assert [e.transaction_id for e in logged[2:]] == [rec.tx_id, rec.tx_id]
    assert logged[3].block_id == rec.block_id
    await wallet.events.flush()
    assert [d.event.step for d in seen] == SEND_STEPS  # type: ignore[union-attr]
    streamed = [await asyncio.wait_for(stream.next(), 5) for _ in SEND_STEPS]
    assert [d.event.step for d in streamed if d is not None] == SEND_STEPS  # type: ignore[union-attr]


async def test_a_lost_block_is_reattached_with_a_reattaching_step(wallet_factory, devnet: Devnet) -> None:
    wallet = await wallet_factory("alice", funded=1)
    alice = await wallet.get_account("main")
    devnet.node.faults.replace(devnet.node.faults.settings.updated({"loseNextBlocks": 1}))
    rec = await alice.send(100_000, (await alice.addresses(internal=False))[0].bech32)
    again = await track_transaction(alice, rec.tx_id)
    last = (await steps_of(wallet))[-1]
    assert last.step == ProgressStep.REATTACHING
    assert (last.transaction_id, last.block_id) == (rec.tx_id, again.block_id)


async def test_local_proof_of_work_logs_performing_pow(wallet_factory, devnet: Devnet) -> None:
    wallet = await wallet_factory("alice", funded=1)
    alice = await wallet.get_account("main")
    rec = await alice.send(100_000, (await alice.addresses(internal=False))[0].bech32)
    params = wallet.protocol_parameters
    view = NodeView(params, 0, min_pow_score=1, remote_pow=False, protocol_version=params.version)
    block = await build_block(alice, rec.payload, view)
    assert min_pow_score_met(block.to_bytes(), 1)  # the nonce was really searched for, not left at 0
    last = (await steps_of(wallet))[-1]
    assert (last.step, last.transaction_id) == (ProgressStep.PERFORMING_POW, rec.tx_id)
