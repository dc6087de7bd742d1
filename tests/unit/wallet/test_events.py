"""The event log: written with the change (outbox), read exactly once per consumer cursor, JSON round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from tanglehub.wallet.errors import WalletArgumentError
from tanglehub.wallet.events import (
    EVENT_TYPES,
    BalanceChange,
    EventBus,
    NewOutput,
    SpentOutput,
    TransactionInclusion,
    TransactionProgress,
    event_from_json,
)
from tanglehub.wallet.storage import WalletStore

SAMPLES = [
    NewOutput(0, b"\x01" * 34, "tst1q", 5, 3, 7, 1_700_000_000, {"0x08" + "00" * 37: 2**200}),
    SpentOutput(1, b"\x02" * 34, 9, b"\x03" * 32, 8, 1_700_000_001),
    SpentOutput(1, b"\x02" * 34, 9, None, None, None),
    TransactionInclusion(2, b"\x04" * 32, "conflicting", b"\x05" * 32, 9, 4),
    TransactionProgress(0, "signing", None, "3 inputs"),
    BalanceChange(3, 10, 4),
]


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: e.kind)
def test_events_round_trip_through_json(event) -> None:
    assert event_from_json(event.kind, event.to_json()) == event


def test_every_kind_is_known_and_unknown_kinds_are_refused() -> None:
    assert set(EVENT_TYPES) == {e.kind for e in SAMPLES}
    with pytest.raises(WalletArgumentError):
        event_from_json("Nope", {})


@pytest.fixture
async def store(tmp_path: Path):
    s = WalletStore.open(tmp_path / "wallet.db", create=True)
    yield s
    s.close()


async def test_stream_delivers_each_event_once_per_acknowledgement(store: WalletStore) -> None:
    bus = EventBus(store, poll_interval=0.05)
    for event in SAMPLES:
        await store.write(lambda tx, e=event: tx.add_event(e))
    stream = bus.stream("c")
    seen = []
    while (d := await stream.next(timeout=0.05)) is not None:
        seen.append(d)
    assert [d.event for d in seen] == SAMPLES
    await stream.ack(seen[2].seq)
    replay = bus.stream("c")
    rest = []
    while (d := await replay.next(timeout=0.05)) is not None:
        rest.append(d.seq)
    assert rest == [d.seq for d in seen[3:]]
    assert await bus.stream("other").cursor() == 0
    await bus.close()


async def test_a_rolled_back_change_leaves_no_event(store: WalletStore) -> None:
    bus = EventBus(store)
    delivered = []
    await bus.subscribe(delivered.append)

    def fail(tx):
        tx.add_event(SAMPLES[0])
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await store.write(fail)
    await store.write(lambda tx: tx.add_event(SAMPLES[1]))
    await bus.flush()
    assert [d.event for d in delivered] == [SAMPLES[1]]
    assert [d.event for d in await bus.history()] == [SAMPLES[1]]
    await bus.close()


async def test_a_failing_callback_does_not_stop_delivery(store: WalletStore, caplog) -> None:
    bus = EventBus(store)
    good = []

    def bad(_):
        raise ValueError("callback bug")

    await bus.subscribe(bad)
    await bus.subscribe(good.append, kinds=["BalanceChange"], account_index=3)
    for event in SAMPLES:
        await store.write(lambda tx, e=event: tx.add_event(e))
    await bus.flush()
    assert [d.event for d in good] == [SAMPLES[-1]]
    assert "callback" in caplog.text
    await bus.close()


async def test_bus_arguments_are_checked(store: WalletStore) -> None:
    bus = EventBus(store)
    with pytest.raises(WalletArgumentError, match="after"):
        await bus.history(after="x")  # type: ignore[arg-type]
    with pytest.raises(WalletArgumentError, match="limit"):
        await bus.history(limit=0)
    with pytest.raises(WalletArgumentError, match="unknown wallet event kind"):
        await bus.history(kinds=[5])  # type: ignore[list-item]
    assert await bus.history(kinds="NewOutput") == []  # one kind name alone is fine
    with pytest.raises(WalletArgumentError, match="callback"):
        await bus.subscribe(None)  # type: ignore[arg-type]
    with pytest.raises(WalletArgumentError, match="batch"):
        bus.stream("c", batch=0)
    with pytest.raises(WalletArgumentError, match="seq"):
        await bus.stream("c").ack(-1)
    await bus.close()


@pytest.mark.parametrize(
    "payload", [{}, {"accountIndex": "x"}, {"accountIndex": 0, "step": "Broadcasting", "blockId": "0xzz"}]
)
def test_a_malformed_logged_event_is_a_wallet_error(payload: dict[str, object]) -> None:
    with pytest.raises(WalletArgumentError, match="malformed"):
        event_from_json("TransactionProgress", payload)


async def test_ack_beyond_the_last_delivered_event_is_refused(store: WalletStore) -> None:
    """Issue 7: acking a sequence number no delivered event reached would skip later events forever."""
    bus = EventBus(store, poll_interval=0.05)
    for event in SAMPLES[:3]:
        await store.write(lambda tx, e=event: tx.add_event(e))
    stream = bus.stream("c")
    first = await stream.next(timeout=0.05)
    assert first is not None
    last = await bus.last_seq()
    for beyond in (first.seq + 1, last, last + 100, 10**9):
        with pytest.raises(
            WalletArgumentError, match=f"cannot acknowledge event {beyond}.* delivered is {first.seq}"
        ):
            await stream.ack(beyond)
    assert await stream.cursor() == 0  # nothing was stored
    for bad in (-1, "3", 2.0, True, None):
        with pytest.raises(WalletArgumentError, match="seq must be an integer"):
            await stream.ack(bad)  # type: ignore[arg-type]
    assert await stream.ack(first.seq) == first.seq
    # a fresh stream of the same consumer has delivered nothing yet: only its stored cursor may be acked
    fresh = bus.stream("c")
    assert await fresh.ack(first.seq) == first.seq
    with pytest.raises(WalletArgumentError, match="cannot acknowledge"):
        await fresh.ack(first.seq + 1)
    # the events after the cursor are still delivered, none skipped
    rest = []
    while (d := await fresh.next(timeout=0.05)) is not None:
        rest.append(d.event)
        assert await fresh.ack(d.seq) == d.seq
    assert rest == SAMPLES[1:3]
    await bus.close()
