"""Per-request client cost of HTTP client candidates for the node client, beside iota-sdk, on one devnet.

Every candidate sends the same request (``GET /api/core/v2/blocks/{id}/metadata``, JSON, ~200 bytes of
answer) to one devnet child process, N times one after another and N times with 16 in flight. For each it
prints the wall-clock request rate and the client process's CPU time per request (``time.process_time`` of
this process only; the devnet runs in its own process, so the server's work is not counted). The SDK's
blocking ``Client.get_block_metadata`` is measured the same way (its Rust threads count as this process).

Candidates:
  httpx                ``httpx.AsyncClient(base_url=...)``, ``build_request`` + ``send`` (NodeClient's wire
                       before aiohttp; still the wire for injected httpx transports): the baseline
  httpx lean           ``httpx.AsyncClient`` without base URL, tuned ``Limits``, ``retries=0`` transport
  httpcore pool        ``httpcore.AsyncConnectionPool`` directly (httpx's wire without httpx's models)
  aiohttp defaults     ``aiohttp.ClientSession`` with a ``TCPConnector(limit=32)``, other settings default
  aiohttp trust_env    the same with ``trust_env=True`` (proxy and netrc looked up per request)
  AiohttpWire          ``tanglehub.node.aiohttp_wire.AiohttpWire``: NodeClient's wire (aiohttp, no cookie jar,
                       no Accept-Encoding/decompression, proxy looked up once, pre-encoded URL)
  NodeClient           the full ``NodeClient.get_block_metadata`` (wire + error mapping + JSON parsing)
  pipelined            16 requests written back to back on one connection, then 16 answers read

The Python candidates run on uvloop, as the ``tanglehub`` command runs them (``--loop asyncio``: the
standard event loop; measured on the 2-core machine, quiet: AiohttpWire 16 in flight ~127 µs CPU per request
on asyncio's loop, ~90 µs on uvloop; NodeClient ~167 -> ~145 µs).

Usage: .venv/bin/python bench/node_transport.py [--requests N] [--loop uvloop|asyncio]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import httpcore
import httpx

sys.path.insert(0, str(Path(__file__).parent))
from sync import DevnetChild  # the bench scripts share the devnet child helper
from tanglehub.cli import loop
from tanglehub.node import NodeClient
from tanglehub.node.aiohttp_wire import AiohttpWire

CONCURRENCY = 16


async def gated(one: Callable[[], Awaitable[object]], gate: asyncio.Semaphore) -> None:
    """``one()`` under ``gate``."""
    async with gate:
        await one()


async def measure(
    name: str, one: Callable[[], Awaitable[object]], n: int, rows: list[tuple[str, str, float, float]]
) -> None:
    """Run ``one`` n times sequentially and n times 16-wide; append (name, mode, req/s, CPU µs/request)."""
    for _ in range(20):  # warm up: connections, caches
        await one()
    for mode in ("sequential", f"{CONCURRENCY} in flight"):
        c0, t0 = time.process_time(), time.perf_counter()
        if mode == "sequential":
            for _ in range(n):
                await one()
        else:
            gate = asyncio.Semaphore(CONCURRENCY)
            await asyncio.gather(*(gated(one, gate) for _ in range(n)))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        rows.append((name, mode, n / wall, cpu / n * 1e6))
        print(f"  {name:20} {mode:14} {n / wall:8.0f} req/s  {cpu / n * 1e6:7.0f} µs CPU/request", flush=True)


async def pipelined(url: str, path: str, n: int, rows: list[tuple[str, str, float, float]]) -> None:
    """Batches of 16 requests written at once on one keep-alive connection, answers read in order."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n\r\n".encode()

    async def batch(k: int) -> None:
        writer.write(request * k)
        for _ in range(k):
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            await reader.readexactly(length)

    await batch(CONCURRENCY)
    c0, t0 = time.process_time(), time.perf_counter()
    for _ in range(n // CONCURRENCY):
        await batch(CONCURRENCY)
    done = (n // CONCURRENCY) * CONCURRENCY
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rows.append(("pipelined", f"{CONCURRENCY} per batch", done / wall, cpu / done * 1e6))
    print(
        f"  {'pipelined':20} {'16 per batch':14} {done / wall:8.0f} req/s  {cpu / done * 1e6:7.0f} µs CPU/request"
    )
    writer.close()


def sdk(url: str, block_id: str, n: int, rows: list[tuple[str, str, float, float]]) -> None:
    """iota-sdk's blocking client, one request after another."""
    iota: Any = importlib.import_module("iota_sdk")
    client = iota.Client(nodes=[url], ignore_node_health=True)
    for _ in range(20):
        client.get_block_metadata(block_id)
    c0, t0 = time.process_time(), time.perf_counter()
    for _ in range(n):
        client.get_block_metadata(block_id)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rows.append(("iota-sdk 1.1.4", "sequential", n / wall, cpu / n * 1e6))
    print(f"  {'iota-sdk 1.1.4':20} {'sequential':14} {n / wall:8.0f} req/s  {cpu / n * 1e6:7.0f} µs CPU/request")


async def run(n: int) -> None:
    """Start the devnet and measure every candidate."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-transport-"))
    devnet = DevnetChild(tmp / "devnet", tmp / "devnet.log")
    rows: list[tuple[str, str, float, float]] = []
    try:
        devnet.milestone()
        block_id = devnet.http.get("/api/core/v2/tips").json()["tips"][0]
        path = f"/api/core/v2/blocks/{block_id}/metadata"
        url = devnet.url
        print(f"{n} requests of GET {path[:40]}... per mode against {url}")

        async with httpx.AsyncClient(base_url=url, timeout=10) as today:

            async def httpx_today() -> None:
                req = today.build_request("GET", path, headers={"Accept": "application/json"})
                (await today.send(req)).json()

            await measure("httpx", httpx_today, n, rows)

        limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
        transport = httpx.AsyncHTTPTransport(retries=0, limits=limits)
        async with httpx.AsyncClient(transport=transport, timeout=10) as lean:
            full = url + path

            async def httpx_lean() -> None:
                (await lean.get(full, headers={"Accept": "application/json"})).json()

            await measure("httpx lean", httpx_lean, n, rows)

        async with httpcore.AsyncConnectionPool(max_connections=32) as core:

            async def httpcore_pool() -> None:
                await core.request("GET", url + path, headers=[(b"Accept", b"application/json")])

            await measure("httpcore pool", httpcore_pool, n, rows)

        for name, trust_env in (("aiohttp defaults", False), ("aiohttp trust_env", True)):
            connector = aiohttp.TCPConnector(limit=32)
            async with aiohttp.ClientSession(connector=connector, trust_env=trust_env) as session:

                async def aiohttp_get(session: aiohttp.ClientSession = session) -> None:
                    async with session.get(url + path, headers={"Accept": "application/json"}) as resp:
                        await resp.read()

                await measure(name, aiohttp_get, n, rows)

        wire = AiohttpWire(url, timeout=10, headers={"User-Agent": "tanglehub"})

        async def aiohttp_wire() -> None:
            await wire.request("GET", path, [("Accept", "application/json")])

        await measure("AiohttpWire", aiohttp_wire, n, rows)
        await wire.aclose()

        async with NodeClient(url) as node:
            await measure("NodeClient", lambda: node.get_block_metadata(block_id), n, rows)

        await pipelined(url, path, n, rows)
        sdk(url, block_id, n, rows)
    finally:
        devnet.stop()
    print()
    print("| client | mode | requests/s | client CPU µs/request | CPU vs httpx |")
    print("| --- | --- | ---: | ---: | ---: |")
    base = {mode: cpu for name, mode, _, cpu in rows if name == "httpx"}
    for name, mode, rate, cpu in rows:
        ref = base.get(mode, base["sequential"])
        print(f"| {name} | {mode} | {rate:.0f} | {cpu:.0f} | {cpu / ref:.2f} |")


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per candidate and mode")
    parser.add_argument(
        "--loop",
        choices=("uvloop", "asyncio"),
        default="uvloop",
        help="event loop of the Python candidates (uvloop: as the tanglehub command runs)",
    )
    args = parser.parse_args()
    print(f"event loop: {args.loop}")
    if args.loop == "uvloop":
        loop.run(run(args.requests))
    else:
        asyncio.run(run(args.requests))


if __name__ == "__main__":
    main()
