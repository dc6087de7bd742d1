"""Helpers for the hub tests: run services in a session, read what the hub recorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select

from tanglehub.hub.addresses.service import assign_address
from tanglehub.hub.context import HubContext
from tanglehub.hub.events.repository import EventRow, list_events
from tanglehub.hub.ledger import repository as ledger
from tanglehub.hub.models.deposit import Deposit
from tanglehub.hub.users.service import create_user, get_user
from tanglehub.hub.workers.scanner import ScanProgress, scan_once
from tanglehub.protocol.address import Ed25519Address, address_from_bech32

T = TypeVar("T")


def in_session(ctx: HubContext, fn: Callable[..., T], *args: object) -> T:
    """``fn(session, *args)`` in a fresh session."""
    with ctx.sessionmaker() as session:
        return fn(session, *args)


def new_user_address(ctx: HubContext, user_id: str) -> Ed25519Address:
    """Create ``user_id`` and assign it an address; returns the address."""
    with ctx.sessionmaker() as session:
        user, _ = create_user(session, user_id)
        row = assign_address(session, user)
        parsed = address_from_bech32(row.bech32, ctx.settings.bech32_hrp)
        assert isinstance(parsed, Ed25519Address)
        return parsed


def balance(ctx: HubContext, user_id: str) -> int:
    """The user's available balance."""
    with ctx.sessionmaker() as session:
        return ledger.balance_of(session, ledger.user_account(get_user(session, user_id).id))


def deposits(ctx: HubContext) -> dict[str, Deposit]:
    """Every recorded deposit by output id."""
    with ctx.sessionmaker() as session:
        return {d.output_id: d for d in session.scalars(select(Deposit))}


def events(ctx: HubContext, kinds: list[str] | None = None) -> list[EventRow]:
    """The whole event log (or only ``kinds``)."""
    with ctx.sessionmaker() as session:
        return list_events(session, 0, 1_000_000, kinds)


async def scan_all(ctx: HubContext) -> ScanProgress:
    """Scan until the cursor reaches the node's confirmed milestone (minus the depth); returns the last round."""
    while True:
        progress = await scan_once(ctx)
        if progress.milestones == 0:
            return progress
