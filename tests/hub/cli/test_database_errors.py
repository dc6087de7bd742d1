"""Every ``tanglehub hub`` command that opens the database says in one line, exit code 2, when the database cannot
be reached or refuses the hub (PostgreSQL on a closed port, a database that does not exist, a bad ``sslmode``,
a user that may not create tables; a SQLite file that cannot be opened), names the database by host, port and
name without its password, and leaves nothing half made (``hub init`` makes no vault and no ``hub.toml``).

Before, each of these ended in ``error: unexpected OperationalError (a bug in tanglehub ...)`` and exit code 1.
The cases on the machine's PostgreSQL server run when ``TANGLEHUB_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import io
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tanglehub.cli import hub as hub_cli
from tanglehub.cli.main import main

PG_ENV = "TANGLEHUB_TEST_POSTGRES_URL"
PASSWORD = "s3cret-db-pw"
"""A database password in the URLs below; no message may print it."""
CLOSED_PORT = 5999
"""A port no PostgreSQL listens on (the project's test machines keep it free)."""


COMMANDS = ["init", "init --signer-url", "serve", "status", "apikey create", "apikey list", "apikey revoke"]
"""Every hub command that opens the database (``init`` twice: with a local vault and with a signing server)."""


def _commands(tmp_path: Path) -> dict[str, list[str]]:
    """:data:`COMMANDS` with arguments that get each as far as the database (signer files in ``tmp_path``)."""
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / name).write_text("not used: the database is checked first\n")
    remote = [
        "--signer-url",
        "https://127.0.0.1:9",
        "--signer-ca",
        str(tmp_path / "ca.pem"),
        "--signer-cert",
        str(tmp_path / "cert.pem"),
        "--signer-key",
        str(tmp_path / "key.pem"),
    ]
    return {
        "init": ["init"],
        "init --signer-url": ["init", *remote],
        "serve": ["serve", "--port", "0"],
        "status": ["status"],
        "apikey create": ["apikey", "create", "--name", "x", "--scope", "read"],
        "apikey list": ["apikey", "list"],
        "apikey revoke": ["apikey", "revoke", "abc"],
    }


def _names(app: typer.Typer, prefix: str = "") -> set[str]:
    names = {prefix + (info.name or "") for info in app.registered_commands}
    for group in app.registered_groups:
        assert group.typer_instance is not None
        names |= _names(group.typer_instance, f"{prefix}{group.name} ")
    return names


def test_every_hub_command_is_covered(tmp_path: Path) -> None:
    """A new hub command must be added to :func:`_commands` (``demo`` runs its own SQLite hub in a new folder)."""
    assert list(_commands(tmp_path)) == COMMANDS
    covered = {name.split(" --")[0] for name in COMMANDS}
    assert _names(hub_cli.app) - {"demo"} == covered


def _run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    url: str | None,
    *args: str,
) -> tuple[int, str, str]:
    for key in [k for k in os.environ if k.startswith("TANGLEHUB_HUB_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("TANGLEHUB_HUB_PASSWORD", "a long test password for the hub vault")
    monkeypatch.setenv("TANGLEHUB_HUB_DATA_DIR", str(data_dir))
    monkeypatch.setenv("TANGLEHUB_HUB_NODE_URLS", "http://127.0.0.1:9")
    if url is not None:
        monkeypatch.setenv("TANGLEHUB_HUB_DATABASE_URL", url)
    monkeypatch.delenv("TANGLEHUB_DEBUG", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    capsys.readouterr()
    code = main(["hub", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _assert_one_line(code: int, out: str, err: str, *expected: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    for part in expected:
        assert part in lines[0], err
    assert "unexpected" not in err
    assert PASSWORD not in err + out


def _assert_nothing_made(data_dir: Path) -> None:
    assert not (data_dir / "hub.vault").exists(), "a vault whose mnemonic was never shown"
    assert not (data_dir / "hub.toml").exists()


URLS = {
    "closed port": (
        f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:{CLOSED_PORT}/hubdb",
        f"(PostgreSQL database 'hubdb' at 127.0.0.1:{CLOSED_PORT}): connection refused",
    ),
    "bad sslmode": (
        f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:{CLOSED_PORT}/hubdb?sslmode=bogus",
        'invalid sslmode value: "bogus"',
    ),
}


@pytest.mark.parametrize("case", list(URLS))
@pytest.mark.parametrize("command", COMMANDS)
def test_an_unreachable_postgresql_is_one_line(
    case: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url, detail = URLS[case]
    data_dir = tmp_path / "hub"
    code, out, err = _run(monkeypatch, capsys, data_dir, url, *_commands(tmp_path)[command])
    _assert_one_line(
        code, out, err, "error: cannot connect to the hub's database", detail, "TANGLEHUB_HUB_DATABASE_URL"
    )
    _assert_nothing_made(data_dir)


def test_a_database_url_that_does_not_parse_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:port/hubdb"
    code, out, err = _run(monkeypatch, capsys, tmp_path / "hub", url, "status")
    _assert_one_line(code, out, err, "database_url is not a valid URL", "TANGLEHUB_HUB_DATABASE_URL")


@pytest.mark.parametrize("command", ["status", "apikey list", "serve"])
def test_a_sqlite_file_that_cannot_be_opened_is_one_line(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "hub"
    (data_dir / "hub.db").mkdir(parents=True)  # a folder where the database file should be
    code, out, err = _run(monkeypatch, capsys, data_dir, None, *_commands(tmp_path)[command])
    _assert_one_line(code, out, err, f"cannot use the hub's database (SQLite file {data_dir / 'hub.db'})")
    assert "--data-dir" in err


@pytest.fixture
def server_url() -> str:
    """The PostgreSQL server the hub tests use (``TANGLEHUB_TEST_POSTGRES_URL``)."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set")
    return url


@pytest.mark.parametrize("command", COMMANDS)
def test_a_database_that_does_not_exist_is_one_line(
    command: str,
    server_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = "no_such_db_" + uuid.uuid4().hex[:12]
    url = make_url(server_url).set(database=missing, password=PASSWORD)
    data_dir = tmp_path / "hub"
    code, out, err = _run(
        monkeypatch, capsys, data_dir, url.render_as_string(hide_password=False), *_commands(tmp_path)[command]
    )
    _assert_one_line(
        code,
        out,
        err,
        f"error: cannot connect to the hub's database (PostgreSQL database '{missing}' at {url.host}:",
        f'database "{missing}" does not exist',
        "TANGLEHUB_HUB_DATABASE_URL",
    )
    _assert_nothing_made(data_dir)


@pytest.fixture
def unprivileged_url(server_url: str) -> Iterator[str]:
    """A URL on the test server for a new role that may connect but not create tables (a schema of its own
    that it does not own), dropped afterwards."""
    suffix = uuid.uuid4().hex[:12]
    role, schema = f"th_nocreate_{suffix}", f"th_nocreate_{suffix}"
    admin = create_engine(server_url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {role}"))
    base = make_url(server_url).set(username=role, password=None)
    try:
        yield base.render_as_string(hide_password=False) + f"?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()


@pytest.mark.parametrize("command", ["init", "status", "serve"])
def test_a_user_that_may_not_create_tables_is_one_line(
    command: str,
    unprivileged_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir = tmp_path / "hub"
    code, out, err = _run(monkeypatch, capsys, data_dir, unprivileged_url, *_commands(tmp_path)[command])
    _assert_one_line(
        code, out, err, "refused the hub: permission denied for schema", "right to create tables", "database_url"
    )
    _assert_nothing_made(data_dir)
