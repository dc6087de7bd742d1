"""``tanglehub hub``: set up and run the custody hub.

* ``init``: data directory, vault (a new mnemonic shown once, or ``--import`` from standard input), database,
  and the first admin API key (shown once); with ``--signer-url`` (+ ``--signer-ca/-cert/-key``) no vault: the
  keys live in the signing server (``tanglehub signer``) and ``serve`` asks for no password.
* ``serve``: API and workers in one process (``--api-only`` / ``--workers-only`` split them; on SQLite only one
  hub process may use the database, so splitting needs PostgreSQL; there ``--reuse-port`` lets several API
  processes, with or without workers, share one port). Says ``hub API on http://HOST:PORT`` once it listens.
  SIGTERM or Ctrl-C stops it cleanly. It lives in :mod:`tanglehub.cli.hub_serve`.
* ``apikey create|list|revoke``: manage API keys (works while the hub runs).
* ``status``: what the database and the node say (no password needed).
* ``demo``: the ``make run`` walkthrough (devnet + hub on SQLite in a local folder).

The vault password comes from ``TANGLEHUB_HUB_PASSWORD`` or a prompt; it is never an option (shell history,
``ps``) and never printed. Errors are one ``error:`` line and exit code 2, an unreachable or misconfigured
database included (:mod:`tanglehub.cli.database_errors`). The options and settings the subcommands share are in
:mod:`tanglehub.cli.hub_options`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine, func, select

from tanglehub.cli.database_errors import database_errors
from tanglehub.cli.hub_options import (
    PASSWORD_ENV,
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
from tanglehub.cli.hub_serve import serve
from tanglehub.errors import ConfigError
from tanglehub.hub.settings import HubSettings

__all__ = ["PASSWORD_ENV", "app", "read_password"]

app = typer.Typer(
    name="hub",
    help="The custody hub: users, deposit addresses, deposits, ledger, transfers, events and webhooks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
apikey_app = typer.Typer(name="apikey", help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(apikey_app, name="apikey")


def _signer_toml(settings: HubSettings) -> str:
    lines = ["# written by `tanglehub hub init`: the keys live in the signing server", "[hub]"]
    for name in ("signer_url", "signer_ca", "signer_client_cert", "signer_client_key"):
        value = getattr(settings, name)
        lines.append(f'{name} = "{Path(value).resolve() if name != "signer_url" else value}"')
    return "\n".join(lines) + "\n"


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
    settings = with_signer(hub_settings(config, data_dir), signer_url, signer_ca, signer_cert, signer_key)
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


app.command("serve")(serve)  # tanglehub.cli.hub_serve: the API and workers


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
    settings = hub_settings(config, data_dir)
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

    settings = hub_settings(config, data_dir)
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

    settings = hub_settings(config, data_dir)
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

    settings = hub_settings(config, data_dir)
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
