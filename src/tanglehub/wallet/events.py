"""Wallet events: what happened to outputs, transactions and balances, delivered from a durable log.

Every event is written to the state store's ``events`` table in the same database transaction as the change
it reports (see :mod:`tanglehub.wallet.storage`), so it exists exactly once whatever crashes. Two ways to
receive them:

* **Callbacks** (:meth:`EventBus.subscribe`): called on the event loop for every event committed after the
  subscription, in log order. Handy for logging and UIs; not durable across restarts.
* **Streams** (:meth:`EventBus.stream`): ``async for delivered in wallet.events.stream("hub")`` starts after
  the consumer's stored cursor and waits for new events; ``await stream.ack(delivered.seq)`` stores the
  cursor. A consumer that crashes before acknowledging sees the unacknowledged events again, so with
  idempotent handling (or acknowledging in the same transaction as its own effect) nothing is missed.

The event types themselves live in :mod:`tanglehub.wallet.event_types` and are re-exported here.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import partial

from tanglehub.wallet.checks import check_int
from tanglehub.wallet.errors import WalletArgumentError
from tanglehub.wallet.event_types import (
    EVENT_TYPES,
    BalanceChange,
    NewOutput,
    ProgressStep,
    SpentOutput,
    TransactionInclusion,
    TransactionProgress,
    WalletEvent,
    event_from_json,
)
from tanglehub.wallet.storage import StoreTx, WalletStore
from tanglehub.wallet.storage_schema import EventRecord

__all__ = [
    "BalanceChange",
    "DeliveredEvent",
    "EVENT_TYPES",
    "EventBus",
    "EventStream",
    "NewOutput",
    "ProgressStep",
    "SpentOutput",
    "Subscription",
    "TransactionInclusion",
    "TransactionProgress",
    "WalletEvent",
    "event_from_json",
]

log = logging.getLogger("tanglehub.wallet.events")


@dataclass(frozen=True, slots=True)
class DeliveredEvent:
    """An event as read from the log: its sequence number, when it was recorded, and the event."""

    seq: int
    created_at: int
    event: WalletEvent

    @classmethod
    def from_record(cls, record: EventRecord) -> DeliveredEvent:
        """Decode a stored event row."""
        return cls(record.seq, record.created_at, event_from_json(record.kind, record.payload))


Callback = Callable[[DeliveredEvent], Awaitable[None] | None]


def _kind_names(kinds: Iterable[str | type[WalletEvent]] | None) -> frozenset[str] | None:
    if kinds is None:
        return None
    items: Iterable[object] = [kinds] if isinstance(kinds, str | type) else kinds
    if not isinstance(items, Iterable):
        raise WalletArgumentError("kinds must be a list of event kind names or event classes")
    names = frozenset(k if isinstance(k, str) else str(getattr(k, "KIND", repr(k))) for k in items)
    unknown = names - set(EVENT_TYPES)
    if unknown:
        raise WalletArgumentError(f"unknown wallet event kind(s) {sorted(unknown)}; known: {sorted(EVENT_TYPES)}")
    return names


@dataclass(slots=True)
class Subscription:
    """A registered callback; :meth:`cancel` stops it."""

    callback: Callback
    kinds: frozenset[str] | None
    account_index: int | None
    bus: EventBus

    def matches(self, event: DeliveredEvent) -> bool:
        """True when the callback wants ``event``."""
        if self.kinds is not None and event.event.kind not in self.kinds:
            return False
        return self.account_index is None or event.event.account_index == self.account_index

    def cancel(self) -> None:
        """Stop calling the callback."""
        self.bus.unsubscribe(self)


class EventBus:
    """Feeds callbacks and streams from the durable event log of one wallet's store."""

    def __init__(self, store: WalletStore, *, poll_interval: float = 1.0) -> None:
        self._store = store
        self._poll_interval = poll_interval
        self._loop = asyncio.get_running_loop()
        self._signal = asyncio.Event()
        self._subscriptions: list[Subscription] = []
        self._dispatched = 0
        self._dispatcher: asyncio.Task[None] | None = None
        self._closed = False
        store.add_commit_listener(self._on_commit)

    # -- notification -------------------------------------------------------------------------------------

    def _on_commit(self, last_seq: int) -> None:
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._wake()
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        signal, self._signal = self._signal, asyncio.Event()
        signal.set()

    @property
    def signal(self) -> asyncio.Event:
        """Set at the next commit that adds events (take it *before* reading the log, then wait on it)."""
        return self._signal

    async def wait_on(self, signal: asyncio.Event, timeout: float | None = None) -> None:
        """Return when ``signal`` fires (new events), after ``timeout`` seconds, or when the bus closes."""
        if self._closed:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(signal.wait(), timeout)

    # -- history ------------------------------------------------------------------------------------------

    async def history(
        self, after: int = 0, *, limit: int = 1000, kinds: Iterable[str | type[WalletEvent]] | None = None
    ) -> list[DeliveredEvent]:
        """Logged events with a sequence number above ``after`` (oldest first, at most ``limit``)."""
        check_int(after, "after", 0)
        check_int(limit, "limit", 1, 100_000)
        names = _kind_names(kinds)
        records = await self._store.read(lambda tx: tx.events_after(after, limit=limit, kinds=names))
        return [DeliveredEvent.from_record(r) for r in records]

    async def last_seq(self) -> int:
        """The newest sequence number in the log (0 when empty)."""
        return await self._store.read(lambda tx: tx.last_event_seq_stored())

    # -- callbacks ----------------------------------------------------------------------------------------

    async def subscribe(
        self,
        callback: Callback,
        kinds: Iterable[str | type[WalletEvent]] | None = None,
        *,
        account_index: int | None = None,
    ) -> Subscription:
        """Call ``callback(delivered)`` (plain or async) for every matching event committed from now on."""
        if not callable(callback):
            raise WalletArgumentError(f"callback must be a function, got {type(callback).__name__}")
        if account_index is not None:
            check_int(account_index, "account_index", 0)
        sub = Subscription(callback, _kind_names(kinds), account_index, self)
        if self._dispatcher is None:
            self._dispatched = await self.last_seq()
            self._dispatcher = asyncio.create_task(self._dispatch(), name="wallet-event-dispatch")
        self._subscriptions.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Remove a subscription (no error if already removed)."""
        if sub in self._subscriptions:
            self._subscriptions.remove(sub)

    async def _dispatch(self) -> None:
        while not self._closed:
            signal = self._signal
            records = await self._store.read(lambda tx: tx.events_after(self._dispatched, limit=500))
            for record in records:
                self._dispatched = record.seq
                delivered = DeliveredEvent.from_record(record)
                for sub in list(self._subscriptions):
                    if sub.matches(delivered):
                        await self._call(sub, delivered)
            if not records:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(signal.wait(), self._poll_interval)

    @staticmethod
    async def _call(sub: Subscription, delivered: DeliveredEvent) -> None:
        try:
            result = sub.callback(delivered)
            if inspect.isawaitable(result):
                await result
        except Exception:  # a broken callback must not stop delivery to the others; it is logged
            log.exception("wallet event callback %r failed on event %d", sub.callback, delivered.seq)

    async def flush(self) -> None:
        """Wait until every event committed so far has been handed to the callbacks."""
        target = await self.last_seq()
        while self._dispatcher is not None and self._dispatched < target and not self._dispatcher.done():
            self._wake()
            await asyncio.sleep(0.01)

    # -- streams ------------------------------------------------------------------------------------------

    def stream(
        self, consumer: str, kinds: Iterable[str | type[WalletEvent]] | None = None, *, batch: int = 100
    ) -> EventStream:
        """A durable stream for ``consumer`` that resumes after its last acknowledged event."""
        if not isinstance(consumer, str) or not consumer:
            raise WalletArgumentError("an event stream needs a non-empty consumer name")
        check_int(batch, "batch", 1, 10_000)
        return EventStream(self, self._store, consumer, _kind_names(kinds), batch)

    # -- closing ------------------------------------------------------------------------------------------

    async def close(self) -> None:
        """Stop the dispatcher and end every stream."""
        self._closed = True
        self._store.remove_commit_listener(self._on_commit)
        self._wake()
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher
            self._dispatcher = None

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._closed

    @property
    def poll_interval(self) -> float:
        """Seconds a waiting stream sleeps before looking at the log again without a commit signal."""
        return self._poll_interval


def _events_after(position: int, batch: int, kinds: frozenset[str] | None, tx: StoreTx) -> list[EventRecord]:
    return tx.events_after(position, limit=batch, kinds=kinds)


class EventStream:
    """``async for delivered in stream``: events after the consumer's cursor, waiting for new ones.

    The iteration ends when the wallet closes. :meth:`ack` stores the cursor durably.
    """

    def __init__(
        self, bus: EventBus, store: WalletStore, consumer: str, kinds: frozenset[str] | None, batch: int
    ) -> None:
        self._bus = bus
        self._store = store
        self.consumer = consumer
        self._kinds = kinds
        self._batch = batch
        self._position: int | None = None
        self._buffer: list[EventRecord] = []

    async def ack(self, seq: int) -> int:
        """Record that every event up to ``seq`` was handled; return the stored cursor (it never moves back).

        ``seq`` must be an event this stream has delivered (at most the last delivered one, or the stored
        cursor when nothing was delivered yet): acknowledging beyond it would skip events nobody handled, so
        it raises :class:`WalletArgumentError` and stores nothing. A non-integer or negative ``seq`` raises
        the same error.
        """
        check_int(seq, "seq", 0)

        def store(tx: StoreTx) -> int:
            current = tx.get_cursor(self.consumer)
            delivered = max(current, self._position or 0)
            if seq > delivered:
                newest = tx.last_event_seq_stored()
                raise WalletArgumentError(
                    f"cannot acknowledge event {seq} for consumer {self.consumer!r}: the last event this "
                    f"stream delivered is {delivered} (the log ends at {newest}); acknowledge only events "
                    "you received, or later events would be skipped unhandled"
                )
            return tx.set_cursor(self.consumer, seq)

        return await self._store.write(store)

    async def cursor(self) -> int:
        """The consumer's stored cursor."""
        return await self._store.read(lambda tx: tx.get_cursor(self.consumer))

    async def next(self, timeout: float | None = None) -> DeliveredEvent | None:
        """The next event, waiting at most ``timeout`` seconds (None = until one arrives or the bus closes)."""
        if self._position is None:
            self._position = await self.cursor()
        deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
        while not self._buffer:
            if self._bus.closed:
                return None
            position = self._position
            signal = self._bus.signal
            self._buffer = await self._store.read(partial(_events_after, position, self._batch, self._kinds))
            if self._buffer:
                break
            remaining = None if deadline is None else deadline - asyncio.get_running_loop().time()
            if remaining is not None and remaining <= 0:
                return None
            poll = self._bus.poll_interval
            wait = poll if remaining is None else min(remaining, poll)
            await self._bus.wait_on(signal, wait)
        record = self._buffer.pop(0)
        self._position = record.seq
        return DeliveredEvent.from_record(record)

    def __aiter__(self) -> AsyncIterator[DeliveredEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[DeliveredEvent]:
        while True:
            delivered = await self.next()
            if delivered is None:
                return
            yield delivered
