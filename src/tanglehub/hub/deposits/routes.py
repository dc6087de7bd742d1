"""``/v1/deposits`` routes."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from tanglehub.hub.api.deps import SessionDep, require_scope
from tanglehub.hub.deposits import service
from tanglehub.hub.deposits.schemas import (
    DepositClass,
    DepositPage,
    DepositPublic,
    DepositStatus,
    NativeTokenAmount,
)
from tanglehub.hub.models.address import DepositAddress
from tanglehub.hub.models.deposit import Deposit
from tanglehub.hub.models.user import User
from tanglehub.hub.users.schemas import USER_ID_PATTERN
from tanglehub.hub.users.service import get_user

__all__ = ["router", "to_public"]

router = APIRouter(tags=["deposits"])


def to_public(session: Session, row: Deposit) -> DepositPublic:
    """The API shape of a deposit row."""
    address = session.get(DepositAddress, row.address_index)
    user = session.get(User, row.user_id) if row.user_id is not None else None
    tokens = [NativeTokenAmount(**t) for t in json.loads(row.native_tokens)] if row.native_tokens else []
    return DepositPublic(
        output_id=row.output_id,
        user_id=user.external_id if user else None,
        address=address.bech32 if address else "",
        amount=str(row.amount),
        credited_amount=str(row.credited_amount),
        deposit_class=row.deposit_class,
        status=row.status,
        reason=row.reason,
        output_type=row.output_type,
        milestone_index=row.milestone_index,
        milestone_timestamp=row.milestone_timestamp,
        unlock_at=row.unlock_at,
        sender=row.sender,
        tag=row.tag,
        metadata=row.metadata_hex,
        native_tokens=tokens,
        credited_at=row.credited_at,
    )


@router.get("/v1/deposits", dependencies=[Depends(require_scope("read"))])
def list_deposits(  # noqa: PLR0917 - FastAPI query parameters
    session: SessionDep,
    user_id: Annotated[str | None, Query(alias="userId", max_length=128, pattern=USER_ID_PATTERN)] = None,
    deposit_class: Annotated[DepositClass | None, Query(alias="class")] = None,
    status: Annotated[DepositStatus | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> DepositPage:
    """Deposits in confirmation order, optionally of one user, class or status."""
    uid = get_user(session, user_id).id if user_id is not None else None
    rows, next_cursor = service.list_deposits(
        session, user_id=uid, deposit_class=deposit_class, status=status, cursor=cursor, limit=limit
    )
    return DepositPage(items=[to_public(session, r) for r in rows], next_cursor=next_cursor)


@router.get("/v1/deposits/{outputId}", dependencies=[Depends(require_scope("read"))])
def get_deposit(
    output_id: Annotated[str, Path(alias="outputId", max_length=80)], session: SessionDep
) -> DepositPublic:
    """One deposit by its output id (0x + 68 hex digits)."""
    return to_public(session, service.get_deposit(session, output_id))
