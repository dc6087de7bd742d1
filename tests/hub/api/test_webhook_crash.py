"""Webhook crash drill: the webhook worker (a child process) is SIGKILLed at random moments and at named
points while events keep being appended and the receiver sometimes fails. After the last restart every event
of the subscribed kinds reaches the receiver at least once, always with the same event id and body and a valid
signature, and every delivery row ends ``succeeded``.

CI-sized by default (4 random kills plus each named point); ``TANGLEHUB_FAULTS_FULL=1`` runs 200 random kills.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tanglehub.hub.db import database_url as hub_database_url
from tanglehub.hub.events.repository import append_event
from tanglehub.hub.models.webhook import WebhookDelivery
from tanglehub.hub.webhooks.signature import verify_signature

from .conftest import Hub, Receiver

pytestmark = pytest.mark.slow

WORKER_PROC = Path(__file__).with_name("webhook_worker_proc.py")
FULL = os.environ.get("TANGLEHUB_FAULTS_FULL") == "1"
RANDOM_KILLS = 200 if FULL else 4
NAMED = ["fanout-after:1", "book-before:1", "book-after:1", "book-before:3", "fanout-after:2"]
KINDS = ["deposit.credited", "user.created", "transfer.applied"]


async def _spawn(hub: Hub, tmp_path: Path, crash_at: str | None) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("TANGLEHUB_WEBHOOK_CRASH_AT", None)
    if crash_at:
        env["TANGLEHUB_WEBHOOK_CRASH_AT"] = crash_at
    args = [str(WORKER_PROC), hub_database_url(hub.ctx.settings), str(tmp_path / "worker")]
    return await asyncio.create_subprocess_exec(sys.executable, *args, env=env, stdout=asyncio.subprocess.PIPE)


def _append(hub: Hub, rng: random.Random, count: int) -> list[tuple[int, str]]:
    made: list[tuple[int, str]] = []
    with hub.ctx.sessionmaker() as session:
        for _ in range(count):
            kind = rng.choice(KINDS)
            made.append((append_event(session, kind, {"n": str(rng.randrange(10**9))}), kind))
        session.commit()
    return made


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.kill()
    await proc.wait()


async def test_every_event_is_delivered_at_least_once_through_kills(
    hub: Hub, receiver: Receiver, tmp_path: Path
) -> None:
    rng = random.Random(8)
    admin = hub.keys.header("admin")
    body = {"url": receiver.url, "eventTypes": ["deposit.*", "transfer.applied"], "secret": "s" * 20}
    made = await hub.client.post("/v1/webhooks", json=body, headers=admin)
    assert made.status_code == 201
    receiver.answers = [rng.choice([200, 200, 200, 500, 503]) for _ in range(400)]
    events: list[tuple[int, str]] = []
    kills = 0
    for crash_at in NAMED:  # each named point: the process dies there by itself
        events += _append(hub, rng, 4)
        proc = await _spawn(hub, tmp_path, crash_at)
        try:
            async with asyncio.timeout(60):
                while proc.returncode is None:  # keep events coming until the point is reached
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(proc.wait(), 0.3)
                    if proc.returncode is None:
                        events += _append(hub, rng, 1)
        finally:
            await _stop(proc)
        assert proc.returncode == -9, f"{crash_at} was never reached"
        kills += 1
    for _ in range(RANDOM_KILLS):  # random moments
        events += _append(hub, rng, rng.randrange(1, 6))
        proc = await _spawn(hub, tmp_path, None)
        assert proc.stdout is not None
        async with asyncio.timeout(60):
            assert await proc.stdout.readline() == b"ready\n"
        await asyncio.sleep(rng.uniform(0.0, 0.4))  # somewhere in fan-out, a POST, or the booking
        await _stop(proc)
        kills += 1
    receiver.answers = []
    wanted = {seq for seq, kind in events if kind != "user.created"}
    proc = await _spawn(hub, tmp_path, None)
    try:
        async with asyncio.timeout(120):
            while not wanted <= {int(r.headers["tanglehub-event-id"]) for r in receiver.requests} or _pending(hub):
                await asyncio.sleep(0.1)
    finally:
        await _stop(proc)
    bodies: dict[int, bytes] = {}
    for request in receiver.requests:
        seq = int(request.headers["tanglehub-event-id"])
        assert verify_signature("s" * 20, request.headers["tanglehub-signature"], request.body, now=request.at)
        assert bodies.setdefault(seq, request.body) == request.body, "a redelivery changed the body"
        assert json.loads(request.body)["seq"] == seq
    assert set(bodies) == wanted, "an unsubscribed kind was delivered, or an event is missing"
    with hub.ctx.sessionmaker() as session:
        rows = list(session.scalars(select(WebhookDelivery)))
    assert sorted(r.event_seq for r in rows) == sorted(wanted), "a delivery row is missing or doubled"
    assert {r.status for r in rows} == {"succeeded"}
    assert kills == len(NAMED) + RANDOM_KILLS


def _pending(hub: Hub) -> bool:
    with hub.ctx.sessionmaker() as session:
        statuses: Any = session.scalars(select(WebhookDelivery.status)).all()
    return any(s != "succeeded" for s in statuses)
