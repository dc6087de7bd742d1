"""A hub child process for the scenario, crash and multi-process tests (test-only; the real entry point is
``tanglehub hub serve``): the hub's API served by uvicorn on ``--port`` and/or its workers, addresses from the
fixed test mnemonic (no vault, so no KDF cost), an admin key written to ``<data-dir>/admin.key``.

``TANGLEHUB_HUB_CRASH_AT=<point>:<n>`` makes the process SIGKILL itself at the n-th pass of a named point:

* ``scan-inside``: inside the scanner's transaction, after a deposit was matched, recorded and credited, before
  the COMMIT (the whole milestone batch must vanish);
* ``scan-after``: right after the scanner's transaction committed (before anything else runs);
* ``transfer-inside``: inside a transfer's transaction after its journal lines, before the COMMIT;
* ``transfer-after``: right after a transfer committed, before the HTTP answer is sent;
* ``fetch``: while the scanner reads outputs from the node (nothing written yet).

It prints ``crash <point>`` on stdout just before dying, and ``ready`` once it serves.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import signal
import sys
from pathlib import Path
from typing import Any

import uvicorn

from tanglehub.hub.addresses.source import SignerAddressSource
from tanglehub.hub.api.app import create_app
from tanglehub.hub.api.auth import create_api_key
from tanglehub.hub.context import HubContext, open_hub
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.workers.runner import run_workers
from tanglehub.vault import MnemonicSigner

HUB_MNEMONIC = (
    "giant dynamic museum toddler six deny defense ostrich bomb access mercy blood explain muscle shoot shallow "
    "glad autumn author calm heavy hawk abuse rally"
)
CRASH_ENV = "TANGLEHUB_HUB_CRASH_AT"


def _die(point: str) -> None:
    sys.stdout.write(f"crash {point}\n")
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _counter(point: str, nth: int) -> Any:
    hits = [0]

    def hit() -> None:
        hits[0] += 1
        if hits[0] == nth:
            _die(point)

    return hit


def install_crash_point(spec: str) -> None:
    """Patch the hub so the process dies at the named point (see the module docstring)."""
    point, _, n = spec.partition(":")
    hit = _counter(point, int(n or "1"))
    import tanglehub.hub.deposits.service as deposits
    import tanglehub.hub.transfers.service as transfers
    import tanglehub.hub.workers.scanner as scanner

    if point == "scan-inside":
        original_credit = deposits._credit

        def credit(*args: Any, **kwargs: Any) -> None:
            original_credit(*args, **kwargs)
            hit()

        deposits._credit = credit  # type: ignore[assignment]
    elif point == "scan-after":
        original_apply = scanner.apply_milestones

        @functools.wraps(original_apply)
        def apply(*args: Any, **kwargs: Any) -> Any:
            result = original_apply(*args, **kwargs)
            if result.applied and result.credited:
                hit()
            return result

        scanner.apply_milestones = apply  # type: ignore[assignment]
    elif point == "transfer-inside":
        original_event = transfers.append_event

        def event(*args: Any, **kwargs: Any) -> int:
            seq = original_event(*args, **kwargs)
            hit()
            return seq

        transfers.append_event = event  # type: ignore[assignment]
    elif point == "transfer-after":
        import tanglehub.hub.transfers.routes as routes

        original_transfer = transfers.apply_transfer

        def transfer(*args: Any, **kwargs: Any) -> Any:
            result = original_transfer(*args, **kwargs)
            if result.applied_now:
                hit()
            return result

        routes.service.apply_transfer = transfer  # type: ignore[attr-defined]
    elif point == "fetch":
        original_fetch = scanner.fetch_milestones

        async def fetch(*args: Any, **kwargs: Any) -> Any:
            hit()
            return await original_fetch(*args, **kwargs)

        scanner.fetch_milestones = fetch  # type: ignore[assignment]
    else:
        raise SystemExit(f"unknown crash point {point!r}")


def write_admin_key(ctx: HubContext, data_dir: Path) -> None:
    """Create an admin API key into ``<data-dir>/admin.key`` unless an earlier run wrote one."""
    key_file = data_dir / "admin.key"
    if not key_file.exists():
        with ctx.sessionmaker() as session:
            token, _ = create_api_key(session, "tests", ["admin"])
        key_file.write_text(token)


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT (on the running loop)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def serve_api(ctx: HubContext, stop: asyncio.Event, *, port: int, api_only: bool) -> None:
    """Serve the hub's API (with its workers unless ``api_only``) on ``port``; print ``ready`` once it serves,
    return after ``stop`` is set and uvicorn has shut down."""
    app = create_app(ctx, with_workers=not api_only)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    print("ready", flush=True)
    await stop.wait()
    server.should_exit = True
    await task


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--node", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--min-deposit", type=int, default=0)
    parser.add_argument("--workers-only", action="store_true")
    parser.add_argument("--api-only", action="store_true")
    args = parser.parse_args()
    if os.environ.get(CRASH_ENV):
        install_crash_point(os.environ[CRASH_ENV])
    settings = HubSettings(
        data_dir=args.data_dir,
        database_url=args.database_url,
        node_urls=(args.node,),
        min_deposit=args.min_deposit,
        address_pool_target=120,
        address_pool_low_water=60,
        address_pool_batch=60,
        scan_batch=20,
        scan_poll_interval=0.1,
    )
    signer = MnemonicSigner(HUB_MNEMONIC)
    ctx = await open_hub(settings, address_source=SignerAddressSource(signer, 4219))
    write_admin_key(ctx, args.data_dir)
    stop = stop_on_signals()
    try:
        if args.workers_only:
            print("ready", flush=True)
            await run_workers(ctx, stop, webhooks=False)
            return
        await serve_api(ctx, stop, port=args.port, api_only=args.api_only)
    finally:
        await ctx.aclose()


if __name__ == "__main__":
    asyncio.run(main())
