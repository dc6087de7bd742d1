"""``/health``, ``/ready`` and ``/metrics`` over HTTP: readiness reports database, node, signer and scanner
lag (503 when the scanner trails the node); metrics expose lag, deposits by class, webhook backlog, the event
log's end and request latency by route template."""

from __future__ import annotations

import re

from tanglehub.hub.api.health import MAX_READY_LAG
from tanglehub.hub.events.repository import append_event

from .conftest import Hub, Receiver


def _metric(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} missing from /metrics"
    return float(match.group(1))


async def test_health_and_readiness(hub: Hub) -> None:
    assert (await hub.client.get("/health")).json() == {"status": "ok"}
    ready = await hub.client.get("/ready")
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert {name: c["ok"] for name, c in checks.items()} == {
        "database": True,
        "node": True,
        "signer": True,
        "scanner": True,
    }
    assert checks["scanner"]["lagMilestones"] == 0
    for _ in range(MAX_READY_LAG + 1):  # no scanner runs here, so it falls behind
        hub.devnet.issue_milestone()
    behind = await hub.client.get("/ready")
    assert behind.status_code == 503
    scanner = behind.json()["checks"]["scanner"]
    assert scanner["ok"] is False
    assert scanner["lagMilestones"] == MAX_READY_LAG + 1
    text = (await hub.client.get("/metrics")).text
    assert _metric(text, "tanglehub_hub_scanner_lag_milestones") == MAX_READY_LAG + 1


async def test_metrics_show_lag_backlog_events_and_latency(hub: Hub, receiver: Receiver) -> None:
    admin = hub.keys.header("admin")
    made = await hub.client.post("/v1/webhooks", json={"url": receiver.url}, headers=admin)
    assert made.status_code == 201
    with hub.ctx.sessionmaker() as session:
        for _ in range(3):
            append_event(session, "user.created", {"userId": "x"})
        session.commit()
    for _ in range(4):
        assert (await hub.client.get("/v1/events", headers=admin)).status_code == 200
    text = (await hub.client.get("/metrics")).text
    assert _metric(text, "tanglehub_hub_events_last_seq") == 3
    assert _metric(text, "tanglehub_hub_webhook_backlog") == 3  # three events no worker has delivered
    assert _metric(text, "tanglehub_hub_scanner_lag_milestones") == 0
    count = 'tanglehub_hub_request_seconds_count{method="GET",route="/v1/events",status="200"}'
    assert _metric(text, count) == 4
    assert 'route="/v1/webhooks",status="201"' in text
    assert "# TYPE tanglehub_hub_deposits gauge" in text


async def test_openapi_and_docs_are_served(hub: Hub) -> None:
    document = (await hub.client.get("/openapi.json")).json()
    assert "HTTPBearer" in document["components"]["securitySchemes"]
    for path in ("/v1/users", "/v1/events/stream", "/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver"):
        assert path in document["paths"]
    stream = document["paths"]["/v1/events/stream"]["get"]["responses"]["200"]["content"]
    assert "text/event-stream" in stream
    docs = await hub.client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
