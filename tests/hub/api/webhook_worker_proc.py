"""Run only the webhook worker against a hub database, in its own process (the crash test SIGKILLs it).

Usage: ``python tests/hub/api/webhook_worker_proc.py <database-url> <data-dir>``. Prints ``ready`` once the
worker loop runs.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tanglehub.hub.db import make_engine, make_sessionmaker
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.webhooks.worker import run_webhook_worker


@dataclass
class _Ctx:
    settings: HubSettings
    sessionmaker: sessionmaker[Session]


async def _main(url: str, data_dir: str) -> None:
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
