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
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Any, ClassVar, TypeAlias

from tanglehub.wallet.checks import check_int
from tanglehub.wallet.errors import WalletArgumentError
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


def _hex(data: bytes | None) -> str | None:
    return None if data is None else "0x" + data.hex()


def _unhex(value: object) -> bytes | None:
    return None if value is None else bytes.fromhex(str(value)[2:])


@dataclass(frozen=True, slots=True)
class NewOutput:
    """An output to one of the account's addresses appeared on the ledger."""

    KIND: ClassVar[str] = "NewOutput"
    account_index: int
    output_id: bytes
    address: str
    amount: int
    output_type: int
    booked_index: int
    booked_timestamp: int
    native_tokens: dict[str, int]

    @property
    def kind(self) -> str:
        """The event kind name."""
        return self.KIND

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object (amounts as decimal strings, ids as 0x hex)."""
        return {
            "accountIndex": self.account_index,
            "outputId": _hex(self.output_id),
            "address": self.address,
            "amount": str(self.amount),
            "outputType": self.output_type,
            "bookedIndex": self.booked_index,
            "bookedTimestamp": self.booked_timestamp,
            "nativeTokens": {k: str(v) for k, v in sorted(self.native_tokens.items())},
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> NewOutput:
        """Rebuild from :meth:`to_json`."""
        return cls(
            int(d["accountIndex"]),
            _unhex(d["outputId"]) or b"",
            str(d["address"]),
            int(d["amount"]),
            int(d["outputType"]),
            int(d["bookedIndex"]),
            int(d["bookedTimestamp"]),
            {str(k): int(v) for k, v in d.get("nativeTokens", {}).items()},
        )


@dataclass(frozen=True, slots=True)
class SpentOutput:
    """One of the account's outputs was consumed by a confirmed transaction."""

    KIND: ClassVar[str] = "SpentOutput"
    account_index: int
    output_id: bytes
    amount: int
    spent_transaction_id: bytes | None
    spent_index: int | None
    spent_timestamp: int | None

    @property
    def kind(self) -> str:
        """The event kind name."""
        return self.KIND

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object."""
        return {
            "accountIndex": self.account_index,
            "outputId": _hex(self.output_id),
            "amount": str(self.amount),
            "spentTransactionId": _hex(self.spent_transaction_id),
            "spentIndex": self.spent_index,
            "spentTimestamp": self.spent_timestamp,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SpentOutput:
        """Rebuild from :meth:`to_json`."""
        return cls(
            int(d["accountIndex"]),
            _unhex(d["outputId"]) or b"",
            int(d["amount"]),
            _unhex(d.get("spentTransactionId")),
            d.get("spentIndex"),
            d.get("spentTimestamp"),
        )


@dataclass(frozen=True, slots=True)
class TransactionInclusion:
    """A transaction the wallet sent reached a final (or new) ledger state."""

    KIND: ClassVar[str] = "TransactionInclusion"
    account_index: int
    transaction_id: bytes
    state: str
    block_id: bytes | None = None
    inclusion_index: int | None = None
    conflict_reason: int | None = None

    @property
    def kind(self) -> str:
        """The event kind name."""
        return self.KIND

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object."""
        return {
            "accountIndex": self.account_index,
            "transactionId": _hex(self.transaction_id),
            "state": self.state,
            "blockId": _hex(self.block_id),
            "inclusionIndex": self.inclusion_index,
            "conflictReason": self.conflict_reason,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> TransactionInclusion:
        """Rebuild from :meth:`to_json`."""
        return cls(
            int(d["accountIndex"]),
            _unhex(d["transactionId"]) or b"",
            str(d["state"]),
            _unhex(d.get("blockId")),
            d.get("inclusionIndex"),
            d.get("conflictReason"),
        )


class ProgressStep(StrEnum):
    """The steps of sending a transaction, named as the official SDK's ``TransactionProgress`` events.

    Each is logged in the same database transaction as the state change it reports (where there is one):

    * ``SelectingInputs`` and ``PreparedTransaction``: inputs chosen and reserved, essence built
      (``essence_hash`` set; the transaction id is not known before signing).
    * ``SignedTransaction``: the signed payload is stored as pending (``transaction_id`` set).
    * ``PerformingPow``: the wallet is about to compute the block's proof of work itself.
    * ``Broadcasting``: the block id is stored and the block is about to be posted (``block_id`` set).
    * ``Reattaching``: the same payload is posted again in a new block (``block_id`` is the new block).
    """

    SELECTING_INPUTS = "SelectingInputs"
    PREPARED_TRANSACTION = "PreparedTransaction"
    SIGNED_TRANSACTION = "SignedTransaction"
    PERFORMING_POW = "PerformingPow"
    BROADCASTING = "Broadcasting"
    REATTACHING = "Reattaching"


@dataclass(frozen=True, slots=True)
class TransactionProgress:
    """A step of building and sending a transaction (see :class:`ProgressStep` for the steps).

    ``step`` is a :class:`ProgressStep` value (plain text in JSON); ``transaction_id`` is set from
    ``SignedTransaction`` on, ``essence_hash`` before, ``block_id`` for ``Broadcasting``/``Reattaching``.
    """

    KIND: ClassVar[str] = "TransactionProgress"
    account_index: int
    step: str
    transaction_id: bytes | None = None
    detail: str | None = None
    block_id: bytes | None = None
    essence_hash: bytes | None = None

    @property
    def kind(self) -> str:
        """The event kind name."""
        return self.KIND

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object."""
        return {
            "accountIndex": self.account_index,
            "step": str(self.step),
            "transactionId": _hex(self.transaction_id),
            "detail": self.detail,
            "blockId": _hex(self.block_id),
            "essenceHash": _hex(self.essence_hash),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> TransactionProgress:
        """Rebuild from :meth:`to_json`."""
        return cls(
            int(d["accountIndex"]),
            str(d["step"]),
            _unhex(d.get("transactionId")),
            d.get("detail"),
            _unhex(d.get("blockId")),
            _unhex(d.get("essenceHash")),
        )


@dataclass(frozen=True, slots=True)
class BalanceChange:
    """The account's total base-coin balance changed (after a sync applied new or spent outputs)."""

    KIND: ClassVar[str] = "BalanceChange"
    account_index: int
    before: int
    after: int

    @property
    def kind(self) -> str:
        """The event kind name."""
        return self.KIND

    @property
    def delta(self) -> int:
        """``after - before`` (negative when funds left)."""
        return self.after - self.before

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object."""
        return {"accountIndex": self.account_index, "before": str(self.before), "after": str(self.after)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> BalanceChange:
        """Rebuild from :meth:`to_json`."""
        return cls(int(d["accountIndex"]), int(d["before"]), int(d["after"]))


WalletEvent: TypeAlias = NewOutput | SpentOutput | TransactionInclusion | TransactionProgress | BalanceChange
"""Any wallet event."""

EVENT_TYPES: dict[str, type[WalletEvent]] = {
    cls.KIND: cls for cls in (NewOutput, SpentOutput, TransactionInclusion, TransactionProgress, BalanceChange)
}
"""Event classes by kind name."""


def event_from_json(kind: str, payload: dict[str, Any]) -> WalletEvent:
    """The event of ``kind`` stored as ``payload``."""
    cls = EVENT_TYPES.get(kind)
    if cls is None:
        raise WalletArgumentError(f"unknown wallet event kind {kind!r}; known: {sorted(EVENT_TYPES)}")
    return cls.from_json(payload)


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
        """Record that every event up to ``seq`` was handled; return the stored cursor."""
        check_int(seq, "seq", 0)
        return await self._store.write(lambda tx: tx.set_cursor(self.consumer, seq))

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
