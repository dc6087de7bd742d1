"""The wallet's event types (``NewOutput``, ``SpentOutput``, ``TransactionInclusion``, ``TransactionProgress``
with its :class:`ProgressStep` names, ``BalanceChange``) and their JSON form as stored in the event log.
Delivery (callbacks, durable streams) lives in :mod:`tanglehub.wallet.events`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, TypeAlias

from tanglehub.wallet.errors import WalletArgumentError
from tanglehub.wallet.reprs import hex_repr

__all__ = [
    "BalanceChange",
    "EVENT_TYPES",
    "NewOutput",
    "ProgressStep",
    "SpentOutput",
    "TransactionInclusion",
    "TransactionProgress",
    "WalletEvent",
    "event_from_json",
]


def _hex(data: bytes | None) -> str | None:
    return None if data is None else "0x" + data.hex()


def _unhex(value: object) -> bytes | None:
    return None if value is None else bytes.fromhex(str(value)[2:])


@dataclass(frozen=True, slots=True)
class NewOutput:
    """An output to one of the account's addresses appeared on the ledger."""

    __repr__ = hex_repr

    KIND: ClassVar[str] = "NewOutput"
    account_index: int
    output_id: bytes
    address: str
    amount: int
    output_type: int
    booked_index: int
    booked_timestamp: int
    native_tokens: dict[str, int]

    @property
    def kind(self) -> str:
        """The event kind name."""
        return self.KIND

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object (amounts as decimal strings, ids as 0x hex)."""
        return {
            "accountIndex": self.account_index,
            "outputId": _hex(self.output_id),
            "address": self.address,
            "amount": str(self.amount),
            "outputType": self.output_type,
            "bookedIndex": self.booked_index,
            "bookedTimestamp": self.booked_timestamp,
            "nativeTokens": {k: str(v) for k, v in sorted(self.native_tokens.items())},
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> NewOutput:
        """Rebuild from :meth:`to_json`."""
        return cls(
            int(d["accountIndex"]),
            _unhex(d["outputId"]) or b"",
            str(d["address"]),
            int(d["amount"]),
            int(d["outputType"]),
            int(d["bookedIndex"]),
            int(d["bookedTimestamp"]),
            {str(k): int(v) for k, v in d.get("nativeTokens", {}).items()},
        )


@dataclass(frozen=True, slots=True)
class SpentOutput:
    """One of the account's outputs was consumed by a confirmed transaction."""

    __repr__ = hex_repr

    KIND: ClassVar[str] = "SpentOutput"
    account_index: int
    output_id: bytes
    amount: int
    spent_transaction_id: bytes | None
    spent_index: int | None
    spent_timestamp: int | None

    @property
    def kind(self) -> str:
        """The event kind name."""
        return self.KIND

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object."""
        return {
            "accountIndex": self.account_index,
            "outputId": _hex(self.output_id),
            "amount": str(self.amount),
            "spentTransactionId": _hex(self.spent_transaction_id),
            "spentIndex": self.spent_index,
            "spentTimestamp": self.spent_timestamp,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SpentOutput:
        """Rebuild from :meth:`to_json`."""
        return cls(
            int(d["accountIndex"]),
            _unhex(d["outputId"]) or b"",
            int(d["amount"]),
            _unhex(d.get("spentTransactionId")),
            d.get("spentIndex"),
            d.get("spentTimestamp"),
        )


@dataclass(frozen=True, slots=True)
class TransactionInclusion:
    """A transaction the wallet sent reached a final (or new) ledger state."""

    __repr__ = hex_repr

    KIND: ClassVar[str] = "TransactionInclusion"
    account_index: int
    transaction_id: bytes
    state: str
    block_id: bytes | None = None
    inclusion_index: int | None = None
    conflict_reason: int | None = None

    @property
    def kind(self) -> str:
        """The event kind name."""
        return self.KIND

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object."""
        return {
            "accountIndex": self.account_index,
            "transactionId": _hex(self.transaction_id),
            "state": self.state,
            "blockId": _hex(self.block_id),
            "inclusionIndex": self.inclusion_index,
            "conflictReason": self.conflict_reason,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> TransactionInclusion:
        """Rebuild from :meth:`to_json`."""
        return cls(
            int(d["accountIndex"]),
            _unhex(d["transactionId"]) or b"",
            str(d["state"]),
            _unhex(d.get("blockId")),
            d.get("inclusionIndex"),
            d.get("conflictReason"),
        )


class ProgressStep(StrEnum):
    """The steps of sending a transaction, named as the official SDK's ``TransactionProgress`` events.

    Each is logged in the same database transaction as the state change it reports (where there is one):

    * ``SelectingInputs`` and ``PreparedTransaction``: inputs chosen and reserved, essence built
      (``essence_hash`` set; the transaction id is not known before signing).
    * ``SignedTransaction``: the signed payload is stored as pending (``transaction_id`` set).
    * ``PerformingPow``: the wallet is about to compute the block's proof of work itself.
    * ``Broadcasting``: the block id is stored and the block is about to be posted (``block_id`` set).
    * ``Reattaching``: the same payload is posted again in a new block (``block_id`` is the new block).
    """

    SELECTING_INPUTS = "SelectingInputs"
    PREPARED_TRANSACTION = "PreparedTransaction"
    SIGNED_TRANSACTION = "SignedTransaction"
    PERFORMING_POW = "PerformingPow"
    BROADCASTING = "Broadcasting"
    REATTACHING = "Reattaching"


@dataclass(frozen=True, slots=True)
class TransactionProgress:
    """A step of building and sending a transaction (see :class:`ProgressStep` for the steps).

    ``step`` is a :class:`ProgressStep` value (plain text in JSON); ``transaction_id`` is set from
    ``SignedTransaction`` on, ``essence_hash`` before, ``block_id`` for ``Broadcasting``/``Reattaching``.
    """

    __repr__ = hex_repr

    KIND: ClassVar[str] = "TransactionProgress"
    account_index: int
    step: str
    transaction_id: bytes | None = None
    detail: str | None = None
    block_id: bytes | None = None
    essence_hash: bytes | None = None

    @property
    def kind(self) -> str:
        """The event kind name."""
        return self.KIND

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object."""
        return {
            "accountIndex": self.account_index,
            "step": str(self.step),
            "transactionId": _hex(self.transaction_id),
            "detail": self.detail,
            "blockId": _hex(self.block_id),
            "essenceHash": _hex(self.essence_hash),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> TransactionProgress:
        """Rebuild from :meth:`to_json`."""
        return cls(
            int(d["accountIndex"]),
            str(d["step"]),
            _unhex(d.get("transactionId")),
            d.get("detail"),
            _unhex(d.get("blockId")),
            _unhex(d.get("essenceHash")),
        )


@dataclass(frozen=True, slots=True)
class BalanceChange:
    """The account's total base-coin balance changed (after a sync applied new or spent outputs)."""

    __repr__ = hex_repr

    KIND: ClassVar[str] = "BalanceChange"
    account_index: int
    before: int
    after: int

    @property
    def kind(self) -> str:
        """The event kind name."""
        return self.KIND

    @property
    def delta(self) -> int:
        """``after - before`` (negative when funds left)."""
        return self.after - self.before

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object."""
        return {"accountIndex": self.account_index, "before": str(self.before), "after": str(self.after)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> BalanceChange:
        """Rebuild from :meth:`to_json`."""
        return cls(int(d["accountIndex"]), int(d["before"]), int(d["after"]))


WalletEvent: TypeAlias = NewOutput | SpentOutput | TransactionInclusion | TransactionProgress | BalanceChange
"""Any wallet event."""

EVENT_TYPES: dict[str, type[WalletEvent]] = {
    cls.KIND: cls for cls in (NewOutput, SpentOutput, TransactionInclusion, TransactionProgress, BalanceChange)
}
"""Event classes by kind name."""


def event_from_json(kind: str, payload: dict[str, Any]) -> WalletEvent:
    """The event of ``kind`` stored as ``payload``."""
    cls = EVENT_TYPES.get(kind)
    if cls is None:
        raise WalletArgumentError(f"unknown wallet event kind {kind!r}; known: {sorted(EVENT_TYPES)}")
    try:
        return cls.from_json(payload)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise WalletArgumentError(f"a {kind} event in the log is malformed: {exc!r}") from exc
