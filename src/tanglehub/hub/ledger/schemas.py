"""API models of the ledger domain: balances, history, stats and reconciliation (amounts as decimal strings)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

__all__ = [
    "ApiModel",
    "BalancePublic",
    "Difference",
    "HistoryItem",
    "HistoryPage",
    "ReconciliationReport",
    "StatsPublic",
]


class ApiModel(BaseModel):
    """Base of the hub's API models: camelCase JSON names (the node API's style), snake_case in Python."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)


class BalancePublic(ApiModel):
    """A user's balance in base units: ``available`` can be moved or (part 2) withdrawn; ``locked`` is in
    timelocked deposits not yet credited."""

    user_id: str
    available: str
    locked: str


class HistoryItem(ApiModel):
    """One booked change of a user's balance: ``kind`` is ``deposit`` or ``transfer``; ``reference`` the output
    id or the transfer's idempotency key; ``amount`` signed, base units; ``createdAt`` Unix ms."""

    id: int
    kind: str
    reference: str
    amount: str
    created_at: int


class HistoryPage(ApiModel):
    """A page of history, oldest first; pass ``nextCursor`` as ``after`` for the next page (null at the end)."""

    items: list[HistoryItem]
    next_cursor: int | None


class StatsPublic(ApiModel):
    """Counts and totals of the hub (amounts base units as decimal strings)."""

    users: int
    addresses_assigned: int
    addresses_ready: int
    deposits_by_class: dict[str, int]
    credited_total: str
    user_balances_total: str
    scanner_next_milestone: int | None
    last_event_seq: int
    part2: dict[str, str] = {}
    """Part 2 totals (base units, decimal strings): ``withdrawalsPending``, ``withdrawalsPaid``, ``hot``,
    ``coldSent``, ``sweptOutputs`` (count), ``recovered`` (see ``GET /v1/treasury`` for the details)."""


class Difference(ApiModel):
    """One disagreement found by reconciliation: ``kind`` names it, ``detail`` explains, ids/amounts locate it."""

    kind: str
    detail: str
    output_id: str | None = None
    address: str | None = None
    account: str | None = None
    expected: str | None = None
    actual: str | None = None


class ReconciliationReport(ApiModel):
    """The books against themselves and against the node's ledger; ``ok`` when ``differences`` is empty."""

    ok: bool
    scanned_up_to: int | None
    addresses_checked: int
    node_outputs: int
    node_total: str
    books_total: str
    pending: int
    differences: list[Difference]
