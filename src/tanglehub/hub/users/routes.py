"""``/v1/users`` routes (thin: parse, call the service, map to schemas)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from tanglehub.hub.addresses import repository as addresses
from tanglehub.hub.api.deps import SessionDep, require_scope
from tanglehub.hub.users import service
from tanglehub.hub.users.schemas import USER_ID_PATTERN, UserCreate, UserPage, UserPublic

__all__ = ["UserIdPath", "router"]

router = APIRouter(tags=["users"])


@router.post(
    "/v1/users",
    dependencies=[Depends(require_scope("deposit"))],
    responses={200: {"description": "The user existed already (idempotent)"}},
    status_code=201,
)
def create_user(body: UserCreate, session: SessionDep, response: Response) -> UserPublic:
    """Create a user with the exchange's own id; creating the same id again returns the same user (200)."""
    user, created = service.create_user(session, body.user_id)
    if not created:
        response.status_code = 200
    current = addresses.current_of(session, [user.id]).get(user.id)
    return UserPublic(user_id=user.external_id, created_at=user.created_at, deposit_address=current)


@router.get("/v1/users", dependencies=[Depends(require_scope("read"))])
def list_users(
    session: SessionDep,
    cursor: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> UserPage:
    """Users, oldest first, ``limit`` per page; follow ``nextCursor``."""
    rows, next_cursor = service.list_users(session, cursor, limit)
    current = addresses.current_of(session, [u.id for u in rows])
    items = [
        UserPublic(user_id=u.external_id, created_at=u.created_at, deposit_address=current.get(u.id)) for u in rows
    ]
    return UserPage(items=items, next_cursor=next_cursor)


UserIdPath = Annotated[
    str, Path(alias="userId", max_length=128, pattern=USER_ID_PATTERN, description="The exchange's user id")
]
"""The ``{userId}`` path parameter."""


@router.get("/v1/users/{userId}", dependencies=[Depends(require_scope("read"))])
def get_user(user_id: UserIdPath, session: SessionDep) -> UserPublic:
    """One user and its current deposit address."""
    user = service.get_user(session, user_id)
    current = addresses.current_of(session, [user.id]).get(user.id)
    return UserPublic(user_id=user.external_id, created_at=user.created_at, deposit_address=current)
