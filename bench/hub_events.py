"""Hub event delivery figures on this machine, in one run (SQLite in a temporary folder):

* webhook deliveries per second: the worker fans 2,000 events out and POSTs each, signed, to a loopback
  receiver, booking every outcome; beside it, the baseline: plain unsigned POSTs of the same bodies to the
  same receiver with the same client and concurrency (no database);
* SSE latency: the time from an event's commit to its arrival on an open ``/v1/events/stream`` connection
  (p50/p99 over 200 events appended one by one), beside the stream's poll interval.

Run: ``.venv/bin/python bench/hub_events.py`` (about a minute).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tests.hub.api.conftest import hub_settings, running_hub, serve

from tanglehub.hub.events.repository import append_event
from tanglehub.hub.webhooks.worker import run_webhook_worker

EVENTS = 2000
SSE_EVENTS = 200


async def _webhooks(tmp: Path) -> tuple[float, float]:
    received = 0

    async def hook(request: Request) -> Response:
        nonlocal received
        await request.body()
        received += 1
        return Response(status_code=204)

    async with serve(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as receiver_url:
        settings = hub_settings(tmp / "wh", None, webhook_poll_interval=0.01, webhook_concurrency=8)
        async with running_hub(settings) as hub:
            admin = hub.keys.header("admin")
            made = await hub.client.post("/v1/webhooks", json={"url": receiver_url + "/hook"}, headers=admin)
            made.raise_for_status()
            with hub.ctx.sessionmaker() as session:
                for i in range(EVENTS):
                    append_event(session, "deposit.credited", {"amount": str(i), "outputId": "0x" + "ab" * 34})
                session.commit()
            stop = asyncio.Event()
            started = time.perf_counter()
            task = asyncio.create_task(run_webhook_worker(hub.ctx, stop))
            while received < EVENTS:
                await asyncio.sleep(0.01)
            ours = EVENTS / (time.perf_counter() - started)
            stop.set()
            await task
        body = json.dumps({"seq": 1, "kind": "deposit.credited", "data": {"amount": "1"}}).encode()
        gate = asyncio.Semaphore(8)
        async with httpx.AsyncClient(trust_env=False) as client:

            async def post() -> None:
                async with gate:
                    await client.post(receiver_url + "/hook", content=body)

            started = time.perf_counter()
            await asyncio.gather(*(post() for _ in range(EVENTS)))
            baseline = EVENTS / (time.perf_counter() - started)
    return ours, baseline


async def _sse(tmp: Path) -> tuple[float, float, float]:
    settings = hub_settings(tmp / "sse", None, stream_poll_interval=0.2)  # the default
    async with running_hub(settings) as hub:
        arrivals: dict[int, float] = {}
        commits: dict[int, float] = {}

        async def listen() -> None:
            headers = hub.keys.header("read")
            async with hub.client.stream("GET", "/v1/events/stream", headers=headers) as response:
                async for line in response.aiter_lines():
                    if line.startswith("id: "):
                        arrivals[int(line[4:])] = time.perf_counter()
                        if len(arrivals) == SSE_EVENTS:
                            return

        task = asyncio.create_task(listen())
        await asyncio.sleep(0.5)
        for _ in range(SSE_EVENTS):
            with hub.ctx.sessionmaker() as session:
                seq = append_event(session, "user.created", {"userId": "bench"})
                session.commit()
            commits[seq] = time.perf_counter()
            await asyncio.sleep(0.02)
        await asyncio.wait_for(task, 60)
        latencies = sorted((arrivals[s] - commits[s]) * 1000 for s in commits)
        p99 = latencies[int(len(latencies) * 0.99) - 1]
        return statistics.median(latencies), p99, settings.stream_poll_interval * 1000


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ours, baseline = await _webhooks(Path(tmp))
        print(f"webhook deliveries/s (signed, booked, SQLite): {ours:8.0f}")
        print(f"baseline: plain POSTs/s to the same receiver:  {baseline:8.0f}")
        p50, p99, poll = await _sse(Path(tmp))
        print(
            f"SSE commit->client latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms (stream poll interval {poll:.0f} ms)"
        )


if __name__ == "__main__":
    asyncio.run(main())
