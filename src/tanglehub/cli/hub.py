"""``tanglehub hub``: set up and run the custody hub.

* ``init``: data directory, vault (a new mnemonic shown once, or ``--import`` from standard input), database,
  and the first admin API key (shown once); with ``--signer-url`` (+ ``--signer-ca/-cert/-key``) no vault: the
  keys live in the signing server (``tanglehub signer``) and ``serve`` asks for no password.
* ``serve``: API and workers in one process (``--api-only`` / ``--workers-only`` split them; on SQLite only one
  hub process may use the database, so splitting needs PostgreSQL; there ``--reuse-port`` lets several API
  processes, with or without workers, share one port). Says ``hub API on http://HOST:PORT`` once it listens.
  SIGTERM or Ctrl-C stops it cleanly.
* ``apikey create|list|revoke``: manage API keys (works while the hub runs).
* ``status``: what the database and the node say (no password needed).
* ``demo``: the ``make run`` walkthrough (devnet + hub on SQLite in a local folder).

The vault password comes from ``TANGLEHUB_HUB_PASSWORD`` or a prompt; it is never an option (shell history,
``ps``) and never printed. Errors are one ``error:`` line and exit code 2, an unreachable or misconfigured
database included (:mod:`tanglehub.cli.database_errors`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from sqlalchemy import Engine, func, select
from yarl import URL

from tanglehub.cli.database_errors import check_database_url, database_errors
from tanglehub.cli.loop import run as run_loop
from tanglehub.cli.password import read_password as prompt_password
from tanglehub.errors import ConfigError
from tanglehub.hub.settings import HubSettings
from tanglehub.listen import bind_port

__all__ = ["app", "read_password"]

PASSWORD_ENV = "TANGLEHUB_HUB_PASSWORD"  # noqa: S105 - the variable's name, not a password

app = typer.Typer(
    name="hub",
    help="The custody hub: users, deposit addresses, deposits, ledger, transfers, events and webhooks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
apikey_app = typer.Typer(name="apikey", help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(apikey_app, name="apikey")

DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="The hub's folder (default: TANGLEHUB_HUB_DATA_DIR or ./hub-data)."),
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="A TOML config file (default: <data-dir>/hub.toml if present).")
]


def _settings(config: Path | None, data_dir: Path | None) -> HubSettings:
    from tanglehub.hub.config import load_settings  # noqa: PLC0415 - keeps `tanglehub --help` light

    settings = load_settings(config, data_dir)
    check_database_url(settings)
    return settings


SignerUrlOption = Annotated[
    str | None,
    typer.Option("--signer-url", help="The signing server (https://, mutual TLS); the hub then holds no vault."),
]
SignerCaOption = Annotated[Path | None, typer.Option("--signer-ca", help="CA certificate of the signing server.")]
SignerCertOption = Annotated[
    Path | None, typer.Option("--signer-cert", help="The hub's client certificate for the signing server.")
]
SignerKeyOption = Annotated[
    Path | None, typer.Option("--signer-key", help="The private key of the hub's client certificate.")
]


def _with_signer(
    settings: HubSettings, url: str | None, ca: Path | None, cert: Path | None, key: Path | None
) -> HubSettings:
    """``settings`` with the ``--signer-*`` options applied (they override the file and the environment)."""
    from tanglehub.hub.config import validate_settings  # noqa: PLC0415

    for name, value in (
        ("signer_url", url),
        ("signer_ca", ca),
        ("signer_client_cert", cert),
        ("signer_client_key", key),
    ):
        if value is not None:
            setattr(settings, name, value)
    if settings.signer_url is None and any(v is not None for v in (ca, cert, key)):
        raise ConfigError("--signer-ca/--signer-cert/--signer-key need --signer-url")
    return validate_settings(settings)


def _signer_toml(settings: HubSettings) -> str:
    lines = ["# written by `tanglehub hub init`: the keys live in the signing server", "[hub]"]
    for name in ("signer_url", "signer_ca", "signer_client_cert", "signer_client_key"):
        value = getattr(settings, name)
        lines.append(f'{name} = "{Path(value).resolve() if name != "signer_url" else value}"')
    return "\n".join(lines) + "\n"


def read_password(*, confirm: bool = False) -> str:
    """The vault password from ``TANGLEHUB_HUB_PASSWORD`` or a hidden prompt (twice with ``confirm``).

    Raises:
        ConfigError: no terminal to prompt on and no environment variable, or the two entries differ.
    """
    return prompt_password(
        PASSWORD_ENV,
        prompt="vault password: ",
        what="vault password",
        error=ConfigError,
        confirm=confirm,
        undone="created",
    )


def _engine(settings: HubSettings, *, create: bool = False) -> Engine:
    """The hub's database, migrated; on SQLite it must exist already unless ``create`` (``hub init``)."""
    from tanglehub.hub.db import make_engine, migrate  # noqa: PLC0415

    sqlite_file = Path(settings.data_dir) / "hub.db"
    if not create and not settings.database_url and not sqlite_file.exists():
        raise ConfigError(f"no hub database at {sqlite_file}; run `tanglehub hub init` first (or pass --data-dir)")
    engine = make_engine(settings)
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()  # an unreachable or refusing database leaves no pooled connection behind
        raise
    return engine


@app.command("init")
def init(  # noqa: PLR0917 - Typer maps each option to a parameter
    data_dir: DataDirOption = None,
    config: ConfigOption = None,
    import_mnemonic: Annotated[
        bool, typer.Option("--import", help="Read an existing mnemonic from standard input instead.")
    ] = False,
    signer_url: SignerUrlOption = None,
    signer_ca: SignerCaOption = None,
    signer_cert: SignerCertOption = None,
    signer_key: SignerKeyOption = None,
) -> None:
    """Create the data directory, the vault (new or imported mnemonic), the database and an admin API key.

    With ``--signer-url`` (and the CA, client certificate and key) no vault is made: the keys live in the
    signing server, and the signer settings are written to ``<data-dir>/hub.toml``."""
    settings = _with_signer(_settings(config, data_dir), signer_url, signer_ca, signer_cert, signer_key)
    with database_errors(settings):
        if settings.signer_url is not None:
            if import_mnemonic:
                raise ConfigError(
                    "--import makes a local vault; with --signer-url the mnemonic belongs in the signer"
                )
            _init_remote(settings, config)
            return
        _init_local(settings, data_dir, import_mnemonic=import_mnemonic)


def _init_local(settings: HubSettings, data_dir: Path | None, *, import_mnemonic: bool) -> None:
    """``hub init`` with a local vault. The database is opened (and migrated) before the vault is made, so a
    database that cannot be reached leaves no vault whose new mnemonic was never shown."""
    from tanglehub.hub.context import vault_path  # noqa: PLC0415
    from tanglehub.hub.db import secure_data_dir  # noqa: PLC0415
    from tanglehub.vault import VaultStore  # noqa: PLC0415

    store = VaultStore(vault_path(settings), idle_timeout=None)
    if store.exists:
        raise ConfigError(f"{store.path} already exists: this hub is initialized (use `tanglehub hub serve`)")
    mnemonic = None
    if import_mnemonic:
        from tanglehub.cli.keys import read_mnemonic  # noqa: PLC0415

        mnemonic = read_mnemonic()
    password = read_password(confirm=True)
    secure_data_dir(settings.data_dir, sqlite=not settings.database_url)
    engine = _engine(settings, create=True)
    try:
        store.create(password)
        try:
            if mnemonic is not None:
                store.store_mnemonic(mnemonic)
                shown = None
            else:
                shown = store.generate_mnemonic()
        except BaseException:
            store.lock()
            store.path.unlink(missing_ok=True)
            raise
        store.lock()
        admin_key = _admin_key(engine)
    finally:
        engine.dispose()
    typer.echo(f"data dir    {Path(settings.data_dir).resolve()}")
    typer.echo(f"vault       {store.path} (encrypted with your password)")
    typer.echo(f"database    {'PostgreSQL' if settings.database_url else Path(settings.data_dir) / 'hub.db'}")
    if shown is not None:
        typer.echo("")
        typer.echo(
            "Write down this mnemonic now; it is shown only once and every deposit address derives from it:"
        )
        typer.echo(f"  {shown.reveal()}")
    for line in admin_key:
        typer.echo(line)
    typer.echo("")
    typer.echo("Start the hub with: tanglehub hub serve" + (f" --data-dir {data_dir}" if data_dir else ""))


def _admin_key(engine: Engine) -> list[str]:
    """Create the hub's first admin API key in the (migrated) database; the lines that show the key once."""
    from tanglehub.hub.api.auth import create_api_key  # noqa: PLC0415
    from tanglehub.hub.db import make_sessionmaker  # noqa: PLC0415

    with make_sessionmaker(engine)() as session:
        token, info = create_api_key(session, "admin (hub init)", ["admin"])
    return ["", f"admin API key (shown once; id {info.key_id}):", f"  {token}"]


def _init_remote(settings: HubSettings, config: Path | None) -> None:
    """``hub init --signer-url``: database, admin key and ``hub.toml`` with the signer settings; no vault."""
    from tanglehub.hub.config import CONFIG_FILE_NAME  # noqa: PLC0415

    for what, path in (
        ("--signer-ca", settings.signer_ca),
        ("--signer-cert", settings.signer_client_cert),
        ("--signer-key", settings.signer_client_key),
    ):
        if path is None or not Path(path).is_file():
            raise ConfigError(f"{what}: {path} is not a file ('tanglehub signer certs' makes them)")
    from tanglehub.hub.db import secure_data_dir  # noqa: PLC0415

    root = secure_data_dir(settings.data_dir, sqlite=not settings.database_url)
    engine = _engine(settings, create=True)  # before hub.toml is written: the database must answer first
    try:
        toml = root / CONFIG_FILE_NAME
        if config is None and not toml.exists():
            toml.write_text(_signer_toml(settings), "utf-8")
            written = str(toml)
        else:
            written = f"not written ({config or toml} exists; add signer_url, signer_ca, signer_client_cert, " + (
                "signer_client_key to it)"
            )
        admin_key = _admin_key(engine)
    finally:
        engine.dispose()
    typer.echo(f"data dir    {root.resolve()}")
    typer.echo(f"signer      {settings.signer_url} (mutual TLS; this hub holds no keys and no vault)")
    typer.echo(f"config      {written}")
    typer.echo(f"database    {'PostgreSQL' if settings.database_url else root / 'hub.db'}")
    for line in admin_key:
        typer.echo(line)


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


@app.command("serve")
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
    settings = _with_signer(_settings(config, data_dir), signer_url, signer_ca, signer_cert, signer_key)
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


@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Option("--name", help="A label for the key (who or what uses it).")],
    scope: Annotated[
        list[str], typer.Option("--scope", help="read, deposit, transfer, withdraw or admin (repeatable).")
    ],
    data_dir: DataDirOption = None,
    config: ConfigOption = None,
) -> None:
    """Create an API key and print it once (only its hash is stored)."""
    from tanglehub.hub.api.auth import create_api_key, parse_scopes  # noqa: PLC0415
    from tanglehub.hub.db import make_sessionmaker  # noqa: PLC0415

    scopes = parse_scopes(scope)
    settings = _settings(config, data_dir)
    with database_errors(settings):
        engine = _engine(settings)
        try:
            with make_sessionmaker(engine)() as session:
                token, info = create_api_key(session, name, scopes)
        finally:
            engine.dispose()
    typer.echo(f"key id {info.key_id}, scopes {' '.join(info.scopes)}; the key (shown once):")
    typer.echo(token)


@apikey_app.command("list")
def apikey_list(data_dir: DataDirOption = None, config: ConfigOption = None) -> None:
    """List API keys (id, scopes, name, created, revoked); secrets are never shown."""
    from datetime import UTC, datetime  # noqa: PLC0415

    from tanglehub.hub.api.auth import list_api_keys  # noqa: PLC0415
    from tanglehub.hub.db import make_sessionmaker  # noqa: PLC0415

    def when(ms: int | None) -> str:
        return "-" if ms is None else datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%SZ")

    settings = _settings(config, data_dir)
    with database_errors(settings):
        engine = _engine(settings)
        try:
            with make_sessionmaker(engine)() as session:
                keys = list_api_keys(session)
        finally:
            engine.dispose()
    typer.echo(f"{'id':<14}{'scopes':<34}{'created':<22}{'revoked':<22}name")
    for key in keys:
        scopes = ",".join(key.scopes)
        typer.echo(f"{key.key_id:<14}{scopes:<34}{when(key.created_at):<22}{when(key.revoked_at):<22}{key.name}")


@apikey_app.command("revoke")
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (the part after thk_).")],
    data_dir: DataDirOption = None,
    config: ConfigOption = None,
) -> None:
    """Revoke an API key (running hubs refuse it within seconds)."""
    from tanglehub.hub.api.auth import revoke_api_key  # noqa: PLC0415
    from tanglehub.hub.db import make_sessionmaker  # noqa: PLC0415

    settings = _settings(config, data_dir)
    with database_errors(settings):
        engine = _engine(settings)
        try:
            with make_sessionmaker(engine)() as session:
                info = revoke_api_key(session, key_id)
        finally:
            engine.dispose()
    typer.echo(f"revoked {info.key_id} ({info.name})")


async def _node_confirmed(settings: HubSettings) -> int | None:
    from tanglehub.node import NodePool  # noqa: PLC0415

    pool = NodePool(list(settings.node_urls), max_milestone_age=None)
    try:
        info = await asyncio.wait_for(pool.get_info(), 5.0)
        return int(info.status.confirmed_milestone.index)
    except Exception:  # status reports an unreachable node, it does not fail on it
        return None
    finally:
        await pool.aclose()


@app.command("status")
def status(data_dir: DataDirOption = None, config: ConfigOption = None) -> None:
    """Show the database's state (users, deposits by class, events, webhooks) and the scanner's lag."""
    from tanglehub.hub.api.health import scanner_lag  # noqa: PLC0415
    from tanglehub.hub.db import make_sessionmaker  # noqa: PLC0415
    from tanglehub.hub.deposits.repository import count_by_class  # noqa: PLC0415
    from tanglehub.hub.deposits.service import read_cursor  # noqa: PLC0415
    from tanglehub.hub.events.repository import last_seq  # noqa: PLC0415
    from tanglehub.hub.models import DepositAddress, User  # noqa: PLC0415
    from tanglehub.hub.webhooks.repository import active_webhooks, count_backlog  # noqa: PLC0415

    settings = _settings(config, data_dir)
    with database_errors(settings):
        engine = _engine(settings)
        try:
            with make_sessionmaker(engine)() as session:
                users = session.scalar(select(func.count()).select_from(User)) or 0
                free = session.scalar(
                    select(func.count()).select_from(DepositAddress).where(DepositAddress.user_id.is_(None))
                )
                by_class = count_by_class(session)
                seq = last_seq(session)
                hooks = len(active_webhooks(session))
                backlog = count_backlog(session)
                cursor = read_cursor(session)
        finally:
            engine.dispose()
    confirmed = asyncio.run(_node_confirmed(settings))
    lag = scanner_lag(cursor, confirmed)
    typer.echo(
        f"network       {settings.network_name} (hrp {settings.bech32_hrp}, coin type {settings.coin_type})"
    )
    typer.echo(f"database      {'PostgreSQL' if settings.database_url else Path(settings.data_dir) / 'hub.db'}")
    typer.echo(f"users         {users}")
    typer.echo(f"address pool  {free or 0} unassigned")
    deposits = ", ".join(f"{n} {c}" for c, n in sorted(by_class.items())) or "none"
    typer.echo(f"deposits      {deposits}")
    typer.echo(f"events        last seq {seq}")
    typer.echo(f"webhooks      {hooks} active, backlog {backlog}")
    node = "unreachable" if confirmed is None else f"confirmed milestone {confirmed}"
    typer.echo(f"node          {settings.node_urls[0]}: {node}")
    shown_cursor = cursor if cursor is not None else "-"
    typer.echo(f"scanner       next milestone {shown_cursor}, lag {lag if lag is not None else '?'}")


def _mount_demo() -> None:
    from tanglehub.cli.hub_demo import hub_demo  # noqa: PLC0415

    app.command("demo")(hub_demo)


_mount_demo()
