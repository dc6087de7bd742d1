"""``tanglehub wallet events``: read the wallet's durable event log under a consumer name.

Events after the consumer's stored cursor are printed one per line (``--json``: one JSON object per line,
for a program to read) and acknowledged after they are printed, so the next run continues where this one
stopped (``--no-ack`` only looks). ``--follow`` keeps waiting for new events, syncing the wallet every
``--sync-interval`` seconds so that deposits show up; it stops on Ctrl-C or SIGTERM (exit 0, every printed
event acknowledged), after ``--max`` events or after ``--timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import signal
import sys
from collections.abc import Coroutine
from typing import Annotated, Any

import typer

from tanglehub.cli.signals import sigterm_as_interrupt
from tanglehub.cli.wallet.common import (
    DEFAULT_WALLET_DIR,
    JsonOpt,
    NodeOpt,
    WalletDirOpt,
    err_console,
    open_wallet,
    out_console,
    run,
)
from tanglehub.errors import NodeError
from tanglehub.wallet import DeliveredEvent, SyncOptions, Wallet, WalletArgumentError

__all__ = ["events", "format_event"]


def format_event(delivered: DeliveredEvent) -> str:
    """One readable line: sequence number, time (UTC), kind and the event's fields."""
    when = datetime.datetime.fromtimestamp(delivered.created_at, datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    fields = " ".join(f"{k}={v}" for k, v in delivered.event.to_json().items() if v not in (None, {}, []))
    return f"{delivered.seq:>6} {when} {delivered.event.kind:<20} {fields}"


async def _sync_forever(wallet: Wallet, interval: float) -> None:
    """Sync every ``interval`` seconds so that new deposits become events; a node hiccup is retried."""
    while True:
        with contextlib.suppress(NodeError):
            await wallet.sync(SyncOptions())
            await wallet.events.flush()
        await asyncio.sleep(interval)


def events(
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    consumer: Annotated[
        str, typer.Option("--consumer", "-c", help="Consumer name; its cursor is stored under it.")
    ] = "cli",
    follow: Annotated[
        bool, typer.Option("--follow/--no-follow", "-f", help="Keep waiting for new events.")
    ] = False,
    ack: Annotated[bool, typer.Option("--ack/--no-ack", help="Store the cursor after each printed event.")] = True,
    max_events: Annotated[int, typer.Option("--max", help="Stop after this many events (0 = no limit).")] = 0,
    timeout: Annotated[
        float, typer.Option("--timeout", help="With --follow: stop after this many seconds.")
    ] = 0.0,
    sync_interval: Annotated[
        float, typer.Option("--sync-interval", help="With --follow: seconds between syncs (0 = never sync).")
    ] = 2.0,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Only this event kind, e.g. NewOutput (repeatable).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print (and acknowledge) the events after the consumer's cursor; --follow waits for more."""

    async def work() -> None:
        if max_events < 0 or timeout < 0 or sync_interval < 0:
            raise WalletArgumentError("--max, --timeout and --sync-interval must not be negative")
        async with await open_wallet(wallet_dir, node, read_only=not follow) as wallet:
            stream = wallet.events.stream(consumer, kinds=kind or None)
            syncing = (
                asyncio.create_task(_sync_forever(wallet, sync_interval)) if follow and sync_interval > 0 else None
            )
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout if follow and timeout > 0 else None
            printed = 0
            stop = asyncio.Event()
            for signum in (signal.SIGINT, signal.SIGTERM):  # stop between events: printed = acknowledged
                loop.add_signal_handler(signum, stop.set)
            try:
                while (max_events == 0 or printed < max_events) and not stop.is_set():
                    wait = 0.0 if not follow else None if deadline is None else max(0.0, deadline - loop.time())
                    delivered = await _next_or_stop(stream.next(timeout=wait), stop)
                    if delivered is None:
                        break
                    line = (
                        json.dumps(
                            {
                                "seq": delivered.seq,
                                "createdAt": delivered.created_at,
                                "kind": delivered.event.kind,
                                "event": delivered.event.to_json(),
                            }
                        )
                        if as_json
                        else format_event(delivered)
                    )
                    out_console.print(line, markup=False)
                    sys.stdout.flush()
                    if ack:
                        await stream.ack(delivered.seq)
                    printed += 1
            finally:
                for signum in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(signum)
                if stop.is_set():
                    err_console.print("stopped (every printed event is acknowledged)", markup=False)
                if syncing is not None:
                    syncing.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await syncing

    with sigterm_as_interrupt():  # before the loop's own handlers are installed: like Ctrl-C (exit 130)
        run(work)


async def _next_or_stop(
    next_event: Coroutine[Any, Any, DeliveredEvent | None], stop: asyncio.Event
) -> DeliveredEvent | None:
    """The next event, or None as soon as ``stop`` is set (Ctrl-C or SIGTERM) while waiting for it."""
    getting = asyncio.ensure_future(next_event)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({getting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if getting.done():
        return getting.result()
    getting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await getting
    return None
