"""``tanglehub hub`` as a user runs it: init (mnemonic and admin key shown once, nothing secret on disk in
clear), apikey create/list/revoke, status, and serve as a child process against a devnet child process
(health, readiness, an authenticated call, a clean stop on SIGTERM). Errors are one line with exit code 2."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from tests.devnet_process import Devnet

from tanglehub.cli.main import main
from tanglehub.devnet.server import free_port
from tanglehub.hub.context import open_hub
from tanglehub.hub.settings import HubSettings
from tanglehub.keys.bip39 import mnemonic_to_seed
from tanglehub.keys.ed25519 import public_key
from tanglehub.keys.slip10 import Bip44, derive_path
from tanglehub.protocol.address import Ed25519Address

PASSWORD = "a long test password for the hub vault"
TOKEN = re.compile(r"thk_[0-9a-f]+_[A-Za-z0-9_-]+")


def _env(data_dir: Path, node_url: str = "http://127.0.0.1:9") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANGLEHUB_HUB_")}
    env.update(
        TANGLEHUB_HUB_PASSWORD=PASSWORD,
        TANGLEHUB_HUB_DATA_DIR=str(data_dir),
        TANGLEHUB_HUB_NODE_URLS=node_url,
        TANGLEHUB_HUB_ADDRESS_POOL_TARGET="20",
        TANGLEHUB_HUB_ADDRESS_POOL_LOW_WATER="5",
        TANGLEHUB_HUB_ADDRESS_POOL_BATCH="10",
    )
    return env


def _hub(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``tanglehub hub ...`` in a child process (for the serve test, which needs a process to signal)."""
    return subprocess.run(
        [sys.executable, "-m", "tanglehub.cli.main", "hub", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``tanglehub hub ...`` in this process (as ``main(argv)`` does) with the given environment."""

    def call(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        for key in [k for k in os.environ if k.startswith("TANGLEHUB_HUB_")]:
            monkeypatch.delenv(key)
        for key, value in env.items():
            if key.startswith("TANGLEHUB_HUB_"):
                monkeypatch.setenv(key, value)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        capsys.readouterr()
        code = main(["hub", *args])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return call


@pytest.fixture
def initialized(tmp_path: Path, run: Run) -> tuple[dict[str, str], str, str]:
    """A hub initialized in tmp_path/hub: (env, mnemonic shown, admin key shown)."""
    env = _env(tmp_path / "hub")
    done = run(env, "init")
    assert done.returncode == 0, done.stderr
    words = [line.strip() for line in done.stdout.splitlines() if len(line.split()) == 24]
    assert len(words) == 1, done.stdout
    (token,) = TOKEN.findall(done.stdout)
    return env, words[0], token


def test_init_shows_the_mnemonic_and_key_once_and_keeps_them_off_disk(
    initialized: tuple[dict[str, str], str, str], tmp_path: Path, run: Run
) -> None:
    env, mnemonic, token = initialized
    files = [p for p in (tmp_path / "hub").rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"hub.vault", "hub.db"}
    secret = token.split("_", 2)[2].encode()  # thk_<id>_<secret>; the secret itself may hold "_"
    for path in files:
        data = path.read_bytes()
        assert mnemonic.split()[0].encode() + b" " + mnemonic.split()[1].encode() not in data, path
        assert secret not in data, path
    again = run(env, "init")
    assert again.returncode == 2
    assert again.stderr.startswith("error: ")
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr


def test_init_imports_a_mnemonic_from_stdin(tmp_path: Path, run: Run) -> None:
    from tests.hub.api.conftest import MNEMONIC

    env = _env(tmp_path / "imported")
    done = run(env, "init", "--import", stdin=MNEMONIC + "\n")
    assert done.returncode == 0, done.stderr
    assert MNEMONIC not in done.stdout
    assert len(TOKEN.findall(done.stdout)) == 1
    bad = run(_env(tmp_path / "bad"), "init", "--import", stdin="not a mnemonic at all\n")
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert not (tmp_path / "bad" / "hub.vault").exists()


def test_apikeys_are_created_listed_and_revoked(initialized: tuple[dict[str, str], str, str], run: Run) -> None:
    env, _, admin = initialized
    made = run(env, "apikey", "create", "--name", "reporting", "--scope", "read", "--scope", "deposit")
    assert made.returncode == 0, made.stderr
    (token,) = TOKEN.findall(made.stdout)
    key_id = token.split("_")[1]
    listed = run(env, "apikey", "list")
    assert key_id in listed.stdout
    assert admin.split("_")[1] in listed.stdout
    assert token.rsplit("_", 1)[-1] not in listed.stdout
    row = next(line for line in listed.stdout.splitlines() if line.startswith(key_id))
    assert "deposit,read" in row
    revoked = run(env, "apikey", "revoke", key_id)
    assert revoked.returncode == 0, revoked.stderr
    row = next(line for line in run(env, "apikey", "list").stdout.splitlines() if line.startswith(key_id))
    assert re.search(r"\d{4}-\d\d-\d\d .*\d{4}-\d\d-\d\d", row), row
    for args, message in (
        (("apikey", "create", "--name", "x", "--scope", "root"), "unknown scope"),
        (("apikey", "revoke", "nope"), "no API key"),
    ):
        failed = run(env, *args)
        assert failed.returncode == 2, failed.stdout
        assert message in failed.stderr
        assert "Traceback" not in failed.stderr


def test_commands_on_a_missing_hub_say_so(tmp_path: Path, run: Run) -> None:
    for args in (("status",), ("apikey", "list")):
        failed = run(_env(tmp_path / "nowhere"), *args)
        assert failed.returncode == 2
        assert "run `tanglehub hub init` first" in failed.stderr
    assert not (tmp_path / "nowhere").exists()


def test_bad_configuration_is_one_line(tmp_path: Path, run: Run) -> None:
    env = _env(tmp_path / "hub")
    env["TANGLEHUB_HUB_API_PORT"] = "eighty"
    failed = run(env, "status")
    assert failed.returncode == 2
    assert failed.stderr.strip().count("\n") == 0
    assert "TANGLEHUB_HUB_API_PORT" in failed.stderr


def _listen(url: str, headers: dict[str, str], lines: list[str]) -> None:
    try:
        with httpx.stream("GET", url + "/v1/events/stream", headers=headers, timeout=None) as response:
            for line in response.iter_lines():
                lines.append(line)
    except httpx.HTTPError:
        lines.append("closed by the server")


@pytest.fixture
def devnet(tmp_path: Path) -> Iterator[Devnet]:
    node = Devnet(tmp_path)
    yield node
    node.stop()


@pytest.mark.slow
def test_serve_answers_and_stops_cleanly_on_sigterm(tmp_path: Path, devnet: Devnet) -> None:
    env = _env(tmp_path / "hub", devnet.url)
    done = _hub(env, "init")
    assert done.returncode == 0, done.stderr
    (token,) = TOKEN.findall(done.stdout)
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tanglehub.cli.main", "hub", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while f"hub API on {url}" not in (tmp_path / "serve.log").read_text():
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        while True:
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        headers = {"Authorization": f"Bearer {token}"}
        made = httpx.post(url + "/v1/users", json={"userId": "carol"}, headers=headers, timeout=10)
        assert made.status_code == 201, made.text
        while (ready := httpx.get(url + "/ready", timeout=10)).status_code != 200:
            assert time.monotonic() < deadline, ready.text
            time.sleep(0.2)
        assert ready.json()["checks"]["signer"]["ok"] is True
        second = _hub(env, "serve", "--port", str(free_port()))
        assert second.returncode == 2, "a second hub process on the same SQLite database must be refused"
        assert "Traceback" not in second.stderr
        taken = _hub(env, "serve", "--port", str(port))
        assert taken.returncode == 2, taken.stderr
        assert taken.stderr.strip().splitlines() == [
            f"error: cannot listen on 127.0.0.1 port {port}: Address already in use; "
            "stop the process using it or pass another --port"
        ], taken.stderr
        status = _hub(env, "status")
        assert status.returncode == 0, status.stderr
        assert re.search(r"users\s+1", status.stdout), status.stdout
        streamed: list[str] = []
        listener = threading.Thread(target=_listen, args=(url, headers, streamed), daemon=True)
        listener.start()  # a live SSE client must not keep the hub from stopping
        while not any(line.startswith("id: ") for line in streamed):
            assert time.monotonic() < deadline, streamed
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0, (tmp_path / "serve.log").read_text()
        listener.join(30)
        assert not listener.is_alive()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    assert "Traceback" not in (tmp_path / "serve.log").read_text()


@pytest.mark.slow
def test_demo_credits_a_faucet_deposit_and_prints_the_walkthrough(tmp_path: Path, run: Run) -> None:
    done = run({}, "demo", "--exit", "--data-dir", str(tmp_path / "demo"), "--port", "0", "--devnet-port", "0")
    assert done.returncode == 0, done.stderr
    balance = re.search(r"balance\s+demo-alice: available ([\d,]+) base units", done.stdout)
    assert balance, done.stdout
    assert int(balance.group(1).replace(",", "")) > 0
    for kind in ("user.created", "address.assigned", "deposit.credited"):
        assert kind in done.stdout
    assert re.search(r"docs\s+http://127\.0\.0\.1:\d+/docs", done.stdout)
    assert len(set(TOKEN.findall(done.stdout))) == 1
    assert "curl" in done.stdout
    assert (tmp_path / "demo" / "hub.db").exists()
    # the keys live only in the signing server (its own process and vault); the hub pays through it
    assert re.search(r"signer\s+https://127\.0\.0\.1:\d+ \(separate process", done.stdout)
    assert re.search(r"withdrawal\s+confirmed in transaction 0x[0-9a-f]{64}", done.stdout)
    assert not (tmp_path / "demo" / "hub.vault").exists()
    assert (tmp_path / "demo" / "signer" / "signer.vault").exists()


def _children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (Linux /proc)."""
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(part) for part in text.split()]


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads child processes from Linux /proc")
def test_sigterm_to_the_demo_stops_the_signer_child(tmp_path: Path) -> None:
    log = tmp_path / "demo.log"
    args = ["demo", "--data-dir", str(tmp_path / "demo"), "--port", "0", "--devnet-port", "0"]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tanglehub.cli.main", "hub", *args], stdout=out, stderr=subprocess.STDOUT
        )
    children: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while "Press Ctrl-C to stop." not in log.read_text():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        children = _children(proc.pid)
        assert children, "the demo runs its signing server as a child process"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for child in children:
            if not _gone(child):
                os.kill(child, signal.SIGKILL)
                pytest.fail(f"the demo's child process {child} was left running: {log.read_text()}")
    assert "Traceback" not in log.read_text()


def _wait_started(proc: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    """Until this process (not another one on the shared port) says uvicorn serves."""
    while "Application startup complete" not in log.read_text():
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


@pytest.mark.slow
def test_api_processes_share_one_port_with_reuse_port(
    tmp_path: Path, devnet: Devnet, database_url: str | None
) -> None:
    """On PostgreSQL two ``serve --reuse-port`` processes (one ``--api-only``, one full hub with its workers)
    listen on one port; when one is killed the other keeps answering on it. On SQLite the option is refused in
    one line (one process uses the database)."""
    env = _env(tmp_path / "hub", devnet.url)
    port = free_port()
    if database_url is None:
        refused = _hub(env, "serve", "--api-only", "--reuse-port", "--port", str(port))
        assert refused.returncode == 2
        assert refused.stderr.strip().splitlines() == [
            "error: --reuse-port needs PostgreSQL (set TANGLEHUB_HUB_DATABASE_URL or database_url in the config): "
            "on SQLite one hub process uses the database"
        ]
        return
    env["TANGLEHUB_HUB_DATABASE_URL"] = database_url
    done = _hub(env, "init")
    assert done.returncode == 0, done.stderr
    (token,) = TOKEN.findall(done.stdout)
    headers = {"Authorization": f"Bearer {token}"}
    url = f"http://127.0.0.1:{port}"
    procs: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        for name, only in (("a", ["--api-only"]), ("b", [])):  # b is a full hub (API and workers)
            log = tmp_path / f"serve-{name}.log"
            with log.open("wb") as out:
                args = ["hub", "serve", *only, "--reuse-port", "--port", str(port)]
                proc = subprocess.Popen(
                    [sys.executable, "-m", "tanglehub.cli.main", *args],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            procs.append((proc, log))
            _wait_started(proc, log, time.monotonic() + 60)
            assert f"hub API on {url}" in log.read_text()
        assert all(proc.poll() is None for proc, _ in procs), "both processes must hold the port"
        made = httpx.post(url + "/v1/users", json={"userId": "dana"}, headers=headers, timeout=10)
        assert made.status_code == 201, made.text
        procs[0][0].kill()
        procs[0][0].wait(30)
        for _ in range(20):  # new connections all reach the survivor
            with httpx.Client(base_url=url, headers=headers, timeout=10) as api:
                balance = api.get("/v1/users/dana/balance")
            assert balance.status_code == 200, balance.text
            assert balance.json() == {"userId": "dana", "available": "0", "locked": "0"}
        assert procs[1][0].poll() is None, procs[1][1].read_text()
    finally:
        for proc, _ in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(30)
    for _, log in procs[1:]:
        assert "Traceback" not in log.read_text()


def _store_deposit_address(data_dir: Path, address_hash: bytes) -> None:
    """Put a pool address at index 0 into the hub's SQLite database, as the address pool worker would."""
    bech32 = Ed25519Address(address_hash).to_bech32("tst")
    with sqlite3.connect(data_dir / "hub.db") as db:
        db.execute(
            "INSERT INTO deposit_addresses (address_index, address_hash, bech32) VALUES (0, ?, ?)",
            (address_hash, bech32),
        )


@pytest.mark.slow
def test_serve_refuses_a_database_of_another_mnemonic(
    initialized: tuple[dict[str, str], str, str], tmp_path: Path
) -> None:
    """A vault and a database from different ``hub init`` runs: the database's deposit addresses are not this
    vault's, so ``serve`` refuses in one line before it serves anything. With the vault's own address the
    hub opens."""
    env, mnemonic, _ = initialized
    _store_deposit_address(tmp_path / "hub", bytes(range(32)))
    refused = _hub(env, "serve", "--port", "0")
    assert refused.returncode == 2, refused.stderr
    assert "signer does not hold the keys of the database's deposit addresses" in refused.stderr
    assert "Traceback" not in refused.stderr
    with sqlite3.connect(tmp_path / "hub" / "hub.db") as db:
        db.execute("DELETE FROM deposit_addresses")
    key = derive_path(mnemonic_to_seed(mnemonic), Bip44(4219, 0, 0, 0).path).private_key
    _store_deposit_address(tmp_path / "hub", Ed25519Address.from_public_key(public_key(key)).pub_key_hash)
    settings = HubSettings(data_dir=tmp_path / "hub", node_urls=("http://127.0.0.1:9",))

    async def open_and_close() -> None:  # the vault's own address: no refusal
        ctx = await open_hub(settings, password=PASSWORD, check_node=False)
        await ctx.aclose()

    asyncio.run(open_and_close())
