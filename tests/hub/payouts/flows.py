"""Helpers of the payout tests over real HTTP: fund users through the devnet faucet, request withdrawals with
retries (connection errors and 5xx are retried with the same Idempotency-Key), wait for the hub to settle,
and read what the devnet's ledger paid to an address."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import httpx

from tanglehub.protocol.address import Ed25519Address

__all__ = ["OPEN_STATES", "fund_users", "ledger_amounts", "post_until_answered", "wait_for", "wait_settled"]

OPEN_STATES = ("queued", "awaiting_approval", "signing", "submitted")
FULL = os.environ.get("TANGLEHUB_FAULTS_FULL") == "1"


def wait_for(what: str, check: Callable[[], Any], attempts: int = 1200, pause: float = 0.25) -> Any:
    """Poll ``check`` until it returns something truthy; fail naming ``what``."""
    for _ in range(attempts):
        try:
            got = check()
        except httpx.TransportError:
            got = None
        if got:
            return got
        time.sleep(pause)
    raise AssertionError(f"gave up waiting for {what}")


def post_until_answered(
    client: Callable[[], httpx.Client], path: str, body: object, headers: dict[str, str] | None = None
) -> httpx.Response:
    """POST until the hub gives a definitive answer (not a transport error, not 5xx); ``client`` is called
    again after each failure (the hub may have been restarted on another port)."""
    for _ in range(2000):
        try:
            with client() as api:
                r = api.post(path, json=body, headers=headers or {})
        except (httpx.TransportError, OSError):
            time.sleep(0.2)
            continue
        if r.status_code < 500:
            return r
        time.sleep(0.2)
    raise AssertionError(f"{path}: no answer")


def fund_users(api: httpx.Client, devnet_url: str, names: list[str]) -> dict[str, str]:
    """Create ``names``, give each a deposit address, pay each from the faucet, wait until all are credited."""
    addresses: dict[str, str] = {}
    for name in names:
        assert api.post("/v1/users", json={"userId": name}).status_code in (200, 201)
        r = wait_for(
            "a deposit address",
            lambda n=name: (x := api.post(f"/v1/users/{n}/deposit-addresses")).status_code != 503 and x,
        )
        addresses[name] = r.json()["address"]
        httpx.post(f"{devnet_url}/api/plugins/faucet/v1/enqueue", json={"address": addresses[name]}, timeout=30)
    for name in names:
        wait_for(
            f"{name}'s deposit", lambda n=name: int(api.get(f"/v1/users/{n}/balance").json()["available"]) > 0
        )
    return addresses


def ledger_amounts(devnet_url: str, address: str) -> list[int]:
    """Amounts of the unspent Basic outputs the devnet's ledger holds on ``address``."""
    r = httpx.get(f"{devnet_url}/api/indexer/v1/outputs/basic", params={"address": address}, timeout=30)
    r.raise_for_status()
    out = []
    for oid in r.json()["items"]:
        got = httpx.get(f"{devnet_url}/api/core/v2/outputs/{oid}", timeout=30)
        got.raise_for_status()
        out.append(int(got.json()["output"]["amount"]))
    return out


def wait_settled(api: httpx.Client, attempts: int = 2400) -> list[dict[str, Any]]:
    """Wait until no withdrawal is open; returns every withdrawal."""

    def settled() -> list[dict[str, Any]] | None:
        rows: list[dict[str, Any]] = []
        after = 0
        while True:
            page = api.get("/v1/withdrawals", params={"after": after, "limit": 1000}).json()
            rows += page["items"]
            if page["nextCursor"] is None:
                break
            after = page["nextCursor"]
        return None if any(r["state"] in OPEN_STATES for r in rows) else rows

    result: list[dict[str, Any]] = wait_for("every withdrawal settled", settled, attempts=attempts)
    return result


def destination(i: int) -> str:
    """A fresh external devnet address, unique per ``i`` (nobody holds its key, so what lands there stays)."""
    return Ed25519Address(i.to_bytes(4, "big") + b"\x5a" * 28).to_bech32("tst")
