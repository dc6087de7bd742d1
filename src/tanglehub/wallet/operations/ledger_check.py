"""Is the node's ledger the one this wallet synced with, and is it not behind? Checked before every sync.

Two nodes of the same network name can serve different ledgers (a fresh devnet, a reset test network),
and a lagging node (a pool member behind the others, a node re-syncing or re-indexing) lacks the newest
outputs. A sync against either would mark outputs spent that are not, or move the wallet's cursor back.
So every sync first compares the node's state with what the wallet saw last:

* the **anchor** (meta key :data:`LEDGER_ANCHOR_KEY`, JSON ``{"index", "milestoneId"}``): the confirmed
  milestone the last sync began at (either mode). A node whose confirmed milestone is below it is behind
  (:class:`~tanglehub.wallet.errors.LedgerBehindError`); a node with another milestone id at that index
  (its ``info`` when the index is its confirmed one, else ``GET /milestones/by-index/{index}``) serves
  another ledger (:class:`~tanglehub.wallet.errors.LedgerMismatchError`). A node that has pruned the
  anchor milestone cannot be compared by id; a node that does not know it, although it should, is another
  ledger.
* the **ledger cursor** of ledger-mode sync (the next milestone to read): a node whose confirmed milestone
  is below the last milestone read is behind.
* without an anchor (a wallet synced by an older version), the unspent output booked last must be known to
  the node (an output id is its transaction's hash: another ledger does not have it; unspent outputs are
  never pruned). A node whose confirmed milestone is below its booking is behind.

The sync is refused before anything is stored; the error names both indexes. Cost: the ``info`` request the
sync makes anyway, plus one milestone read when the node has moved on since the anchor. The syncs run that
read alongside their own first reads (:func:`begin_ledger_check` returns it as a :class:`PendingCheck`) and
wait for its verdict before they store or report anything, so it adds no round trip of its own.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from tanglehub.node import NodeNotFound
from tanglehub.node.models import NodeInfo
from tanglehub.wallet.errors import LedgerBehindError, LedgerMismatchError
from tanglehub.wallet.operations.transaction.context import remember_node_info
from tanglehub.wallet.storage import StoreTx

if TYPE_CHECKING:
    from tanglehub.wallet.wallet import Wallet

__all__ = [
    "LEDGER_ANCHOR_KEY",
    "PendingCheck",
    "begin_ledger_check",
    "check_ledger",
    "record_anchor",
    "run_ledger_checked",
]

T = TypeVar("T")

LEDGER_ANCHOR_KEY = "ledger_anchor"
"""Meta key: JSON ``{"index", "milestoneId"}`` of the confirmed milestone the last sync began at."""
_LEDGER_CURSOR_KEY = "ledger_cursor"
"""The ledger-mode cursor (the same key as ``sync_ledger.LEDGER_CURSOR_KEY``; sync_ledger imports this module)."""

_HINT = "nothing was changed; sync from a node of this wallet's ledger that is up to date"


def _anchor(tx: StoreTx) -> tuple[dict[str, str | int] | None, int | None, tuple[bytes, int] | None]:
    raw, cursor = tx.get_meta(LEDGER_ANCHOR_KEY), tx.get_meta(_LEDGER_CURSOR_KEY)
    latest = None if raw else tx.latest_unspent()
    return (json.loads(raw) if raw else None), (int(cursor) if cursor else None), latest


async def _check_output(wallet: Wallet, info: NodeInfo, latest: tuple[bytes, int]) -> None:
    """Without an anchor: the unspent output booked last must be known to the node."""
    oid, booked = latest
    try:
        await wallet.node.get_output_metadata(oid)
    except NodeNotFound:
        confirmed = info.status.confirmed_milestone.index
        if confirmed < booked:
            raise LedgerBehindError(
                f"the node's confirmed milestone {confirmed} is below milestone {booked}, which booked an "
                f"output this wallet holds: the node is behind or serves another ledger; {_HINT}"
            ) from None
        raise LedgerMismatchError(
            f"the node does not know output 0x{oid.hex()}, which this wallet holds unspent since milestone "
            f"{booked}: it serves another ledger (same network name: a fresh or reset network?); {_HINT}"
        ) from None


async def _milestone_id(wallet: Wallet, index: int) -> bytes | None:
    """The id of milestone ``index`` on the node; None when the node does not know it."""
    try:
        milestone = await wallet.node.get_milestone_by_index(index)
    except NodeNotFound:
        return None
    return milestone.milestone_id()


class PendingCheck:
    """The milestone comparison of a ledger check still under way (see :func:`begin_ledger_check`).

    Await :meth:`verified` before storing anything (it raises :class:`LedgerMismatchError` when the node
    serves another ledger; awaiting it again gives the same answer); :meth:`aclose` cancels it when the
    sync ends early. A check that needs no request is verified already.
    """

    __slots__ = ("_task",)

    def __init__(self, task: asyncio.Task[None] | None = None) -> None:
        self._task = task

    async def verified(self) -> None:
        """Wait for the comparison; raises what the check found (and the node's errors)."""
        if self._task is not None:
            await self._task

    async def aclose(self) -> None:
        """Cancel the comparison if it is still running, and collect its outcome (nothing is raised)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


def _compare(want: bytes, have: bytes | None, index: int) -> None:
    if have != want:
        seen = "does not know it" if have is None else f"has 0x{have.hex()} there"
        raise LedgerMismatchError(
            f"the node serves another ledger: this wallet saw milestone {index} as 0x{want.hex()}, the node "
            f"{seen} (same network name, different ledger: a fresh or reset network?); {_HINT}"
        )


async def _compare_with_node(wallet: Wallet, want: bytes, index: int) -> None:
    _compare(want, await _milestone_id(wallet, index), index)


async def run_ledger_checked(wallet: Wallet, work: Callable[[NodeInfo, PendingCheck], Awaitable[T]]) -> T:
    """Run ``work(info, check)`` under a ledger check begun by :func:`begin_ledger_check`: when ``work`` fails,
    a failed check is the error raised (a node of another ledger is what to report, not what followed); the
    check is closed however ``work`` ends. ``work`` must await ``check.verified()`` before it stores anything.
    """
    info, check = await begin_ledger_check(wallet)
    try:
        return await work(info, check)
    except Exception:
        await check.verified()
        raise
    finally:
        await check.aclose()


async def begin_ledger_check(wallet: Wallet) -> tuple[NodeInfo, PendingCheck]:
    """Start the ledger check (see the module docstring): the node's info and the checks it settles alone
    are done when this returns (raising :class:`LedgerBehindError` or :class:`LedgerMismatchError`); the
    milestone comparison that needs one more request runs on in the returned :class:`PendingCheck`.

    The caller may read from the node meanwhile, but must await ``verified()`` before it stores or reports
    anything, and ``aclose()`` it when it stops early."""
    asked_at = time.monotonic()
    info = await wallet.node.get_info()
    remember_node_info(wallet.node, info, asked_at)  # the sends that follow the sync use this view
    anchor, cursor, latest = await wallet.store.read(_anchor)
    confirmed = info.status.confirmed_milestone
    if cursor is not None and confirmed.index < cursor - 1:
        raise LedgerBehindError(
            f"the node's confirmed milestone {confirmed.index} is below milestone {cursor - 1}, which this "
            f"wallet has already synced (ledger mode): the node is behind or serves another ledger; {_HINT}"
        )
    if anchor is None:
        if latest is not None:
            await _check_output(wallet, info, latest)
        return info, PendingCheck()
    index, want = int(anchor["index"]), bytes.fromhex(str(anchor["milestoneId"]))
    if confirmed.index < index:
        raise LedgerBehindError(
            f"the node's confirmed milestone {confirmed.index} is below milestone {index}, which this wallet "
            f"saw confirmed at its last sync: the node is behind or serves another ledger; {_HINT}"
        )
    if confirmed.index == index and confirmed.milestone_id is not None:
        _compare(want, confirmed.milestone_id, index)
        return info, PendingCheck()
    if index <= info.status.pruning_index:
        return info, PendingCheck()  # pruned there: nothing to compare
    return info, PendingCheck(asyncio.ensure_future(_compare_with_node(wallet, want, index)))


async def check_ledger(wallet: Wallet) -> NodeInfo:
    """Refuse a node that is behind the wallet or serves another ledger (see the module docstring);
    returns the node's info (the caller's sync reuses it). :func:`begin_ledger_check` and waiting for its
    verdict in one call.

    Raises :class:`LedgerBehindError` or :class:`LedgerMismatchError`, and the node's errors."""
    info, pending = await begin_ledger_check(wallet)
    try:
        await pending.verified()
    finally:
        await pending.aclose()
    return info


def record_anchor(tx: StoreTx, info: NodeInfo) -> None:
    """Store ``info``'s confirmed milestone as the anchor (when the node named its id; it never moves back)."""
    confirmed = info.status.confirmed_milestone
    if confirmed.milestone_id is None:
        return
    raw = tx.get_meta(LEDGER_ANCHOR_KEY)
    if raw and int(json.loads(raw)["index"]) > confirmed.index:
        return
    tx.set_meta(
        LEDGER_ANCHOR_KEY, json.dumps({"index": confirmed.index, "milestoneId": confirmed.milestone_id.hex()})
    )
