"""A lean HTTP load generator for the hub benches: ``wrk`` when it is installed, else aiohttp.

The generator shares the machine's cores with the server it measures, so its own cost matters: httpx spends
~0.5-1 ms of client CPU per request, aiohttp about a fifth of that, wrk (C, epoll) a few microseconds. Each
run reports the generator's own CPU share beside the figures, so a reader can tell when the client, not the
server, was the limit.

:func:`run_load` takes a list of request paths (cycled through by every connection), a method, a bearer token
and a concurrency; it returns a :class:`LoadResult` (requests per second, p50/p99 latency in ms, the
generator's CPU seconds per wall second, and which generator ran). Any response >= 400 stops the run.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

__all__ = ["LoadResult", "run_load"]


@dataclass(frozen=True)
class LoadResult:
    """One load run: throughput, latency percentiles (ms) and the generator's own CPU share."""

    generator: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    client_cpu: float
    """The generator's CPU seconds per wall second (1.0 = one core busy)."""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def _pct(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


async def _aiohttp_load(url: str, token: str, paths: list[str], method: str, concurrency: int) -> LoadResult:
    latencies: list[float] = []
    queue = list(reversed(paths))
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(url, headers=headers, connector=connector) as client:

        async def worker() -> None:
            while queue:
                path = queue.pop()
                t = time.perf_counter()
                async with client.request(method, path) as response:
                    body = await response.read()
                latencies.append(time.perf_counter() - t)
                if response.status >= 400:
                    raise SystemExit(f"{method} {path} -> {response.status} {body[:200]!r}")

        cpu0 = time.process_time()
        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
    latencies.sort()
    return LoadResult(
        "aiohttp", len(latencies), elapsed, _pct(latencies, 0.5), _pct(latencies, 0.99), cpu / elapsed
    )


_WRK_SCRIPT = """
local paths = {%s}
local n = #paths
local i = 0
local bad = 0
request = function()
  i = i %% n + 1
  return wrk.format("%s", paths[i])
end
response = function(status, headers, body)
  if status >= 400 and bad == 0 then
    bad = status
    io.stderr:write("HTTP " .. status .. " " .. string.sub(body, 1, 200) .. "\\n")
  end
end
"""


def _wrk_ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if found is None:
        raise SystemExit(f"wrk printed a latency this bench cannot read: {text!r}")
    return (
        float(found.group(1))
        * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}[found.group(2)]
    )


def _wrk_load(wrk: str, url: str, token: str, paths: list[str], method: str, concurrency: int) -> LoadResult:
    """wrk for about as long as aiohttp would need for ``len(paths)`` requests (>= 2 s), one thread."""
    seconds = max(2, min(10, len(paths) // 1000))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT % (",".join(json.dumps(p) for p in paths), method))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        args = [wrk, "-t1", f"-c{concurrency}", f"-d{seconds}s", "--latency", "-s", script.name]
        args += ["-H", f"Authorization: Bearer {token}", url]
        done = subprocess.run(args, capture_output=True, text=True, check=True)
    finally:
        Path(script.name).unlink()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if "HTTP " in done.stderr or "Non-2xx" in done.stdout:
        raise SystemExit(f"wrk: {method} answered an error: {done.stderr.strip()[:300]} {done.stdout[-300:]}")
    out = done.stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    elapsed = float(re.search(r"requests in ([\d.]+)s", out).group(1))  # type: ignore[union-attr]
    # the latency distribution's rows only ("   99%   16.30ms"): a stdev share such as "91.50%" elsewhere in
    # wrk's report must not be read as the 50th percentile
    p50 = _wrk_ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1))  # type: ignore[union-attr]
    p99 = _wrk_ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))  # type: ignore[union-attr]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return LoadResult("wrk", total, elapsed, p50, p99, cpu / elapsed)


async def run_load(
    url: str, token: str, paths: list[str], method: str, concurrency: int = 16, *, use_wrk: bool = True
) -> LoadResult:
    """Send the requests in ``paths`` to ``url`` with ``concurrency`` connections; see the module docstring.

    With wrk the run is timed (it cycles through ``paths``), so a path list for a state-changing method must
    hold more paths than wrk will send; with aiohttp each path is sent exactly once.
    """
    wrk = shutil.which("wrk") if use_wrk and os.environ.get("BENCH_NO_WRK") != "1" else None
    if wrk is not None:
        return await asyncio.to_thread(_wrk_load, wrk, url, token, paths, method, concurrency)
    return await _aiohttp_load(url, token, paths, method, concurrency)
