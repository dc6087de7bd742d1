"""The send contract: what a failed ``send`` (or ``send_many``, ``send_outputs``, ``claim_outputs``,
``consolidate_outputs``) means, so that a caller who retries never pays twice.

* **An exception means nothing was signed.** Every error a sending call raises comes from before signing
  (input selection, building, signing, the semantic pre-flight, storing): no transaction exists, the
  reserved inputs were released, and retrying cannot pay twice. Such errors keep their own class (an
  :class:`~tanglehub.wallet.operations.transaction.errors.InsufficientFundsError` stays one, a node outage
  stays a :class:`~tanglehub.node.errors.NodeError`), carry ``nothing_signed = True`` and say so in their
  message (:data:`NOTHING_SIGNED`).
* **Once a transaction is signed, the call returns its record.** The payload is stored as ``pending``
  before anything is posted. If posting the block then fails (node down, connection dropped, timeout),
  the call still returns the pending :class:`~tanglehub.wallet.storage_schema.TransactionRecord` (as the
  official SDK returns the transaction without a block id): ``tx_id`` is known, ``block_id`` is the block
  last tried (or ``None``), and the same payload is (re)posted by
  :func:`~tanglehub.wallet.operations.tracking.retry_until_included`,
  :func:`~tanglehub.wallet.operations.tracking.sync_pending_transactions` or the next ``Wallet.open``.
  The failure is logged (warning, with the transaction id). Follow every returned record to ``confirmed``
  or ``conflicting``; do not send again.

The split API differs only in who holds the id: after ``sign_transaction`` the caller holds
``signed.transaction_id``, and ``submit_transaction`` raises node errors as they are (the payload stays
stored and pending; submitting the same ``signed`` again is safe, it is the same transaction).
A cancellation (``asyncio.CancelledError``) after signing propagates, and the transaction id is logged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from tanglehub.errors import TanglehubError

__all__ = ["NOTHING_SIGNED", "before_signing", "is_nothing_signed", "mark_nothing_signed"]

NOTHING_SIGNED = "nothing was signed or sent, so retrying cannot pay twice"
"""The sentence every error of a sending call ends with (all of them are raised before signing)."""


def mark_nothing_signed(exc: TanglehubError) -> TanglehubError:
    """Mark ``exc`` (raised before any transaction was signed) as such: ``exc.nothing_signed`` is True and
    its message ends with :data:`NOTHING_SIGNED` (once). Returns ``exc``."""
    if not getattr(exc, "nothing_signed", False):
        exc.nothing_signed = True  # type: ignore[attr-defined]
        if NOTHING_SIGNED not in exc.message:
            exc.message = f"{exc.message}; {NOTHING_SIGNED}"
            exc.args = (exc.message,)
    return exc


def is_nothing_signed(exc: BaseException) -> bool:
    """True when ``exc`` was marked by :func:`mark_nothing_signed`."""
    return bool(getattr(exc, "nothing_signed", False))


@contextlib.contextmanager
def before_signing() -> Iterator[None]:
    """Wrap the steps of a sending call that come before signing: a tanglehub error raised inside is
    marked with :func:`mark_nothing_signed` and re-raised."""
    try:
        yield
    except TanglehubError as exc:
        mark_nothing_signed(exc)
        raise
