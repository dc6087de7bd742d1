"""Fixtures for the hub API tests. The database comes from ``tests/hub/conftest.py`` (``database_url``:
SQLite, and a fresh PostgreSQL schema when ``TANGLEHUB_TEST_POSTGRES_URL`` is set). Here: an in-process
devnet node, a :class:`HubContext` on them, the hub's app served by uvicorn on a real loopback port, API keys
of every scope, and a webhook receiver served over real HTTP.

Everything runs in the test's own event loop: uvicorn servers are tasks in it, so the test's ``httpx``
client, the hub and the receiver talk over real sockets without threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tanglehub.devnet.app import create_app as create_devnet_app
from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.node import DevnetNode
from tanglehub.devnet.server import free_port
from tanglehub.hub.addresses.source import SignerAddressSource
from tanglehub.hub.api.app import create_app
from tanglehub.hub.api.auth import create_api_key
from tanglehub.hub.context import HubContext, open_hub
from tanglehub.hub.settings import HubSettings
from tanglehub.vault.mnemonic_signer import MnemonicSigner

MNEMONIC = (
    "giant dynamic museum toddler six deny defense ostrich bomb access mercy blood explain muscle shoot shallow "
    "glad autumn author calm heavy hawk abuse rally"
)
"""A fixed test mnemonic (never use it for real funds)."""
DEVNET_URL = "http://devnet.test"


def hub_settings(tmp_path: Path, database_url: str | None, **overrides: object) -> HubSettings:
    """Settings for a test hub on the in-process devnet (fast polls, short webhook retries)."""
    values: dict[str, object] = {
        "data_dir": tmp_path / "hub",
        "database_url": database_url,
        "node_urls": (DEVNET_URL,),
        "address_pool_target": 20,
        "address_pool_low_water": 5,
        "address_pool_batch": 10,
        "webhook_retry_base": 0.05,
        "webhook_retry_max": 0.2,
        "webhook_poll_interval": 0.05,
        "stream_poll_interval": 0.05,
        "stream_heartbeat": 0.5,
    }
    values.update(overrides)
    return HubSettings(**values)  # type: ignore[arg-type]


@dataclass
class Keys:
    """One API key per scope (``keys.admin``, ``keys.read``, ...), as bearer header dicts."""

    tokens: dict[str, str]

    def header(self, scope: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[scope]}"}


@dataclass
class Hub:
    """A running hub: its context, base URL, and keys."""

    ctx: HubContext
    url: str
    keys: Keys
    devnet: DevnetNode
    client: httpx.AsyncClient


@contextlib.asynccontextmanager
async def serve(app: object, port: int | None = None) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn as a task of the running loop; yield its base URL."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 20)


@contextlib.asynccontextmanager
async def running_hub(settings: HubSettings, *, with_workers: bool = False) -> AsyncIterator[Hub]:
    """Open a hub on ``settings`` against a fresh in-process devnet, serve it, make one key per scope."""
    node = DevnetNode(DevnetConfig(milestone_interval=0))
    devnet_app = create_devnet_app(node=node)
    source = SignerAddressSource(MnemonicSigner(MNEMONIC), settings.coin_type)
    ctx = await open_hub(
        settings,
        address_source=source,
        transport_factory=lambda _url: httpx.ASGITransport(devnet_app),  # type: ignore[arg-type]
    )
    try:
        tokens: dict[str, str] = {}
        with ctx.sessionmaker() as session:
            for scope in ("read", "deposit", "transfer", "withdraw", "admin"):
                tokens[scope], _ = create_api_key(session, f"test-{scope}", [scope])
        app = create_app(ctx, with_workers=with_workers)
        async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
            yield Hub(ctx, url, Keys(tokens), node, client)
    finally:
        await ctx.aclose()


@pytest.fixture
async def hub(tmp_path: Path, database_url: str | None) -> AsyncIterator[Hub]:
    """A served hub (API only, no workers) on a fresh database."""
    async with running_hub(hub_settings(tmp_path, database_url)) as running:
        yield running


@dataclass
class Received:
    """One request the receiver got."""

    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.time)
    """Unix time of arrival (verify signatures against it, not against the time of the assertion)."""


@dataclass
class Receiver:
    """A webhook receiver over real HTTP. ``answers`` is a queue of status codes to answer with (200 once it
    runs out); ``gate`` (when set) holds each request until it is set; ``arrived`` is set on each request."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    gate: asyncio.Event | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: Request) -> Response:
        self.requests.append(Received(dict(request.headers), await request.body()))
        self.arrived.set()
        if self.gate is not None:
            await self.gate.wait()
        status = self.answers.pop(0) if self.answers else 200
        return Response(status_code=status)

    async def wait_for(self, count: int, timeout: float = 30.0) -> None:
        """Wait until at least ``count`` requests arrived (fails the test after ``timeout``)."""
        async with asyncio.timeout(timeout):
            while len(self.requests) < count:
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A webhook receiver served by uvicorn on a loopback port (path ``/hook``)."""
    rec = Receiver()
    app = Starlette(routes=[Route("/hook", rec.handle, methods=["POST"])])
    async with serve(app) as url:
        rec.url = url + "/hook"
        yield rec
        if rec.gate is not None:
            rec.gate.set()
