"""``run``: the event loop the ``tanglehub`` commands run on (the hub's and devnet's servers, every wallet
command): uvloop where it is installed, else asyncio's.

uvloop (libuv under asyncio's API) is a dependency on Linux and macOS. Measured on a 2-core 2.1 GHz machine
with bench/hub.py (wrk, 16 connections, PostgreSQL): hub balance reads ~720-830 req/s on asyncio's loop,
~1,240-1,410 on uvloop; ``GET /health`` ~1,400 -> ~2,000-2,300. uvicorn picks uvloop by itself when it
creates the loop; the hub creates its loop itself (it opens the database and the node pool before serving),
so it asks for uvloop here. The wallet's node client (aiohttp) spends less CPU per request on uvloop too:
``bench/node_transport.py``, 16 requests in flight, ~127 -> ~90 µs per request on its wire, ~167 -> ~145 µs
through ``NodeClient`` (``bench/sync.py --loop asyncio`` compares whole syncs).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["run"]

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to completion on a new event loop (uvloop's when importable) and return its result, as
    :func:`asyncio.run` does; exceptions propagate unchanged."""
    try:
        import uvloop  # noqa: PLC0415 - optional on platforms uvloop does not support
    except ImportError:  # pragma: no cover - Windows
        return asyncio.run(main)
    return uvloop.run(main)
