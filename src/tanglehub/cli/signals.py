"""SIGTERM treated like Ctrl-C for long-running ``tanglehub`` commands (devnet, demo; later hub and signer).

systemd, Docker and ``timeout`` stop a process with SIGTERM, whose default action kills it at once: no
``finally`` block runs, temporary folders stay behind, a database is not flushed. Inside
:func:`sigterm_as_interrupt` a SIGTERM raises :class:`KeyboardInterrupt` in the main thread instead, exactly
as Ctrl-C (SIGINT) does, so one shutdown path serves both signals: the command's ``except KeyboardInterrupt``
and every ``with``/``finally`` on the way out run, and the exit code is what Ctrl-C gives (0 for a server that
stops cleanly, 130 for an interrupted one-shot command; see :func:`tanglehub.cli.main.main`).

uvicorn catches SIGINT and SIGTERM itself while it serves, shuts down gracefully, and then raises the caught
signal again with the handler that was installed before it started; with this context active that handler
turns the re-raised SIGTERM into the same KeyboardInterrupt a re-raised SIGINT gives.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["sigterm_as_interrupt"]


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While active, SIGTERM raises KeyboardInterrupt in the main thread (like Ctrl-C); restored on exit.

    Outside the main thread (where Python cannot install signal handlers) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
