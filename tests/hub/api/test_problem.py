"""Every error is RFC 9457 problem+json with a stable code: unknown routes, wrong methods, invalid requests
(with field paths), domain errors, and unexpected exceptions (a generic 500 without internals)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter

from tanglehub.hub.api.app import create_app
from tanglehub.hub.api.problem import _title
from tanglehub.hub.reader import open_reader
from tanglehub.hub.recoveries.errors import RecoveryNotPossible
from tanglehub.hub.users.service import create_user
from tanglehub.hub.webhooks.service import WebhookNotFound
from tanglehub.hub.withdrawals.errors import WithdrawalWrongNetwork
from tanglehub.hub.withdrawals.service import parse_destination
from tanglehub.protocol.address import Ed25519Address

from .conftest import Hub

FIELDS = {"type", "title", "status", "detail", "code"}


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert set(body) >= FIELDS
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:tanglehub:problem:{code}"
    return body


async def test_unknown_route_and_wrong_method(hub: Hub) -> None:
    _problem(await hub.client.get("/v1/nothing-here"), 404, "HUB_ROUTE_NOT_FOUND")
    response = await hub.client.put("/v1/events", headers=hub.keys.header("read"))
    _problem(response, 405, "HUB_METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["allow"]


async def test_validation_errors_name_the_fields(hub: Hub) -> None:
    admin = hub.keys.header("admin")
    body = _problem(
        await hub.client.post("/v1/webhooks", json={"url": 5, "eventTypes": "x"}, headers=admin),
        422,
        "HUB_REQUEST_INVALID",
    )
    locations = {e["location"] for e in body["errors"]}  # type: ignore[attr-defined]
    assert {"body/url", "body/eventTypes"} <= locations
    body = _problem(
        await hub.client.post(
            "/v1/webhooks", content=b"{not json", headers={**admin, "content-type": "application/json"}
        ),
        422,
        "HUB_REQUEST_INVALID",
    )
    assert body["detail"] == "body: the request body is not valid JSON"
    _problem(await hub.client.get("/v1/events", params={"after": -1}, headers=admin), 422, "HUB_REQUEST_INVALID")


async def test_domain_errors_carry_their_code(hub: Hub) -> None:
    response = await hub.client.get("/v1/webhooks/wh_0123", headers=hub.keys.header("admin"))
    body = _problem(response, 404, WebhookNotFound.code)
    assert "wh_0123" in str(body["detail"])


async def test_unexpected_errors_are_a_generic_500(hub: Hub) -> None:
    app = create_app(hub.ctx)
    router = APIRouter()

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    app.include_router(router)
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        body = _problem(await client.get("/boom"), 500, "HUB_INTERNAL_ERROR")
    assert "internals" not in str(body)
    assert "Traceback" not in str(body)


async def test_titles_are_short_plain_text(hub: Hub) -> None:
    forbidden = _problem(
        await hub.client.get("/v1/webhooks", headers=hub.keys.header("read")), 403, "HUB_FORBIDDEN"
    )
    assert "``" not in str(forbidden["title"])
    assert _title(RecoveryNotPossible) == "The deposit cannot be recovered"
    assert _title(WithdrawalWrongNetwork).endswith("network")
    with pytest.raises(WithdrawalWrongNetwork) as caught:
        parse_destination(Ed25519Address(bytes(32)).to_bech32("smr"), "tst")
    assert caught.value.message.endswith('which start with "tst1"')


async def test_a_malformed_withdrawal_authorization_is_named(hub: Hub) -> None:
    body = {"userId": "u", "address": Ed25519Address(bytes(32)).to_bech32("tst"), "amount": "1000000"}
    response = await hub.client.post(
        "/v1/withdrawals",
        json={**body, "authorization": "0x1234"},
        headers={**hub.keys.header("withdraw"), "Idempotency-Key": "bad-auth"},
    )
    problem = _problem(response, 422, "HUB_REQUEST_INVALID")
    assert [e["location"] for e in problem["errors"]] == ["body/authorization"]  # type: ignore[attr-defined]


NUL_IDS = ["a\x00b", "\x00"]


@pytest.mark.parametrize("user_id", NUL_IDS, ids=["inner-nul", "only-nul"])
async def test_a_user_id_the_database_cannot_hold_is_invalid_not_a_500(hub: Hub, user_id: str) -> None:
    """A NUL character in a user id (PostgreSQL text cannot hold one) is a 422 on every route that takes a user
    id, in the path, the query or the body, on both databases: user ids follow the creation pattern everywhere."""
    quoted = user_id.replace("\x00", "%00")
    admin = hub.keys.header("admin")
    for path in (
        f"/v1/users/{quoted}",
        f"/v1/users/{quoted}/balance",
        f"/v1/users/{quoted}/history",
        f"/v1/users/{quoted}/deposit-addresses",
        f"/v1/deposits?userId={quoted}",
        f"/v1/withdrawals?userId={quoted}",
    ):
        _problem(await hub.client.get(path, headers=admin), 422, "HUB_REQUEST_INVALID")
    _problem(
        await hub.client.post(f"/v1/users/{quoted}/deposit-addresses", headers=admin), 422, "HUB_REQUEST_INVALID"
    )
    legs = [{"userId": user_id, "amount": "-1"}, {"userId": "bob", "amount": "1"}]
    transfer = await hub.client.post(
        "/v1/transfers", json={"idempotencyKey": "k-nul", "legs": legs}, headers=admin
    )
    _problem(transfer, 422, "HUB_REQUEST_INVALID")
    withdrawal = {"userId": user_id, "address": "tst1qq", "amount": "1"}
    answer = await hub.client.post(
        "/v1/withdrawals", json=withdrawal, headers={**admin, "Idempotency-Key": "w-nul"}
    )
    _problem(answer, 422, "HUB_REQUEST_INVALID")


async def test_an_unreachable_database_is_503_with_retry_after(hub: Hub, tmp_path: Path) -> None:
    """The balance read path (the Reader) on a database that cannot be reached: 503 HUB_DATABASE_UNAVAILABLE with
    Retry-After, not a 500 (PostgreSQL: a closed port; SQLite: a file in a folder that does not exist)."""
    settings = hub.ctx.settings
    if settings.database_url:
        broken = replace(settings, database_url="postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    else:
        broken = replace(settings, data_dir=tmp_path / "missing" / "folder")
    working = hub.ctx.reader
    hub.ctx.reader = open_reader(broken)
    await hub.ctx.reader.open()
    try:
        with hub.ctx.sessionmaker() as session:
            create_user(session, "erin")
        response = await hub.client.get("/v1/users/erin/balance", headers=hub.keys.header("read"))
        body = _problem(response, 503, "HUB_DATABASE_UNAVAILABLE")
        assert response.headers["retry-after"] == "1"
        assert "127.0.0.1" not in str(body)
        assert "missing" not in str(body)
    finally:
        await hub.ctx.reader.aclose()
        hub.ctx.reader = working
    answer = await hub.client.get("/v1/users/erin/balance", headers=hub.keys.header("read"))
    assert answer.status_code == 200, answer.text


async def test_ready_names_no_internals(hub: Hub) -> None:
    """``/ready`` is unauthenticated: a failed check gives a short reason, never the driver's or client's text
    (hosts, database names); the details go to the log."""
    broken = hub.ctx.node

    class Down:
        async def get_info(self) -> object:
            raise OSError("connection to secret-host.internal:14265 refused")

    hub.ctx.node = Down()  # type: ignore[assignment]
    try:
        response = await hub.client.get("/ready")
    finally:
        hub.ctx.node = broken
    assert response.status_code == 503
    node = response.json()["checks"]["node"]
    assert node["ok"] is False
    assert "secret-host" not in node["error"]
    assert node["error"] == "unreachable (OSError); details in the hub's log"
