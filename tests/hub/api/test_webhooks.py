"""Webhooks end to end over real HTTP: registration through the API, signed deliveries driven from the event
log by the worker, retries with backoff, the delivery log, manual redelivery, kind filters, deletion, and a
worker SIGKILLed in the middle of a delivery that re-sends the same event after restart."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tanglehub.devnet.server import free_port
from tanglehub.errors import ConfigError
from tanglehub.hub.config import validate_settings
from tanglehub.hub.db import database_url as hub_database_url
from tanglehub.hub.events.repository import append_event
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.webhooks.service import AttemptOutcome, matches, record_attempt, retry_delay
from tanglehub.hub.webhooks.signature import SignatureError, signature_header, verify_signature
from tanglehub.hub.webhooks.worker import run_webhook_worker

from .conftest import Hub, Receiver

WORKER_PROC = Path(__file__).with_name("webhook_worker_proc.py")


def _append(hub: Hub, *kinds: str) -> list[int]:
    with hub.ctx.sessionmaker() as session:
        seqs = [append_event(session, kind, {"i": str(i)}) for i, kind in enumerate(kinds)]
        session.commit()
    return seqs


async def _register(hub: Hub, url: str, **extra: Any) -> dict[str, Any]:
    body = {"url": url, **extra}
    response = await hub.client.post("/v1/webhooks", json=body, headers=hub.keys.header("admin"))
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def _deliveries(hub: Hub, webhook_id: str) -> list[dict[str, Any]]:
    response = await hub.client.get(f"/v1/webhooks/{webhook_id}/deliveries", headers=hub.keys.header("admin"))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


class _Worker:
    def __init__(self, hub: Hub) -> None:
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(run_webhook_worker(hub.ctx, self.stop))

    async def close(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 20)


@pytest.fixture
async def worker(hub: Hub) -> AsyncIterator[_Worker]:
    running = _Worker(hub)
    yield running
    await running.close()


async def _until(check: Any, timeout: float = 30.0) -> Any:
    async with asyncio.timeout(timeout):
        while True:
            value = await check()
            if value:
                return value
            await asyncio.sleep(0.05)


def test_signatures_verify_and_reject_tampering() -> None:
    body = b'{"seq":1}'
    header = signature_header("s3cret-s3cret-s3cret", 1_700_000_000, body)
    assert verify_signature("s3cret-s3cret-s3cret", header, body, now=1_700_000_100) == 1_700_000_000
    for bad_secret, bad_body, now in (
        ("another-secret-xxxx", body, 1_700_000_100),
        ("s3cret-s3cret-s3cret", b'{"seq":2}', 1_700_000_100),
        ("s3cret-s3cret-s3cret", body, 1_700_001_000),
    ):
        with pytest.raises(SignatureError):
            verify_signature(bad_secret, header, bad_body, now=now)
    with pytest.raises(SignatureError, match="missing"):
        verify_signature("s3cret-s3cret-s3cret", None, body)
    rotated = header + ",v1=" + "0" * 64
    assert verify_signature("s3cret-s3cret-s3cret", rotated, body, now=1_700_000_000) == 1_700_000_000


def test_retry_schedule_doubles_caps_and_lasts_at_least_a_day() -> None:
    settings = HubSettings()
    delays = [retry_delay(settings, n) for n in range(1, 14)]
    assert delays[:4] == [5.0, 10.0, 20.0, 40.0]
    assert max(delays) == settings.webhook_retry_max
    assert settings.webhook_max_age >= 24 * 3600
    with pytest.raises(ConfigError, match="24 h"):
        validate_settings(HubSettings(webhook_max_age=3600))
    assert matches("deposit.* user.created", "deposit.credited")
    assert matches("*", "anything.at.all")
    assert not matches("deposit.*", "depositx.credited")
    assert not matches("user.created", "user.deleted")


async def test_deliveries_are_signed_and_carry_the_event(hub: Hub, receiver: Receiver, worker: _Worker) -> None:
    hook = await _register(hub, receiver.url, eventTypes=["deposit.*", "user.created"])
    assert hook["secret"].startswith("whsec_")
    seqs = _append(hub, "user.created", "transfer.applied", "deposit.credited")
    await receiver.wait_for(2)
    by_id = {int(r.headers["tanglehub-event-id"]): r for r in receiver.requests}
    assert sorted(by_id) == [seqs[0], seqs[2]]
    for seq, request in by_id.items():
        assert verify_signature(hook["secret"], request.headers["tanglehub-signature"], request.body)
        event = json.loads(request.body)
        assert event["seq"] == seq
        assert request.headers["tanglehub-event-type"] == event["kind"]
        assert request.headers["content-type"] == "application/json"
    assert json.loads(by_id[seqs[2]].body)["data"] == {"i": "2"}
    log = await _until(lambda: _all_done(hub, hook["id"], 2))
    assert {d["status"] for d in log} == {"succeeded"}
    assert all(d["attempts"] == 1 and d["lastStatusCode"] == 200 for d in log)
    listed = (await hub.client.get("/v1/webhooks", headers=hub.keys.header("admin"))).json()["items"]
    assert [w["id"] for w in listed] == [hook["id"]]
    assert "secret" not in listed[0]


async def _all_done(hub: Hub, webhook_id: str, count: int) -> list[dict[str, Any]] | None:
    log = await _deliveries(hub, webhook_id)
    if len(log) == count and all(d["status"] != "pending" for d in log):
        return log
    return None


async def test_failures_are_retried_then_redelivered_on_request(
    hub: Hub, receiver: Receiver, worker: _Worker
) -> None:
    receiver.answers = [500, 503]
    hook = await _register(hub, receiver.url, secret="a-secret-of-sixteen+")
    (seq,) = _append(hub, "deposit.credited")
    await receiver.wait_for(3)
    assert {r.headers["tanglehub-event-id"] for r in receiver.requests} == {str(seq)}
    assert len({r.body for r in receiver.requests}) == 1, "every attempt must carry the same body"
    (delivery,) = await _until(lambda: _all_done(hub, hook["id"], 1))
    assert delivery["status"] == "succeeded"
    assert delivery["attempts"] == 3
    assert delivery["eventSeq"] == seq
    url = f"/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver"
    response = await hub.client.post(url, headers=hub.keys.header("admin"))
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    await receiver.wait_for(4)
    assert receiver.requests[3].headers["tanglehub-event-id"] == str(seq)
    assert verify_signature(
        "a-secret-of-sixteen+", receiver.requests[3].headers["tanglehub-signature"], receiver.requests[3].body
    )
    (again,) = await _until(lambda: _all_done(hub, hook["id"], 1))
    assert again["attempts"] == 4
    missing = await hub.client.post(
        f"/v1/webhooks/{hook['id']}/deliveries/999999/redeliver", headers=hub.keys.header("admin")
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "HUB_WEBHOOK_DELIVERY_NOT_FOUND"


async def test_a_delivery_gives_up_after_its_window(hub: Hub, receiver: Receiver) -> None:
    hook = await _register(hub, receiver.url)
    _append(hub, "deposit.credited")
    from tanglehub.hub.webhooks.service import fan_out

    with hub.ctx.sessionmaker() as session:
        assert fan_out(session) == 1
    (delivery,) = await _deliveries(hub, hook["id"])
    day = 24 * 3600 * 1000
    failing = AttemptOutcome(500, "HTTP 500")
    with hub.ctx.sessionmaker() as session:
        start = delivery["createdAt"]
        assert record_attempt(session, hub.ctx.settings, delivery["id"], failing, now=start + 1000) == "pending"
        assert record_attempt(session, hub.ctx.settings, delivery["id"], failing, now=start + day) == "pending"
        late = start + int(hub.ctx.settings.webhook_max_age * 1000)
        assert record_attempt(session, hub.ctx.settings, delivery["id"], failing, now=late) == "failed"
    (done,) = await _deliveries(hub, hook["id"])
    assert done["status"] == "failed"
    assert done["attempts"] == 3
    assert done["lastError"] == "HTTP 500"


async def test_a_deleted_webhook_gets_nothing_more(hub: Hub, receiver: Receiver, worker: _Worker) -> None:
    hook = await _register(hub, receiver.url)
    _append(hub, "user.created")
    await receiver.wait_for(1)
    response = await hub.client.delete(f"/v1/webhooks/{hook['id']}", headers=hub.keys.header("admin"))
    assert response.status_code == 204
    other = await _register(hub, receiver.url + "?second=1")
    _append(hub, "user.created")
    await receiver.wait_for(2)
    await _until(lambda: _all_done(hub, other["id"], 1))
    assert len(receiver.requests) == 2
    assert (
        await hub.client.get(f"/v1/webhooks/{hook['id']}", headers=hub.keys.header("admin"))
    ).status_code == 404
    assert len(await _deliveries(hub, hook["id"])) == 1


async def test_bad_registrations_are_problems(hub: Hub) -> None:
    admin = hub.keys.header("admin")
    for body in (
        {"url": "ftp://x.example/hook"},
        {"url": "https://x.example/h", "eventTypes": ["Deposit!"]},
        {"url": "https://x.example/h", "secret": "short"},
    ):
        response = await hub.client.post("/v1/webhooks", json=body, headers=admin)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] in ("HUB_REQUEST_INVALID", "HUB_WEBHOOK_INVALID")


async def test_a_worker_killed_mid_delivery_sends_the_event_again(
    hub: Hub, receiver: Receiver, tmp_path: Path
) -> None:
    hook = await _register(hub, receiver.url)
    (seq,) = _append(hub, "deposit.credited")
    receiver.gate = asyncio.Event()  # hold the first request open: the worker is mid-delivery
    url = hub_database_url(hub.ctx.settings)
    args = [str(WORKER_PROC), url, str(tmp_path / "worker")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = await asyncio.create_subprocess_exec(sys.executable, *args, env=env)
    try:
        await receiver.wait_for(1)
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    receiver.gate.set()
    receiver.gate = None
    (pending,) = await _deliveries(hub, hook["id"])
    assert pending["status"] == "pending", "the kill came before the outcome was booked"
    restarted = await asyncio.create_subprocess_exec(
        sys.executable, *args, env=env, stdout=asyncio.subprocess.PIPE
    )
    try:
        await receiver.wait_for(2)
        (done,) = await _until(lambda: _all_done(hub, hook["id"], 1))
    finally:
        restarted.kill()
        await restarted.wait()
    assert done["status"] == "succeeded"
    assert [r.headers["tanglehub-event-id"] for r in receiver.requests] == [str(seq), str(seq)]
    assert receiver.requests[0].body == receiver.requests[1].body
    assert verify_signature(
        hook["secret"], receiver.requests[1].headers["tanglehub-signature"], receiver.requests[1].body
    )


async def test_the_readme_receiver_example_verifies_real_deliveries(hub: Hub, worker: _Worker) -> None:
    """examples/hub/webhook_receiver.py (stdlib only) accepts the worker's signed deliveries, once per event."""
    example = Path(__file__).resolve().parents[3] / "examples" / "hub" / "webhook_receiver.py"
    port = free_port()
    secret = "whsec_" + "r" * 24
    env = {**os.environ, "WEBHOOK_SECRET": secret}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(example), str(port), env=env, stdout=asyncio.subprocess.PIPE
    )
    try:
        async with asyncio.timeout(30):
            while True:  # wait until the example listens
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    await asyncio.sleep(0.05)
                    continue
                writer.close()
                break
        hook = await _register(hub, f"http://127.0.0.1:{port}/hook", secret=secret)
        seqs = _append(hub, "user.created", "deposit.credited")
        assert proc.stdout is not None
        lines = []
        async with asyncio.timeout(30):
            while len(lines) < 2:
                lines.append((await proc.stdout.readline()).decode().split())
        assert lines == [
            ["verified", str(seqs[0]), "user.created"],
            ["verified", str(seqs[1]), "deposit.credited"],
        ]
        log = await _until(lambda: _all_done(hub, hook["id"], 2))
        assert {d["lastStatusCode"] for d in log} == {204}
        wrong = await _register(hub, f"http://127.0.0.1:{port}/hook", secret="whsec_" + "w" * 24)
        _append(hub, "user.created")
        (refused,) = await _until(lambda: _attempted(hub, wrong["id"]))
        assert refused["lastStatusCode"] == 400
        assert refused["status"] == "pending"
    finally:
        proc.kill()
        await proc.wait()


async def _attempted(hub: Hub, webhook_id: str) -> list[dict[str, Any]] | None:
    log = await _deliveries(hub, webhook_id)
    return log if log and all(d["attempts"] > 0 for d in log) else None


def test_the_readme_verify_snippet_agrees_with_the_signer() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    start = readme.index("def verify(secret: bytes")
    block = readme[readme.rindex("```python", 0, start) + len("```python") : readme.index("```", start)]
    namespace: dict[str, Any] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    verify = namespace["verify"]
    body = b'{"seq":7,"kind":"deposit.credited"}'
    now = int(time.time())
    header = signature_header("whsec_readme", now, body)
    assert verify(b"whsec_readme", header, body) is True
    assert verify(b"whsec_other", header, body) is False
    assert verify(b"whsec_readme", header, body + b" ") is False
    assert verify(b"whsec_readme", signature_header("whsec_readme", now - 3600, body), body) is False
