"""Deposit-address routes: a user's addresses (list, new one) and address -> user lookup."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from tanglehub.hub.addresses import repository, service
from tanglehub.hub.addresses.schemas import AddressList, AddressPublic
from tanglehub.hub.api.deps import ContextDep, SessionDep, require_scope
from tanglehub.hub.models.address import DepositAddress
from tanglehub.hub.users.routes import UserIdPath
from tanglehub.hub.users.service import get_user

__all__ = ["router"]

router = APIRouter(tags=["addresses"])


def _public(row: DepositAddress, user_id: str | None, current: bool) -> AddressPublic:
    return AddressPublic(
        address=row.bech32, index=row.address_index, user_id=user_id, assigned_at=row.assigned_at, current=current
    )


@router.post(
    "/v1/users/{userId}/deposit-addresses", dependencies=[Depends(require_scope("deposit"))], status_code=201
)
def new_deposit_address(user_id: UserIdPath, session: SessionDep) -> AddressPublic:
    """Assign a new deposit address to the user (it becomes the current one); 503 while the pool refills."""
    user = get_user(session, user_id)
    row = service.assign_address(session, user)
    return _public(row, user.external_id, True)


@router.get("/v1/users/{userId}/deposit-addresses", dependencies=[Depends(require_scope("read"))])
def list_deposit_addresses(user_id: UserIdPath, session: SessionDep) -> AddressList:
    """The user's deposit addresses, current first (empty until one is requested)."""
    user = get_user(session, user_id)
    rows = service.user_addresses(session, user)
    return AddressList(items=[_public(r, user.external_id, i == 0) for i, r in enumerate(rows)])


@router.get("/v1/addresses/{address}", dependencies=[Depends(require_scope("read"))])
def lookup_address(
    address: Annotated[str, Path(max_length=100, description="A bech32 address")],
    session: SessionDep,
    ctx: ContextDep,
) -> AddressPublic:
    """Which user a deposit address belongs to."""
    row, user_id = service.lookup_address(session, address, ctx.settings.bech32_hrp)
    current = (
        row.user_id is not None and repository.current_of(session, [row.user_id]).get(row.user_id) == row.bech32
    )
    return _public(row, user_id, current)
