"""``tanglehub hub demo`` (what ``make run`` runs): a devnet and a hub on SQLite in a local folder, end to end.

It starts a devnet node, initializes a hub in ``./hub-demo/<timestamp>`` (vault with a fresh mnemonic kept
only inside it, encrypted with a random one-time password), serves the hub's API with its workers, creates a
demo user over the REST API, pays the user's deposit address from the devnet faucet, waits until the scanner
credits it, shows the balance and the event log, and prints the docs URL, the admin key and a curl
walkthrough. Then it keeps serving until Ctrl-C (``--exit`` stops after the walkthrough).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from tanglehub.errors import ConfigError

__all__ = ["hub_demo"]

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
        events = await _call(client, "GET", "/v1/events", params={"limit": 20})
        print("events")
        for event in events["items"]:
            print(f"  #{event['seq']:<4} {event['kind']:<22} {json.dumps(event['data'], sort_keys=True)[:90]}")


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
    print(f"  curl -s {auth} {hub_url}/v1/reconciliation")
    print(f"  curl -s {hub_url}/ready; curl -s {hub_url}/metrics | grep tanglehub_hub")


async def _run(data_dir: Path, api_port: int, devnet_url: str, exit_after: bool) -> None:
    import uvicorn  # noqa: PLC0415

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
    password = secrets.token_urlsafe(24)  # one-time: the demo vault is never reopened
    store = VaultStore(vault_path(settings), kdf=KdfParams.INTERACTIVE, idle_timeout=None)
    data_dir.mkdir(parents=True, exist_ok=True)
    store.create(password)
    store.generate_mnemonic()  # a throwaway demo seed, kept only inside the encrypted vault
    store.lock()
    ctx = await open_hub(settings, password=password)
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
        server = uvicorn.Server(config)
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
                await task
        finally:
            server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await task
    finally:
        await ctx.aclose()


def hub_demo(
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="The hub folder (default: ./hub-demo/<timestamp>).")
    ] = None,
    port: Annotated[int, typer.Option(help="Port of the hub API (a free one if taken).")] = 8080,
    devnet_port: Annotated[int, typer.Option(help="Port of the devnet node (a free one if taken).")] = 14265,
    exit_after: Annotated[bool, typer.Option("--exit", help="Stop after the walkthrough.")] = False,
) -> None:
    """Devnet + hub on SQLite: create a user, pay a deposit from the faucet, see it credited, keep serving."""
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
    with BackgroundServer(config) as devnet:
        every = config.milestone_interval
        print(f"devnet      {devnet.url} (network {config.network_name}, a milestone every {every} s)")
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_run(target.resolve(), port, devnet.url, exit_after))
