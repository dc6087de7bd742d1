"""CORE's REST routes through the hub's FastAPI app (in-process ASGI): shapes, camelCase JSON, amounts as
decimal strings, idempotent POSTs, problem+json errors with their codes, reconciliation against the devnet."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from tests.hub.conftest import Chain, plain
from tests.hub.helpers import scan_all

from tanglehub.hub.api.app import create_app
from tanglehub.hub.api.auth import create_api_key
from tanglehub.hub.context import HubContext
from tanglehub.hub.workers.pool import fill_pool


@pytest.fixture
async def api(hub: HubContext) -> AsyncIterator[httpx.AsyncClient]:
    """An admin-keyed client on the hub's app."""
    with hub.sessionmaker() as session:
        token, _ = create_api_key(session, "tests", ["admin"])
    app = create_app(hub, with_workers=False)
    transport = httpx.ASGITransport(app)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test", headers=headers) as client:
        yield client


async def test_users_addresses_and_lookup(api: httpx.AsyncClient, hub: HubContext) -> None:
    await fill_pool(hub)
    created = await api.post("/v1/users", json={"userId": "cust-1"})
    assert created.status_code == 201
    assert created.json()["userId"] == "cust-1"
    assert created.json()["depositAddress"] is None
    again = await api.post("/v1/users", json={"userId": "cust-1"})
    assert again.status_code == 200
    assert again.json()["createdAt"] == created.json()["createdAt"]

    first = (await api.post("/v1/users/cust-1/deposit-addresses")).json()
    second = (await api.post("/v1/users/cust-1/deposit-addresses")).json()
    assert first["address"].startswith("tst1")
    assert second["index"] != first["index"]
    listed = (await api.get("/v1/users/cust-1/deposit-addresses")).json()["items"]
    assert [a["address"] for a in listed] == [second["address"], first["address"]]
    assert [a["current"] for a in listed] == [True, False]
    user = (await api.get("/v1/users/cust-1")).json()
    assert user["depositAddress"] == second["address"]
    looked = (await api.get(f"/v1/addresses/{first['address']}")).json()
    assert (looked["userId"], looked["current"]) == ("cust-1", False)

    page = (await api.get("/v1/users", params={"limit": 1})).json()
    assert [u["userId"] for u in page["items"]] == ["cust-1"]
    assert page["nextCursor"] is None


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", "/v1/users/nobody", None, 404, "HUB_USER_NOT_FOUND"),
        ("POST", "/v1/users", {"userId": "bad/id"}, 422, None),
        ("GET", "/v1/users/nobody/balance", None, 404, "HUB_USER_NOT_FOUND"),
        ("GET", "/v1/deposits/0x1234", None, 422, "HUB_ARGUMENT_ERROR"),
        ("GET", "/v1/deposits/0x" + "00" * 34, None, 404, "HUB_DEPOSIT_NOT_FOUND"),
        ("GET", "/v1/addresses/tst1notanaddress", None, 422, "HUB_ARGUMENT_ERROR"),
        ("GET", "/v1/users", {"cursor": "x"}, 422, "HUB_ARGUMENT_ERROR"),
        ("POST", "/v1/users/nobody/deposit-addresses", None, 404, "HUB_USER_NOT_FOUND"),
    ],
)
async def test_errors_are_problem_json_with_a_code(
    api: httpx.AsyncClient, method: str, path: str, body: dict[str, str] | None, status: int, code: str | None
) -> None:
    if method == "GET":
        response = await api.get(path, params=body)
    else:
        response = await api.post(path, json=body)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    if code is not None:
        assert response.json()["code"] == code


async def test_deposits_balances_history_transfers_stats_and_reconciliation(
    api: httpx.AsyncClient, hub: HubContext, chain: Chain
) -> None:
    await fill_pool(hub)
    addresses = {}
    for name in ("ann", "ben"):
        await api.post("/v1/users", json={"userId": name})
        addresses[name] = (await api.post(f"/v1/users/{name}/deposit-addresses")).json()["address"]
    from tanglehub.protocol.address import address_from_bech32

    chain.fund_payer()
    tx = chain.pay([plain(3_000_000, address_from_bech32(addresses["ann"]))])  # type: ignore[arg-type]
    await scan_all(hub)
    oid = "0x" + tx.hex() + "0000"
    deposit = (await api.get(f"/v1/deposits/{oid}")).json()
    assert (deposit["userId"], deposit["amount"], deposit["depositClass"], deposit["status"]) == (
        "ann",
        "3000000",
        "plain",
        "credited",
    )
    listed = (await api.get("/v1/deposits", params={"userId": "ann", "class": "plain"})).json()
    assert [d["outputId"] for d in listed["items"]] == [oid]

    body = {
        "idempotencyKey": "t-1",
        "legs": [{"userId": "ann", "amount": "-1000"}, {"userId": "ben", "amount": "1000"}],
    }
    first = await api.post("/v1/transfers", json=body)
    retry = await api.post("/v1/transfers", json=body)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["journalId"] == first.json()["journalId"]
    repeated = await api.post("/v1/transfers", json={**body, "legs": [body["legs"][0]] * 2})
    assert (repeated.status_code, repeated.json()["code"]) == (422, "HUB_INVALID_TRANSFER")
    other = {
        "idempotencyKey": "t-1",
        "legs": [{"userId": "ann", "amount": "-5"}, {"userId": "ben", "amount": "5"}],
    }
    conflict = await api.post("/v1/transfers", json=other)
    assert (conflict.status_code, conflict.json()["code"]) == (409, "HUB_IDEMPOTENCY_CONFLICT")
    too_much = {
        "idempotencyKey": "t-2",
        "legs": [{"userId": "ben", "amount": "-1001"}, {"userId": "ann", "amount": "1001"}],
    }
    refused = await api.post("/v1/transfers", json=too_much)
    assert (refused.status_code, refused.json()["code"]) == (409, "HUB_INSUFFICIENT_BALANCE")

    assert (await api.get("/v1/users/ann/balance")).json() == {
        "userId": "ann",
        "available": "2999000",
        "locked": "0",
    }
    history = (await api.get("/v1/users/ann/history")).json()["items"]
    assert [(h["kind"], h["amount"], h["reference"]) for h in history] == [
        ("deposit", "3000000", oid),
        ("transfer", "-1000", "t-1"),
    ]
    stats = (await api.get("/v1/stats")).json()
    assert stats["users"] == 2
    assert stats["depositsByClass"] == {"plain": 1}
    assert stats["creditedTotal"] == stats["userBalancesTotal"] == "3000000"

    report = (await api.get("/v1/reconciliation")).json()
    assert report["differences"] == []
    assert report["ok"] is True
    assert report["nodeTotal"] == report["booksTotal"] == "3000000"


async def test_reconciliation_reports_an_output_the_scanner_skipped(
    api: httpx.AsyncClient, hub: HubContext, chain: Chain
) -> None:
    from sqlalchemy import text

    from tanglehub.protocol.address import address_from_bech32

    await fill_pool(hub)
    await api.post("/v1/users", json={"userId": "ann"})
    address = (await api.post("/v1/users/ann/deposit-addresses")).json()["address"]
    chain.fund_payer()
    tx = chain.pay([plain(1_000_000, address_from_bech32(address))])  # type: ignore[arg-type]
    with hub.sessionmaker() as session:  # a broken scanner that jumped past the payment
        session.execute(
            text("UPDATE scanner_state SET value = :v WHERE name = 'scanner'"), {"v": chain.node.latest_index + 1}
        )
        session.commit()
    report = (await api.get("/v1/reconciliation")).json()
    assert report["ok"] is False
    assert [(d["kind"], d["outputId"]) for d in report["differences"]] == [
        ("unrecorded_output", "0x" + tx.hex() + "0000")
    ]
