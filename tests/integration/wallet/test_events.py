"""Events: callbacks after commit, durable streams that resume after a crash, exactly one log entry each."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tests.wallet_fixtures import Devnet, open_again

from tanglehub.wallet import BalanceChange, DeliveredEvent, NewOutput, WalletArgumentError


async def test_callbacks_get_new_outputs_and_balance_changes(wallet_factory, devnet: Devnet) -> None:
    wallet = await wallet_factory()
    account = await wallet.get_account("main")
    got: list[DeliveredEvent] = []
    balance_only: list[DeliveredEvent] = []
    await wallet.events.subscribe(got.append)

    async def on_balance(delivered: DeliveredEvent) -> None:
        balance_only.append(delivered)

    await wallet.events.subscribe(on_balance, kinds=[BalanceChange])
    await devnet.fund((await account.addresses())[0].bech32)
    await account.sync()
    await wallet.events.flush()
    assert [d.event.kind for d in got] == ["NewOutput", "BalanceChange"]
    [change] = [d.event for d in balance_only]
    assert isinstance(change, BalanceChange)
    assert (change.before, change.after, change.delta) == (0, devnet.faucet_amount, devnet.faucet_amount)
    assert got[0].seq < got[1].seq
    with pytest.raises(WalletArgumentError):
        await wallet.events.subscribe(got.append, kinds=["NoSuchEvent"])


async def test_stream_waits_for_new_events(wallet_factory, devnet: Devnet) -> None:
    wallet = await wallet_factory()
    account = await wallet.get_account("main")
    stream = wallet.events.stream("ui", kinds=[NewOutput])
    waiting = asyncio.create_task(stream.next(timeout=30))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await devnet.fund((await account.addresses())[0].bech32)
    await account.sync()
    delivered = await waiting
    assert delivered is not None
    assert isinstance(delivered.event, NewOutput)
    assert delivered.event.amount == devnet.faucet_amount
    assert await stream.next(timeout=0.05) is None


async def test_stream_resumes_after_a_crash_without_loss(wallet_factory, devnet: Devnet, tmp_path: Path) -> None:
    wallet = await wallet_factory("w")
    account = await wallet.get_account("main")
    address = (await account.addresses())[0].bech32
    for _ in range(3):
        await devnet.fund(address)
        await account.sync()
    stream = wallet.events.stream("hub", kinds=[NewOutput])
    first = await stream.next(timeout=1)
    second = await stream.next(timeout=1)
    assert first is not None
    assert second is not None
    await stream.ack(first.seq)
    await wallet.close()  # "crash": the second event was read but never acknowledged

    again = await open_again(devnet, tmp_path / "w")
    try:
        resumed = again.events.stream("hub", kinds=[NewOutput])
        seen = []
        while (d := await resumed.next(timeout=0.2)) is not None:
            seen.append(d)
            await resumed.ack(d.seq)
        assert seen[0].seq == second.seq
        assert len(seen) == 2
        assert len({d.event.output_id for d in seen} | {first.event.output_id}) == 3
        assert await again.events.stream("hub").cursor() == seen[-1].seq
        assert await again.events.stream("hub", kinds=[NewOutput]).next(timeout=0.05) is None
        # the log holds every event once, whatever was re-read
        history = await again.events.history(kinds=[NewOutput])
        assert len(history) == 3
    finally:
        await again.close()


async def test_stream_ends_when_the_wallet_closes(wallet_factory) -> None:
    wallet = await wallet_factory()
    stream = wallet.events.stream("x")

    async def consume() -> list[DeliveredEvent]:
        return [d async for d in stream]

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.05)
    await wallet.events.close()
    assert await asyncio.wait_for(task, 5) == []
