"""Step 5 of the exchange guide: listen to wallet events.

Events (``NewOutput``, ``SpentOutput``, ``TransactionInclusion``, ``TransactionProgress``, ``BalanceChange``)
are written to a durable log in the same database transaction as the change they report, while the wallet
syncs. A consumer reads them as a *stream* under its own name and acknowledges what it handled: if it
crashes, the next run starts right after its last acknowledged event, so nothing is missed or lost. This
script syncs every account in the background (as a deposit watcher would) and prints each event.

Callbacks are the other way to listen, as in the guide (``wallet.events.subscribe(callback, kinds)``): they
see events committed while the program runs, not the ones it missed while it was down, so use them for
logging or a UI and the stream for anything that moves money.

Extra variables: ``TANGLEHUB_EVENT_CONSUMER`` (the consumer name, default ``exchange-example``);
``TANGLEHUB_MAX_EVENTS`` (stop after that many events, default 0 = no limit); ``TANGLEHUB_LISTEN_SECONDS``
(stop after that many seconds, default 0 = until Ctrl-C); ``TANGLEHUB_SYNC_INTERVAL`` (seconds between
background syncs, default 2).
"""

from __future__ import annotations

import asyncio
import contextlib
import os

from _common import env_float, env_int, open_wallet, run

from tanglehub.wallet import BalanceChange, DeliveredEvent, NewOutput, SpentOutput, TransactionInclusion, Wallet


def describe(delivered: DeliveredEvent) -> str:
    """One line about an event."""
    event = delivered.event
    head = f"Event {delivered.seq}: {event.kind} (account {event.account_index})"
    if isinstance(event, NewOutput):
        return f"{head}: {event.amount} to {event.address}, output 0x{event.output_id.hex()}"
    if isinstance(event, SpentOutput):
        return f"{head}: output 0x{event.output_id.hex()} ({event.amount}) spent"
    if isinstance(event, TransactionInclusion):
        return f"{head}: transaction 0x{event.transaction_id.hex()} is {event.state}"
    if isinstance(event, BalanceChange):
        return f"{head}: balance {event.before} -> {event.after} ({event.delta:+})"
    return f"{head}: {event.to_json()}"


def on_balance_change(delivered: DeliveredEvent) -> None:
    """A callback: called for each balance change committed while this program runs."""
    print(f"  (callback) {describe(delivered)}", flush=True)


async def keep_syncing(wallet: Wallet, interval: float) -> None:
    """Sync the whole wallet every ``interval`` seconds; each sync records its events."""
    while True:
        await wallet.sync()
        await asyncio.sleep(interval)


async def main() -> None:
    consumer = os.environ.get("TANGLEHUB_EVENT_CONSUMER", "exchange-example")
    max_events = env_int("TANGLEHUB_MAX_EVENTS", 0)
    seconds = env_float("TANGLEHUB_LISTEN_SECONDS", 0.0)
    async with await open_wallet() as wallet:
        stream = wallet.events.stream(consumer)
        print(f"Listening as consumer {consumer!r}, resuming after event {await stream.cursor()}...")
        await wallet.events.subscribe(on_balance_change, kinds=[BalanceChange])
        syncer = asyncio.create_task(keep_syncing(wallet, env_float("TANGLEHUB_SYNC_INTERVAL", 2.0)))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds if seconds > 0 else None
        seen = 0
        try:
            while max_events == 0 or seen < max_events:
                remaining = None if deadline is None else deadline - loop.time()
                if remaining is not None and remaining <= 0:
                    break
                delivered = await stream.next(timeout=remaining)
                if delivered is None:
                    break
                print(describe(delivered), flush=True)
                # Handle the event (credit the user, notify...), then acknowledge it: a restart resumes here.
                await stream.ack(delivered.seq)
                seen += 1
        finally:
            syncer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await syncer
        print(f"Handled {seen} event(s); consumer {consumer!r} is at event {await stream.cursor()}.")


if __name__ == "__main__":
    run(main)
