"""Deterministic kill points for the driver processes (test-only monkeypatches; nothing in ``src/``).

``TANGLEHUB_CRASH_AT=<kind>:<name>:<when>:<n>`` makes the process SIGKILL itself:

* ``store:<StoreTx method>:inside:<n>``: during the n-th write transaction that calls that method, right
  after the call and before the COMMIT (the transaction must vanish);
* ``store:<StoreTx method>:after:<n>``: right after that transaction's COMMIT (before anything else runs);
* ``node:<NodePool method>:before:<n>`` / ``node:<NodePool method>:after:<n>``: around the n-th call of a
  node request (e.g. ``post_block``: the block was never sent / was sent but the wallet did not hear back).

The process prints ``crash <label>`` on stdout just before it dies, so the test knows the point was reached.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from tanglehub.node import NodePool
from tanglehub.wallet.storage import StoreTx, WalletStore

__all__ = ["ENV_VAR", "install"]

ENV_VAR = "TANGLEHUB_CRASH_AT"


def _die(label: str) -> None:
    sys.stdout.write(f"crash {label}\n")
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _install_store(label: str, name: str, when: str, nth: int) -> None:
    original: Callable[..., Any] = getattr(StoreTx, name)
    run_tx: Callable[..., Any] = WalletStore._in_transaction
    state = {"count": 0}
    local = threading.local()

    @functools.wraps(original)
    def method(self: StoreTx, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        if not getattr(local, "touched", False):
            local.touched = True
            state["count"] += 1
            if when == "inside" and state["count"] == nth:
                _die(label)
        return result

    @functools.wraps(run_tx)
    def in_transaction(self: WalletStore, fn: Callable[[StoreTx], Any], write: bool) -> Any:
        local.touched = False
        result = run_tx(self, fn, write)
        if local.touched and when == "after" and state["count"] == nth:
            _die(label)
        return result

    setattr(StoreTx, name, method)
    WalletStore._in_transaction = in_transaction  # type: ignore[method-assign]


def _install_node(label: str, name: str, when: str, nth: int) -> None:
    original: Callable[..., Any] = getattr(NodePool, name)
    state = {"count": 0}

    @functools.wraps(original)
    async def method(self: NodePool, *args: Any, **kwargs: Any) -> Any:
        state["count"] += 1
        hit = state["count"] == nth
        if hit and when == "before":
            _die(label)
        result = await original(self, *args, **kwargs)
        if hit and when == "after":
            _die(label)
        return result

    setattr(NodePool, name, method)


def install(label: str | None) -> None:
    """Arm the kill point ``label`` (see the module docstring); nothing when ``label`` is empty."""
    if not label:
        return
    kind, name, when, nth = label.split(":")
    if kind == "store" and when in ("inside", "after"):
        _install_store(label, name, when, int(nth))
    elif kind == "node" and when in ("before", "after"):
        _install_node(label, name, when, int(nth))
    else:
        raise SystemExit(f"unknown crash point {label!r}")
