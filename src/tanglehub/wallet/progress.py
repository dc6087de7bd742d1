"""Progress of long wallet work (indexer sync, the first ledger sync's bootstrap, ledger milestones, bulk
address generation, account recovery), reported through a callback.

A caller passes ``progress=callback`` to :meth:`Wallet.sync <tanglehub.wallet.Wallet.sync>`,
:meth:`Account.sync`, :meth:`Account.generate_addresses` or :meth:`Wallet.recover_accounts`; the callback gets a
:class:`Progress` value each time a unit of work is done (an address queried, a milestone applied, a batch of
addresses derived). ``total`` is None when the amount of work is not known in advance (milestones still to be
confirmed, accounts a recovery has yet to find). The callback runs on the event loop, so it must be quick
(update a progress bar, a counter); an exception it raises is logged and otherwise ignored, so a broken
display never breaks a sync.

The operations report through :func:`report`, which finds the caller's callback in a context variable set
by :func:`progress_scope`; tasks started inside the scope (concurrent queries) inherit it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum

from tanglehub.wallet.errors import WalletArgumentError

__all__ = [
    "Progress",
    "ProgressCallback",
    "ProgressStage",
    "ProgressTracker",
    "progress_scope",
    "report",
    "tracker",
]

log = logging.getLogger("tanglehub.wallet.progress")


class ProgressStage(StrEnum):
    """What a :class:`Progress` value counts."""

    INDEXER_SYNC = "indexer sync"
    """Addresses of one account queried on the indexer (``detail``: the account alias)."""
    LEDGER_BOOTSTRAP = "ledger sync bootstrap"
    """The first ledger sync's indexer sync of one account (``detail``: the account alias)."""
    LEDGER_SYNC = "ledger sync"
    """Confirmed milestones read (``total`` None: the node keeps confirming)."""
    ADDRESS_GENERATION = "address generation"
    """Addresses derived and stored (``detail``: the account alias and chain)."""
    ACCOUNT_RECOVERY = "account recovery"
    """Addresses checked for outputs (``detail``: the account being scanned; ``total`` None)."""


@dataclass(frozen=True, slots=True)
class Progress:
    """``done`` units of ``total`` (None = unknown) of one piece of work; ``detail`` names what (an account)."""

    stage: ProgressStage
    done: int
    total: int | None = None
    detail: str = ""

    @property
    def fraction(self) -> float | None:
        """``done / total`` (None while the total is unknown; 1.0 for an empty piece of work)."""
        if self.total is None:
            return None
        return 1.0 if self.total == 0 else min(1.0, self.done / self.total)


ProgressCallback = Callable[[Progress], None]
"""Called with every :class:`Progress` update (on the event loop; keep it quick)."""

_callback: ContextVar[ProgressCallback | None] = ContextVar("tanglehub_wallet_progress", default=None)
_relabel: ContextVar[ProgressStage | None] = ContextVar("tanglehub_wallet_progress_stage", default=None)


@contextlib.contextmanager
def progress_scope(callback: ProgressCallback | None, stage: ProgressStage | None = None) -> Iterator[None]:
    """Within the block, :func:`report` calls ``callback`` (None keeps the caller's); with ``stage``, reports
    of indexer syncs are relabelled (the first ledger sync's bootstrap reports as such)."""
    if callback is not None and not callable(callback):
        raise WalletArgumentError(f"progress must be a callable taking a Progress, got {type(callback).__name__}")
    token = _callback.set(callback) if callback is not None else None
    stage_token = _relabel.set(stage) if stage is not None else None
    try:
        yield
    finally:
        if stage_token is not None:
            _relabel.reset(stage_token)
        if token is not None:
            _callback.reset(token)


def report(stage: ProgressStage, done: int, total: int | None = None, detail: str = "") -> None:
    """Tell the current callback (if any) that ``done`` of ``total`` units of ``stage`` are finished."""
    callback = _callback.get()
    if callback is None:
        return
    if stage is ProgressStage.INDEXER_SYNC:
        stage = _relabel.get() or stage
    try:
        callback(Progress(stage, done, total, detail))
    except Exception:  # a display problem must never break the work it displays
        log.warning("a progress callback failed; ignoring it", exc_info=True)


class ProgressTracker:
    """Counts units of one piece of work and reports each step (``advance``)."""

    __slots__ = ("detail", "done", "stage", "total")

    def __init__(self, stage: ProgressStage, total: int | None, detail: str = "") -> None:
        self.stage = stage
        self.total = total
        self.detail = detail
        self.done = 0
        report(stage, 0, total, detail)

    def advance(self, units: int = 1) -> None:
        """``units`` more are done."""
        self.done += units
        report(self.stage, self.done, self.total, self.detail)


def tracker(stage: ProgressStage, total: int | None, detail: str = "") -> ProgressTracker | None:
    """A :class:`ProgressTracker` when someone listens, else None (so the hot paths pay nothing)."""
    return ProgressTracker(stage, total, detail) if _callback.get() is not None else None
