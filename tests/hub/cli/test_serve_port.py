"""``tanglehub hub serve`` and its port: it says where it listens (the bound socket's real port, so ``--port 0``
shows the chosen one), refuses ``--reuse-port`` where it cannot work (port 0, SQLite: one line naming what to
set), and a taken port says whether ``--reuse-port`` could help. Every refusal here comes before the database is
opened, so these run without a database server (the URL points at a closed port)."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
from collections.abc import Iterator

import pytest
import uvicorn

from tanglehub.cli.hub_serve import _bind_api_port, _QuietServer
from tanglehub.cli.main import main
from tanglehub.errors import ConfigError

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:5999/hubdb"
"""A PostgreSQL URL on a closed port: enough to pass the 'needs PostgreSQL' checks, never connected to here."""


def _serve(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
    url: str | None = UNREACHABLE,
    env: dict[str, str] | None = None,
) -> tuple[int, list[str]]:
    """``tanglehub hub serve ARGS`` in this process on the database ``url`` (None: SQLite); (exit code, stderr
    lines)."""
    for key in [k for k in os.environ if k.startswith("TANGLEHUB_HUB_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("TANGLEHUB_HUB_PASSWORD", "a long test password for the hub vault")
    if url is not None:
        monkeypatch.setenv("TANGLEHUB_HUB_DATABASE_URL", url)
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    capsys.readouterr()
    code = main(["hub", "serve", *args])
    return code, capsys.readouterr().err.strip().splitlines()


async def _app(scope: dict[str, object], receive: object, send: object) -> None:  # a do-nothing ASGI app
    if scope["type"] == "lifespan":
        message = await receive()  # type: ignore[operator]
        while message["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})  # type: ignore[operator]
            message = await receive()  # type: ignore[operator]
        await send({"type": "lifespan.shutdown.complete"})  # type: ignore[operator]


def test_serve_says_where_it_listens_with_the_chosen_port(caplog: pytest.LogCaptureFixture) -> None:
    sock = _bind_api_port("127.0.0.1", 0)
    port = sock.getsockname()[1]

    async def run() -> None:
        server = _QuietServer(uvicorn.Config(_app, log_level="warning"), on_exit=lambda: None)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            assert not task.done(), task.exception()
            await asyncio.sleep(0.01)
        server.request_exit()
        await task

    try:
        with caplog.at_level(logging.INFO, logger="tanglehub.hub"):
            asyncio.run(run())
    finally:
        sock.close()
    said = [r.getMessage() for r in caplog.records if r.name == "tanglehub.hub"]
    assert said == [f"hub API on http://127.0.0.1:{port}"]
    assert port != 0


@pytest.mark.parametrize(
    ("args", "env"),
    [(("--reuse-port", "--port", "0"), {}), (("--reuse-port",), {"TANGLEHUB_HUB_API_PORT": "0"})],
    ids=["--port 0", "api_port 0"],
)
def test_reuse_port_with_port_0_is_refused(
    args: tuple[str, ...], env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each process would get its own random port: nothing would be shared."""
    code, err = _serve(monkeypatch, capsys, *args, env=env)
    assert code == 2
    assert err == [
        "error: --reuse-port needs a fixed port (--port or api_port): with port 0 each process would listen "
        "on a different random port"
    ]


def test_reuse_port_on_sqlite_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _serve(monkeypatch, capsys, "--reuse-port", "--port", "8080", url=None)
    assert code == 2
    assert err == [
        "error: --reuse-port needs PostgreSQL (set TANGLEHUB_HUB_DATABASE_URL or database_url in the config): "
        "on SQLite one hub process uses the database"
    ]


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port held (listening) by a socket that does not share it (no SO_REUSEPORT)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_reuse_port_on_a_port_held_without_it_says_so(
    held_port: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _serve(monkeypatch, capsys, "--reuse-port", "--port", str(held_port))
    assert code == 2
    assert err == [
        f"error: cannot listen on 127.0.0.1 port {held_port}: Address already in use; the process holding it "
        "does not share it (only processes of the same user started with --reuse-port can); stop it or pass "
        "another --port"
    ]


@pytest.mark.parametrize("postgres", [True, False], ids=["postgresql", "sqlite"])
def test_a_taken_port_mentions_reuse_port_only_on_postgresql(
    postgres: bool, held_port: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _serve(monkeypatch, capsys, "--port", str(held_port), url=UNREACHABLE if postgres else None)
    assert code == 2
    taken = (
        f"error: cannot listen on 127.0.0.1 port {held_port}: Address already in use; stop the process using it "
        "or pass another --port"
    )
    hint = " (or --reuse-port if it is another API process of this PostgreSQL hub started with --reuse-port)"
    assert err == [taken + (hint if postgres else "")]


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="needs SO_REUSEPORT")
def test_two_reuse_port_sockets_share_a_port() -> None:
    first = _bind_api_port("127.0.0.1", 0, reuse_port=True)
    try:
        first.listen()
        second = _bind_api_port("127.0.0.1", first.getsockname()[1], reuse_port=True)
        second.close()
        with pytest.raises(ConfigError, match=r"stop the process using it or pass another --port$"):
            _bind_api_port("127.0.0.1", first.getsockname()[1]).close()
    finally:
        first.close()


def test_reuse_port_help_allows_a_full_serve_and_asks_for_one_database(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hub", "serve", "--help"]) == 0
    text = " ".join(re.sub(r"[│╭╮╰╯─]", " ", capsys.readouterr().out).split())
    start = text.index("--reuse-port")
    said = text[start : text.index("--signer-url", start)]
    assert "--api-only --reuse-port" not in said
    assert "with or without --api-only" in said
    assert "every process on the port must use the same database" in said
