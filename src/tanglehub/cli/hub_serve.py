"""``tanglehub hub serve``: the hub's API and workers in one process.

``--api-only`` / ``--workers-only`` split them (on SQLite only one hub process may use the database, so
splitting needs PostgreSQL; there ``--reuse-port`` lets several API processes, with or without workers, share
one port). The API's socket is bound before the hub opens, so a taken port is one ``error:`` line; once it
listens the hub says ``hub API on http://HOST:PORT``. SIGTERM or Ctrl-C stops it cleanly (exit 0).

:mod:`tanglehub.cli.hub` mounts :func:`serve` as the ``serve`` command; the options and settings it shares
with the other hub subcommands are in :mod:`tanglehub.cli.hub_options`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable, Iterator
from typing import Annotated

import typer
import uvicorn
from yarl import URL

from tanglehub.cli.database_errors import database_errors
from tanglehub.cli.hub_options import (
    ConfigOption,
    DataDirOption,
    SignerCaOption,
    SignerCertOption,
    SignerKeyOption,
    SignerUrlOption,
    hub_settings,
    read_password,
    with_signer,
)
from tanglehub.cli.loop import run as run_loop
from tanglehub.errors import ConfigError
from tanglehub.hub.settings import HubSettings
from tanglehub.listen import bind_port

__all__ = ["REUSE_PORT_HINT", "api_url", "serve"]


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "alembic.runtime.migration", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class _QuietServer(uvicorn.Server):
    """uvicorn's server with our own SIGTERM/SIGINT handling: stop cleanly and exit 0 (uvicorn would re-raise
    the signal after shutting down, so the process would end as killed)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    def __init__(self, config: uvicorn.Config, on_exit: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_exit = on_exit

    def request_exit(self) -> None:
        self.should_exit = True
        self._on_exit()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's start-up, then one ``hub API on http://HOST:PORT`` line (uvicorn says nothing about where it
        listens when it is handed its sockets); the port is the bound socket's, so ``--port 0`` shows the one
        the system chose."""
        await super().startup(sockets=sockets)
        if self.started:
            for sock in sockets or []:
                _log.info("hub API on %s", api_url(sock))


_log = logging.getLogger("tanglehub.hub")

REUSE_PORT_HINT = (
    " (or --reuse-port if it is another API process of this PostgreSQL hub started with --reuse-port)"
)
"""Added to the advice for a taken port when the hub is on PostgreSQL (on SQLite one hub process serves)."""


def api_url(sock: socket.socket) -> str:
    """``http://HOST:PORT`` of a bound listening socket (IPv6 hosts in brackets)."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _bind_api_port(host: str, port: int, *, reuse_port: bool = False, postgres: bool = False) -> socket.socket:
    """The API's listening socket, bound before anything else is done (as ``tanglehub devnet`` does): a taken
    port is one ``error:`` line (exit 2), not uvicorn's start-up failure after the hub has opened. On
    PostgreSQL (``postgres``) the message for a taken port also mentions ``--reuse-port``."""
    return bind_port(
        host,
        port,
        bad_address=ConfigError,
        unavailable=ConfigError,
        reuse_port=reuse_port,
        in_use_hint=REUSE_PORT_HINT if postgres else "",
    )


async def _serve(
    settings: HubSettings, password: str | None, *, api: bool, workers: bool, sock: socket.socket | None = None
) -> None:
    from tanglehub.hub.api.app import begin_shutdown, create_app  # noqa: PLC0415
    from tanglehub.hub.context import open_hub  # noqa: PLC0415
    from tanglehub.hub.workers.runner import run_workers  # noqa: PLC0415

    logging.getLogger("tanglehub.hub").info(
        "opening the hub: database, then the node at %s (a node that does not answer is retried for up to a "
        "minute)",
        ", ".join(str(URL(url).with_user(None)) for url in settings.node_urls),  # never a URL's credentials
    )
    ctx = await open_hub(settings, password=password)
    try:
        if not api:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            logging.getLogger("tanglehub.hub").info("workers running (no API); SIGTERM or Ctrl-C stops them")
            await run_workers(ctx, stop)
            return
        app = create_app(ctx, with_workers=workers)
        config = uvicorn.Config(
            app,
            host=settings.api_host,
            port=settings.api_port,
            log_level="info",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        server = _QuietServer(config, on_exit=lambda: begin_shutdown(app))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, server.request_exit)
        await server.serve(sockets=None if sock is None else [sock])
    finally:
        await ctx.aclose()


def serve(  # noqa: PLR0917 - Typer maps each option to a parameter
    data_dir: DataDirOption = None,
    config: ConfigOption = None,
    host: Annotated[str | None, typer.Option(help="Listen address (default: api_host, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (default: api_port, 8080).")] = None,
    api_only: Annotated[bool, typer.Option("--api-only", help="Serve the API without the workers.")] = False,
    workers_only: Annotated[bool, typer.Option("--workers-only", help="Run the workers without the API.")] = False,
    reuse_port: Annotated[
        bool,
        typer.Option(
            "--reuse-port",
            help="Share the port with other 'hub serve --reuse-port' processes (PostgreSQL only; with or without "
            "--api-only: the workers take turns through PostgreSQL locks); the kernel spreads connections among "
            "them. The kernel does not check that they serve the same hub: every process on the port must use "
            "the same database.",
        ),
    ] = False,
    signer_url: SignerUrlOption = None,
    signer_ca: SignerCaOption = None,
    signer_cert: SignerCertOption = None,
    signer_key: SignerKeyOption = None,
) -> None:
    """Run the hub: REST API on host:port plus the scanner, address pool, payouts, treasury and webhook workers.

    With a signing server (``--signer-url`` and its TLS files, or ``signer_*`` in the config) no vault password
    is asked: the hub holds no keys."""
    if api_only and workers_only:
        raise ConfigError("--api-only and --workers-only exclude each other")
    settings = with_signer(hub_settings(config, data_dir), signer_url, signer_ca, signer_cert, signer_key)
    if host is not None:
        settings.api_host = host
    if port is not None:
        if not 0 <= port <= 65535:
            raise ConfigError(f"--port must be between 0 and 65535, got {port}")
        settings.api_port = port
    if reuse_port:
        _check_reuse_port(settings, workers_only=workers_only)
    sock = (
        None
        if workers_only
        else _bind_api_port(
            settings.api_host, settings.api_port, reuse_port=reuse_port, postgres=bool(settings.database_url)
        )
    )
    try:
        password = None if settings.signer_url is not None else read_password()
        _configure_logging()
        with contextlib.suppress(KeyboardInterrupt), database_errors(settings):
            run_loop(_serve(settings, password, api=not workers_only, workers=not api_only, sock=sock))
    finally:
        if sock is not None:
            sock.close()


def _check_reuse_port(settings: HubSettings, *, workers_only: bool) -> None:
    """Refuse ``--reuse-port`` where it cannot work: no API to share, SQLite, or port 0 (each process would
    listen on a different random port)."""
    if workers_only:
        raise ConfigError("--reuse-port shares the API's port; --workers-only serves no API")
    if not settings.database_url:
        raise ConfigError(
            "--reuse-port needs PostgreSQL (set TANGLEHUB_HUB_DATABASE_URL or database_url in the config): "
            "on SQLite one hub process uses the database"
        )
    if settings.api_port == 0:
        raise ConfigError(
            "--reuse-port needs a fixed port (--port or api_port): with port 0 each process would listen on "
            "a different random port"
        )
