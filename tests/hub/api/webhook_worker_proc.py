"""Run only the webhook worker against a hub database, in its own process (crash tests SIGKILL it).

Usage: ``python tests/hub/api/webhook_worker_proc.py <database-url> <data-dir>``.

``TANGLEHUB_WEBHOOK_CRASH_AT=<point>:<n>`` makes the process SIGKILL itself at the n-th pass of a point:

* ``fanout-after``: right after a fan-out transaction committed (delivery rows made, cursor advanced);
* ``book-before``: after the receiver answered, before the outcome is booked (the delivery stays pending);
* ``book-after``: right after an outcome was booked.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tanglehub.hub.db import make_engine, make_sessionmaker
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.webhooks import worker
from tanglehub.hub.webhooks.worker import run_webhook_worker

CRASH_ENV = "TANGLEHUB_WEBHOOK_CRASH_AT"


@dataclass
class _Ctx:
    settings: HubSettings
    sessionmaker: sessionmaker[Session]


def _install_crash_point(spec: str) -> None:
    point, _, nth = spec.partition(":")
    hits = [0]

    def hit() -> None:
        hits[0] += 1
        if hits[0] == int(nth or "1"):
            os.kill(os.getpid(), signal.SIGKILL)

    fan_out, record_attempt = worker.fan_out, worker.record_attempt

    def fan_out_then_maybe_die(*args: Any, **kwargs: Any) -> int:
        added = fan_out(*args, **kwargs)
        if point == "fanout-after" and added:
            hit()
        return added

    def book(*args: Any, **kwargs: Any) -> str:
        if point == "book-before":
            hit()
        status = record_attempt(*args, **kwargs)
        if point == "book-after":
            hit()
        return status

    worker.fan_out = fan_out_then_maybe_die  # type: ignore[assignment]
    worker.record_attempt = book  # type: ignore[assignment]


async def _main(url: str, data_dir: str) -> None:
    if os.environ.get(CRASH_ENV):
        _install_crash_point(os.environ[CRASH_ENV])
    settings = HubSettings(
        data_dir=Path(data_dir),
        database_url=url,
        webhook_retry_base=0.05,
        webhook_retry_max=0.2,
        webhook_poll_interval=0.05,
    )
    engine = make_engine(settings)
    ctx = _Ctx(settings, make_sessionmaker(engine))
    print("ready", flush=True)
    await run_webhook_worker(ctx, asyncio.Event())


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1], sys.argv[2]))
