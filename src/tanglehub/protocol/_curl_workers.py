"""Multi-process nonce search: workers take interleaved batches and report every batch they finish.

Batch ``m`` covers nonces ``start + m * B .. start + (m + 1) * B - 1``; worker ``i`` of ``n`` runs batches
``i, i + n, i + 2n, ...``. The parent answers with the first hit of the lowest batch once every batch below it
has been reported, so the result is the smallest qualifying nonce, exactly as one worker would find it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event

from tanglehub.protocol._curl import PowCancelledError, PowTimeoutError, PowWorkerError
from tanglehub.protocol._curl_bct import NonceKernel

__all__ = ["SearchJob", "available_cores", "search_in_processes"]

_MAX_NONCE = 2**64 - 1
_POLL_SECONDS = 0.05
_JOIN_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class SearchJob:
    """What every worker needs: the block's hash trits, the target, the batch size and the first nonce."""

    hash_trits: tuple[int, ...]
    zeros: int
    words: int
    start: int


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _context() -> ForkServerContext | SpawnContext:
    """``forkserver`` where available (safe with threads in the parent, cheap after the first start)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["tanglehub.protocol._curl_bct"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows / macOS without forkserver


def _worker(
    job: SearchJob,
    index: int,
    count: int,
    results: multiprocessing.Queue[tuple[int, int | None]],
    stop: Event,
) -> None:
    """Run batches ``index, index + count, ...`` until told to stop; report ``(batch, offset | None)``."""
    kernel = NonceKernel(job.hash_trits, job.zeros, words=job.words)
    batch = index
    while not stop.is_set():
        first = job.start + batch * kernel.batch
        if first > _MAX_NONCE:
            results.put((batch, None))
            return
        results.put((batch, kernel.search(first, valid=_MAX_NONCE - first + 1)))
        batch += count


def search_in_processes(
    job: SearchJob, workers: int, *, deadline: float | None, cancel: threading.Event | None
) -> int | None:
    """The smallest nonce ``>= start`` with ``zeros`` trailing zero trits, or None if none is left below 2^64."""
    ctx = _context()
    results: multiprocessing.Queue[tuple[int, int | None]] = ctx.Queue()
    stop = ctx.Event()
    batch_size = job.words * 64
    start, zeros = job.start, job.zeros
    last_batch = (_MAX_NONCE - start) // batch_size
    procs: list[BaseProcess] = [
        ctx.Process(
            target=_worker,
            args=(job, i, workers, results, stop),
            daemon=True,
            name=f"tanglehub-pow-{i}",
        )
        for i in range(workers)
    ]
    done: set[int] = set()
    hits: dict[int, int] = {}
    lowest_open = 0
    try:
        for proc in procs:
            try:
                proc.start()
            except (OSError, RuntimeError) as exc:
                raise PowWorkerError(
                    "could not start PoW worker processes (a script that mines with workers > 1 must guard "
                    "its entry point with `if __name__ == '__main__':`); use workers=1 to mine in-process"
                ) from exc
        while True:
            if cancel is not None and cancel.is_set():
                raise PowCancelledError(f"nonce search cancelled after {len(done)} batches")
            if deadline is not None and time.monotonic() > deadline:
                raise PowTimeoutError(
                    f"no nonce with {zeros} trailing zero trits in {len(done) * batch_size} nonces from "
                    f"{start}; allow more time or lower the target score"
                )
            try:
                batch, offset = results.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if not any(proc.is_alive() for proc in procs):
                    raise PowWorkerError("every PoW worker process exited without an answer") from None
                continue
            done.add(batch)
            if offset is not None:
                hits[batch] = offset
            while lowest_open in done:
                lowest_open += 1
            if hits and min(hits) < lowest_open:
                best = min(hits)
                return start + best * batch_size + hits[best]
            if lowest_open > last_batch:
                return None
    finally:
        stop.set()
        for proc in procs:
            if proc.pid is None:
                continue
            proc.join(timeout=_JOIN_SECONDS)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=_JOIN_SECONDS)
        results.close()
        with contextlib.suppress(Exception):
            results.join_thread()
