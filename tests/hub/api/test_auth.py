"""API keys: every protected route answers 401 without a valid key and 403 with a key lacking its scope, both
as problem+json; ``admin`` passes every scope; revoked keys stop working. Over real HTTP."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from tanglehub.hub.api.app import create_app
from tanglehub.hub.api.auth import create_api_key, parse_scopes, revoke_api_key
from tanglehub.hub.api.errors import Unauthorized

from .conftest import Hub

PUBLIC = {"/health", "/ready", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect"}


def _scope_of(route: APIRoute) -> str | None:
    for dep in route.dependant.dependencies:
        name = getattr(dep.call, "__name__", "")
        if name.startswith("require_scope_"):
            return name.removeprefix("require_scope_")
    return None


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):  # FastAPI keeps included routers as nodes
            found += _api_routes(route.original_router.routes)
    return found


def _protected(hub: Hub) -> list[tuple[str, str, str]]:
    """(method, concrete path, scope) for every API route of the app the hub serves."""
    routes: list[tuple[str, str, str]] = []
    for route in _api_routes(create_app(hub.ctx).routes):
        if route.path in PUBLIC:
            continue
        scope = _scope_of(route)
        assert scope is not None, f"{route.path} has no require_scope dependency"
        path = re.sub(r"\{webhookId\}", "wh_00", route.path)
        path = re.sub(r"\{deliveryId\}", "1", path)
        path = re.sub(r"\{[^}]+\}", "x1", path)
        routes.extend((method, path, scope) for method in sorted(route.methods))
    return routes


async def test_every_non_public_route_needs_a_key_and_its_scope(hub: Hub) -> None:
    routes = _protected(hub)
    assert ("GET", "/v1/events", "read") in routes
    assert ("POST", "/v1/webhooks", "admin") in routes
    assert ("GET", "/v1/events/stream", "read") in routes
    for method, path, scope in routes:
        for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Bearer thk_abc_wrong"}):
            response = await hub.client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["www-authenticate"] == "Bearer"
            body = response.json()
            assert body["code"] == "HUB_UNAUTHORIZED"
            assert body["status"] == 401
        lacking = "read" if scope != "read" else "deposit"
        response = await hub.client.request(method, path, headers=hub.keys.header(lacking))
        assert response.status_code == 403, (method, path, lacking, response.text)
        assert response.json()["code"] == "HUB_FORBIDDEN"
        if path != "/v1/events/stream":
            response = await hub.client.request(method, path, headers=hub.keys.header("admin"))
            assert response.status_code not in (401, 403), (method, path, response.text)


async def test_a_key_with_the_scope_passes_and_a_revoked_key_is_refused(hub: Hub) -> None:
    response = await hub.client.get("/v1/events", headers=hub.keys.header("read"))
    assert response.status_code == 200
    with hub.ctx.sessionmaker() as session:
        token, info = create_api_key(session, "short-lived", ["read", "deposit"])
        headers = {"Authorization": f"Bearer {token}"}
        assert (await hub.client.get("/v1/events", headers=headers)).status_code == 200
        revoke_api_key(session, info.key_id)
    response = await hub.client.get("/v1/events", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "HUB_UNAUTHORIZED"
    wrong_secret = token[: token.rindex("_") + 1] + "x" * 43
    response = await hub.client.get("/v1/events", headers={"Authorization": f"Bearer {wrong_secret}"})
    assert response.status_code == 401


def test_keys_are_stored_hashed_and_scopes_checked(hub: Hub) -> None:
    from sqlalchemy import select

    from tanglehub.hub.models.api_key import ApiKey

    with hub.ctx.sessionmaker() as session:
        rows = list(session.scalars(select(ApiKey)))
    stored = " ".join(f"{r.key_id} {r.secret_sha256} {r.name}" for r in rows)
    for token in hub.keys.tokens.values():
        assert token.rsplit("_", 1)[-1] not in stored
    assert parse_scopes(["deposit,read", "read"]) == ("deposit", "read")
    with pytest.raises(Exception, match="unknown scope"):
        parse_scopes(["root"])
    assert Unauthorized.http_status == 401
