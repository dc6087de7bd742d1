"""The event log over HTTP: ``GET /v1/events`` pages it; ``GET /v1/events/stream`` is a live SSE stream that
resumes from ``Last-Event-ID`` (or ``?after=``) without replaying or skipping, delivers events appended while
connected, and sends heartbeats while idle."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from tanglehub.hub.events import stream
from tanglehub.hub.events.repository import append_event

from .conftest import Hub


def _append(hub: Hub, *kinds: str) -> list[int]:
    seqs: list[int] = []
    with hub.ctx.sessionmaker() as session:
        for kind in kinds:
            seqs.append(append_event(session, kind, {"n": str(len(seqs)), "kind": kind}))
        session.commit()
    return seqs


async def _messages(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """Parse SSE: yield {"id", "event", "data"} per message and {"comment": text} per comment line."""
    message: dict[str, Any] = {}
    async for line in response.aiter_lines():
        if line.startswith(":"):
            yield {"comment": line[1:].strip()}
        elif line == "":
            if message:
                yield message
            message = {}
        else:
            name, _, value = line.partition(":")
            message[name] = value.removeprefix(" ")


async def _read(messages: AsyncIterator[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    async with asyncio.timeout(30):
        while len(got) < count:
            message = await anext(messages)
            if "id" in message:
                got.append(message)
    return got


async def test_events_page_in_order_with_a_kind_filter(hub: Hub) -> None:
    seqs = _append(hub, "user.created", "address.assigned", "deposit.credited", "user.created", "transfer.applied")
    headers = hub.keys.header("read")
    first = (await hub.client.get("/v1/events", params={"limit": 2}, headers=headers)).json()
    assert [e["seq"] for e in first["items"]] == seqs[:2]
    assert first["nextAfter"] == seqs[1]
    rest = (await hub.client.get("/v1/events", params={"after": first["nextAfter"]}, headers=headers)).json()
    assert [e["seq"] for e in rest["items"]] == seqs[2:]
    assert rest["items"][0]["kind"] == "deposit.credited"
    assert rest["items"][0]["data"] == {"n": "2", "kind": "deposit.credited"}
    end = (await hub.client.get("/v1/events", params={"after": seqs[-1]}, headers=headers)).json()
    assert end == {"items": [], "nextAfter": seqs[-1]}
    users = await hub.client.get("/v1/events", params={"kinds": "user.created"}, headers=headers)
    assert [e["seq"] for e in users.json()["items"]] == [seqs[0], seqs[3]]
    bad = await hub.client.get("/v1/events", params={"limit": 0}, headers=headers)
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


async def test_the_stream_is_live_and_resumes_from_last_event_id(hub: Hub) -> None:
    seqs = _append(hub, "user.created", "user.created", "deposit.seen")
    headers = hub.keys.header("read")
    async with hub.client.stream("GET", "/v1/events/stream", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        messages = _messages(response)
        replay = await _read(messages, 3)
        assert [int(m["id"]) for m in replay] == seqs
        assert [m["event"] for m in replay] == ["user.created", "user.created", "deposit.seen"]
        assert json.loads(replay[2]["data"])["seq"] == seqs[2]
        live = _append(hub, "deposit.credited")  # appended while the client is connected
        (message,) = await _read(messages, 1)
        assert int(message["id"]) == live[0]
        assert json.loads(message["data"])["kind"] == "deposit.credited"
    # the client drops after seq[1]; events arrive meanwhile; it resumes with Last-Event-ID
    later = _append(hub, "transfer.applied", "transfer.applied")
    resume = {**headers, "Last-Event-ID": str(seqs[1])}
    async with hub.client.stream("GET", "/v1/events/stream", params={"after": 0}, headers=resume) as response:
        messages = _messages(response)
        got = await _read(messages, 4)
        assert [int(m["id"]) for m in got] == [seqs[2], live[0], *later]
        newest = _append(hub, "user.created")
        (message,) = await _read(messages, 1)
        assert int(message["id"]) == newest[0]


async def test_the_stream_resumes_from_after_filters_kinds_and_beats_while_idle(hub: Hub) -> None:
    seqs = _append(hub, "user.created", "deposit.credited", "user.created", "deposit.credited")
    params = {"after": seqs[1], "kinds": "deposit.credited"}
    async with hub.client.stream("GET", "/v1/events/stream", params=params, headers=hub.keys.header("read")) as r:
        messages = _messages(r)
        (message,) = await _read(messages, 1)
        assert int(message["id"]) == seqs[3]
        comments: list[str] = []
        async with asyncio.timeout(30):
            async for item in messages:
                assert "id" not in item, "an event of a kind not asked for, or a repeat, was streamed"
                if item.get("comment") == "heartbeat":
                    comments.append(item["comment"])
                    if len(comments) == 2:
                        break
    assert comments == ["heartbeat", "heartbeat"]


async def test_a_bad_last_event_id_is_a_problem(hub: Hub) -> None:
    headers = {**hub.keys.header("read"), "Last-Event-ID": "abc"}
    response = await hub.client.get("/v1/events/stream", headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "HUB_ARGUMENT_ERROR"


async def test_the_stream_outlives_a_database_outage(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads of the event log failing for a while (the database restarting) do not end the stream: it says so
    once in a comment and goes on from the last event it sent, skipping and repeating nothing."""
    first = _append(hub, "test.before")
    real_read = stream._read
    failures = [3]

    def flaky_read(*args: Any) -> Any:
        if failures[0] > 0:
            failures[0] -= 1
            raise OperationalError("SELECT events", {}, Exception("server closed the connection"))
        return real_read(*args)

    later = _append(hub, "test.during", "test.after")
    monkeypatch.setattr(stream, "_read", flaky_read)  # the stream's first three reads fail
    headers = {**hub.keys.header("read"), "Last-Event-ID": str(first[0])}
    async with hub.client.stream("GET", "/v1/events/stream", headers=headers) as response:
        assert response.status_code == 200
        messages = _messages(response)
        comments: list[str] = []
        got: list[dict[str, Any]] = []
        async with asyncio.timeout(30):
            while len(got) < 2:
                message = await anext(messages)
                if "comment" in message:
                    comments.append(message["comment"])
                elif "id" in message:
                    got.append(message)
    assert [int(m["id"]) for m in got] == later
    assert failures[0] == 0
    assert comments.count("database unavailable, retrying") == 1
