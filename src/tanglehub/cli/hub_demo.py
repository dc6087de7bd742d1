"""``tanglehub hub demo`` (what ``make run`` runs): a devnet and a hub on SQLite in a local folder, end to end.

It starts a devnet node and, by default, a signing server as a separate process (``tanglehub signer init``,
``certs`` and ``serve`` in ``<folder>/signer``: a fresh mnemonic that only the signer's encrypted vault holds,
a random one-time password, mutual TLS), then a hub in ``./hub-demo/<timestamp>`` with NO vault that derives
its addresses and signs through the signer. It serves the hub's API with its workers, creates a demo user over
the REST API, pays the user's deposit address from the devnet faucet, waits until the scanner credits it, pays
a withdrawal (signed by the signer) and waits until it is confirmed, shows the balance and the event log, and
prints the docs URL, the admin key and a curl walkthrough. Then it keeps serving until Ctrl-C (``--exit``
stops after the walkthrough). ``--local-keys`` keeps the keys in a vault inside the hub instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
import uvicorn

from tanglehub.cli.loop import run as run_loop
from tanglehub.cli.signals import sigterm_as_interrupt
from tanglehub.errors import ConfigError
from tanglehub.protocol.address import Ed25519Address

__all__ = ["hub_demo", "start_signer", "stop_process"]

DEMO_USER = "demo-alice"
CREDIT_WAIT = 60.0


def _units(value: str | int) -> str:
    return f"{int(value):,} base units ({int(value) / 1_000_000:,.6f} SMR)"


async def _call(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
    response = await client.request(method, path, **kwargs)
    if response.status_code >= 400:
        raise ConfigError(f"the hub answered {method} {path} with {response.status_code}: {response.text[:300]}")
    return response.json() if response.content else None


async def _walkthrough(hub_url: str, devnet_url: str, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=hub_url, headers=headers, timeout=30) as client:
        user = await _call(client, "POST", "/v1/users", json={"userId": DEMO_USER})
        print(f"user        {user['userId']} created through POST /v1/users")
        address = user.get("depositAddress")
        if not address:
            made = await _call(client, "POST", f"/v1/users/{DEMO_USER}/deposit-addresses")
            address = made["address"]
        print(f"deposit     {address}")
        async with httpx.AsyncClient(base_url=devnet_url, timeout=30) as devnet:
            paid = await devnet.post("/api/plugins/faucet/v1/enqueue", json={"address": address})
            paid.raise_for_status()
        print("faucet      paid the deposit address; waiting for a milestone and the scanner ...")
        deadline = time.monotonic() + CREDIT_WAIT
        while True:
            balance = await _call(client, "GET", f"/v1/users/{DEMO_USER}/balance")
            if int(balance["available"]) > 0:
                break
            if time.monotonic() > deadline:
                raise ConfigError(f"the deposit was not credited within {CREDIT_WAIT:.0f} s")
            await asyncio.sleep(0.3)
        print(f"balance     {DEMO_USER}: available {_units(balance['available'])}")
        await _withdraw(client)
        events = await _call(client, "GET", "/v1/events", params={"limit": 20})
        print("events")
        for event in events["items"]:
            print(f"  #{event['seq']:<4} {event['kind']:<22} {json.dumps(event['data'], sort_keys=True)[:90]}")


WITHDRAW_TO = Ed25519Address(bytes([0x5A]) * 32).to_bech32("tst")
"""Where the demo withdrawal goes (an address no one on the devnet holds a key for)."""


async def _withdraw(client: httpx.AsyncClient) -> None:
    body = {"userId": DEMO_USER, "address": WITHDRAW_TO, "amount": "1000000"}
    made = await _call(client, "POST", "/v1/withdrawals", json=body, headers={"Idempotency-Key": "demo-1"})
    print(f"withdrawal  {made['id']}: 1 SMR to {WITHDRAW_TO[:20]}... queued; the signer signs it ...")
    deadline = time.monotonic() + CREDIT_WAIT
    while True:
        got = await _call(client, "GET", f"/v1/withdrawals/{made['id']}")
        if got["state"] in ("confirmed", "failed"):
            break
        if time.monotonic() > deadline:
            raise ConfigError(
                f"the withdrawal was not confirmed within {CREDIT_WAIT:.0f} s (state {got['state']})"
            )
        await asyncio.sleep(0.3)
    print(
        f"withdrawal  {got['state']} in transaction {got.get('transactionId')} (milestone {got.get('milestone')})"
    )


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "tanglehub.cli.main", *args], env=env, capture_output=True, text=True, check=False
    )


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Stop a child process: SIGTERM, up to 10 s to exit, then SIGKILL; always reaped. A no-op once it ended."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()


def start_signer(folder: Path, devnet_url: str, port: int) -> tuple[subprocess.Popen[bytes], str]:
    """Initialize a signer in ``folder`` (its mnemonic never printed: it stays in the signer's vault), make its
    certificates and serve it on ``port`` as a child process; returns the process and its URL once it answers.
    Raises :class:`ConfigError` when a step fails."""
    env = dict(os.environ, TANGLEHUB_SIGNER_PASSWORD=secrets.token_urlsafe(24))
    for args in (
        ("signer", "init", "--data-dir", str(folder), "--node-url", devnet_url, "--kdf", "interactive"),
        ("signer", "certs", "--data-dir", str(folder)),
    ):
        done = _cli(*args, env=env)
        if done.returncode != 0:
            raise ConfigError(f"'tanglehub {' '.join(args[:2])}' failed: {done.stderr.strip()[:300]}")
    process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [
            sys.executable,
            "-m",
            "tanglehub.cli.main",
            "signer",
            "serve",
            "--data-dir",
            str(folder),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    url = f"https://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    import socket  # noqa: PLC0415

    try:
        while True:
            if process.poll() is not None:
                raise ConfigError(f"the signer exited at start (code {process.returncode})")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, url
            if time.monotonic() > deadline:
                raise ConfigError(f"the signer did not listen on port {port} within 30 s")
            time.sleep(0.1)
    except BaseException:  # Ctrl-C / SIGTERM while it starts, too: never leave it running
        stop_process(process)
        raise


def _print_guide(hub_url: str, devnet_url: str, token: str, data_dir: Path) -> None:
    print()
    print(f"docs        {hub_url}/docs   (OpenAPI at {hub_url}/openapi.json)")
    print(f"admin key   {token}")
    print(f"data dir    {data_dir} (SQLite: hub.db)")
    print(f"devnet      {devnet_url}")
    print()
    print("Try:")
    print(f"  export KEY='{token}'")
    auth = '-H "Authorization: Bearer $KEY"'
    json_body = "-H 'content-type: application/json' -d"
    print(f'  curl -s {auth} -X POST {hub_url}/v1/users {json_body} \'{{"userId": "bob"}}\'')
    print(f"  curl -s {auth} -X POST {hub_url}/v1/users/bob/deposit-addresses")
    print(f"  curl -s {auth} {hub_url}/v1/users/{DEMO_USER}/balance")
    legs = f'[{{"userId": "{DEMO_USER}", "amount": "-1000"}}, {{"userId": "bob", "amount": "1000"}}]'
    print(f"  curl -s {auth} -X POST {hub_url}/v1/transfers {json_body} \\")
    print(f'       \'{{"idempotencyKey": "trade-1", "legs": {legs}}}\'')
    print(f"  curl -s {auth} '{hub_url}/v1/events?after=0&limit=10'")
    print(f"  curl -sN {auth} {hub_url}/v1/events/stream        # live; Ctrl-C to leave")
    print(f"  curl -s {auth} '{hub_url}/v1/withdrawals?userId={DEMO_USER}'")
    print(f"  curl -s {auth} {hub_url}/v1/treasury")
    print(f"  curl -s {auth} {hub_url}/v1/reconciliation")
    print(f"  curl -s {hub_url}/ready; curl -s {hub_url}/metrics | grep tanglehub_hub")


class _QuietServer(uvicorn.Server):
    """uvicorn's server without its own signal handling (it would re-raise the signal once stopped, which
    interrupts the event loop and leaves its worker threads behind); :class:`_Stopping` stops it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class _Stopping:
    """What SIGTERM / Ctrl-C do in the demo's event loop: while serving, stop the server (``_run`` then returns
    normally); before that, cancel the demo's main task. Either way every ``finally`` stops the children."""

    def __init__(self, main: asyncio.Task[Any] | None) -> None:
        self.main = main
        self.server: uvicorn.Server | None = None
        self.serving = False

    def request(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if not self.serving and self.main is not None:
            self.main.cancel()


async def _run(  # noqa: PLR0917 - the demo's settings, in order
    data_dir: Path,
    api_port: int,
    devnet_url: str,
    exit_after: bool,
    signer_port: int | None,
    children: list[subprocess.Popen[bytes]],
) -> None:
    """Start the signer (recorded in ``children``, which the caller stops on every way out) and the hub, run the
    walkthrough and serve."""
    from tanglehub.hub.api.app import create_app  # noqa: PLC0415
    from tanglehub.hub.api.auth import create_api_key  # noqa: PLC0415
    from tanglehub.hub.context import open_hub, vault_path  # noqa: PLC0415
    from tanglehub.hub.settings import HubSettings  # noqa: PLC0415
    from tanglehub.hub.workers.pool import fill_pool  # noqa: PLC0415
    from tanglehub.vault import KdfParams, VaultStore  # noqa: PLC0415

    settings = HubSettings(
        data_dir=data_dir,
        node_urls=(devnet_url,),
        api_port=api_port,
        address_pool_target=50,
        address_pool_low_water=10,
        address_pool_batch=25,
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    stopping = _Stopping(asyncio.current_task())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.request)
    signer: subprocess.Popen[bytes] | None = None
    password: str | None = None
    if signer_port is not None:
        certs = data_dir / "signer" / "certs"
        signer, settings.signer_url = start_signer(data_dir / "signer", devnet_url, signer_port)
        children.append(signer)
        settings.signer_ca = certs / "ca.pem"
        settings.signer_client_cert = certs / "hub-client.pem"
        settings.signer_client_key = certs / "hub-client-key.pem"
        print(f"signer      {settings.signer_url} (separate process, mutual TLS; the keys live only there)")
    else:
        password = secrets.token_urlsafe(24)  # one-time: the demo vault is never reopened
        store = VaultStore(vault_path(settings), kdf=KdfParams.INTERACTIVE, idle_timeout=None)
        store.create(password)
        store.generate_mnemonic()  # a throwaway demo seed, kept only inside the encrypted vault
        store.lock()
    try:
        ctx = await open_hub(settings, password=password)
    except BaseException:
        if signer is not None:
            stop_process(signer)
        raise
    try:
        with ctx.sessionmaker() as session:
            token, _ = create_api_key(session, "admin (demo)", ["admin"])
        await fill_pool(ctx)
        config = uvicorn.Config(
            create_app(ctx, with_workers=True),
            host="127.0.0.1",
            port=api_port,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=3,
        )
        server = _QuietServer(config)
        stopping.server = server
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                task.result()
                raise ConfigError(f"the hub API did not start on port {api_port}")
            await asyncio.sleep(0.05)
        hub_url = f"http://127.0.0.1:{api_port}"
        print(f"hub         {hub_url} (SQLite in {data_dir}, workers running)")
        try:
            try:
                await _walkthrough(hub_url, devnet_url, token)
            except httpx.HTTPError as exc:
                raise ConfigError(f"the demo could not reach the hub or the devnet: {exc}") from exc
            _print_guide(hub_url, devnet_url, token, data_dir)
            if not exit_after:
                print("\nThe hub and the devnet keep serving. Press Ctrl-C to stop.")
                stopping.serving = True
                await task
        finally:
            server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await task
    finally:
        try:
            await ctx.aclose()
        finally:
            if signer is not None:
                stop_process(signer)


def hub_demo(
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="The hub folder (default: ./hub-demo/<timestamp>).")
    ] = None,
    port: Annotated[int, typer.Option(help="Port of the hub API (a free one if taken).")] = 8080,
    devnet_port: Annotated[int, typer.Option(help="Port of the devnet node (a free one if taken).")] = 14265,
    exit_after: Annotated[bool, typer.Option("--exit", help="Stop after the walkthrough.")] = False,
    local_keys: Annotated[
        bool, typer.Option("--local-keys", help="Keep the keys in a vault inside the hub (no signing server).")
    ] = False,
) -> None:
    """Devnet + signing server + hub on SQLite: create a user, pay a deposit from the faucet, see it credited,
    withdraw (signed by the signer), keep serving."""
    from tanglehub.cli.demo import _port_is_free  # noqa: PLC0415
    from tanglehub.devnet import BackgroundServer, DevnetConfig, free_port  # noqa: PLC0415

    for name, value in (("port", port), ("devnet-port", devnet_port)):
        if not 0 <= value <= 65535:
            raise ConfigError(f"--{name} must be between 0 and 65535, got {value}")
    if port == 0 or not _port_is_free(port):
        port = free_port()
    if not _port_is_free(devnet_port) or devnet_port == port:
        devnet_port = free_port()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = data_dir or Path("hub-demo") / stamp
    if target.exists() and any(target.iterdir()):
        raise ConfigError(f"{target} is not empty; give a new folder for the demo hub")
    config = DevnetConfig(port=devnet_port, milestone_interval=0.5)
    children: list[subprocess.Popen[bytes]] = []
    # SIGTERM (systemd, Docker, `timeout`, `kill`) takes Ctrl-C's way out: every child is stopped on any exit
    with sigterm_as_interrupt(), contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        try:
            with BackgroundServer(config) as devnet:
                every = config.milestone_interval
                print(f"devnet      {devnet.url} (network {config.network_name}, a milestone every {every} s)")
                signer_port = None if local_keys else free_port()
                run_loop(_run(target.resolve(), port, devnet.url, exit_after, signer_port, children))
        finally:
            for child in children:
                stop_process(child)
