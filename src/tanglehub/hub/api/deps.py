"""Request dependencies shared by every hub router: the context, a database session, API-key scopes.

The contract every ``routes.py`` uses::

    from tanglehub.hub.api.deps import ContextDep, SessionDep, require_scope

    @router.post("/v1/users", dependencies=[Depends(require_scope("deposit"))])
    def create_user(body: UserCreate, session: SessionDep, ctx: ContextDep) -> UserPublic: ...

* :data:`ContextDep` is the process's :class:`~tanglehub.hub.context.HubContext` (settings, engine,
  sessionmaker, node pool, address source, clock), stored on ``app.state.hub`` by
  :func:`tanglehub.hub.api.app.create_app`.
* :data:`SessionDep` is a fresh synchronous SQLAlchemy ``Session`` per request from ``ctx.sessionmaker``.
  The service commits it (``session.commit()``) when its change is complete; whatever is still uncommitted
  when the request ends (an exception, a read-only route) is rolled back, and the session is closed.
* :func:`require_scope` checks ``Authorization: Bearer thk_<id>_<secret>`` against the stored, hashed API
  keys and the key's scopes. Scopes: ``read`` (every GET of domain data), ``deposit`` (user and address
  creation), ``transfer`` (internal transfers), ``withdraw`` (part 2), ``admin`` (webhooks, API keys,
  reconciliation); ``admin`` satisfies every scope. Missing/unknown/revoked key -> 401
  :class:`~tanglehub.hub.api.errors.Unauthorized`; valid key without the scope -> 403
  :class:`~tanglehub.hub.api.errors.Forbidden`, both rendered as problem+json.

Routes are sync ``def`` functions (FastAPI runs them in its threadpool); they never touch SQL themselves.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

if TYPE_CHECKING:
    from tanglehub.hub.context import HubContext

__all__ = [
    "SCOPES",
    "ApiPrincipal",
    "ContextDep",
    "Scope",
    "SessionDep",
    "get_context",
    "get_session",
    "require_scope",
]

Scope = Literal["read", "deposit", "transfer", "withdraw", "admin"]
"""An API key scope; ``admin`` implies all the others."""

SCOPES: tuple[Scope, ...] = get_args(Scope)

log = logging.getLogger("tanglehub.hub.api")

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer thk_<id>_<secret>`.")


async def get_context(request: Request) -> HubContext:
    """The :class:`~tanglehub.hub.context.HubContext` the app was built around (``app.state.hub``).

    ``async`` although it awaits nothing: FastAPI runs a plain ``def`` dependency in its threadpool, which
    would cost every route a thread hop just to read an attribute."""
    ctx: HubContext = request.app.state.hub
    return ctx


ContextDep = Annotated["HubContext", Depends(get_context)]
"""The running hub's context, injected into a route parameter."""


def _end_session(session: Session) -> None:
    """Roll back what is uncommitted and close. A connection the database dropped meanwhile (after the answer
    was sent, or while the request failed with 503) has nothing left to roll back: that failure is logged in
    one line, not raised (it would be logged as an unhandled error of a request that succeeded)."""
    try:
        session.rollback()
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as exc:
        log.info("a request's session ended on a dropped database connection (%s)", type(exc).__name__)
    finally:
        try:
            session.close()
        except (sa_exc.OperationalError, sa_exc.InterfaceError):
            log.info("a request's session closed on a dropped database connection")


async def get_session(request: Request) -> AsyncIterator[Session]:
    """Yield one ``Session`` for the request; roll back what the service did not commit, then close it.

    Making the session touches no database (it connects at its first query, in the route's thread), so it is
    made on the event loop; the rollback and close (which may talk to the database) run in the threadpool.
    """
    ctx: HubContext = request.app.state.hub
    session: Session = ctx.sessionmaker()
    try:
        yield session
    finally:
        await run_in_threadpool(_end_session, session)


SessionDep = Annotated[Session, Depends(get_session)]
"""A per-request synchronous database session (the service commits; the rest is rolled back)."""


class ApiPrincipal:
    """The authenticated caller: the API key's public id, its label and its scopes."""

    __slots__ = ("key_id", "name", "scopes")

    def __init__(self, key_id: str, name: str, scopes: frozenset[str]) -> None:
        self.key_id = key_id
        self.name = name
        self.scopes = scopes

    def allows(self, scope: str) -> bool:
        """True if the key holds ``scope`` or ``admin``."""
        return "admin" in self.scopes or scope in self.scopes

    def __repr__(self) -> str:
        return f"ApiPrincipal(key_id={self.key_id!r}, name={self.name!r}, scopes={sorted(self.scopes)!r})"


def require_scope(scope: Scope) -> Callable[..., Any]:
    """A dependency that admits only requests whose API key holds ``scope`` (or ``admin``).

    Use it in ``dependencies=[Depends(require_scope("read"))]`` or as a parameter
    (``principal: Annotated[ApiPrincipal, Depends(require_scope("admin"))]``) to learn the caller.

    Raises:
        Unauthorized: no bearer token, a malformed one, or an unknown/revoked key (401).
        Forbidden: the key lacks the scope (403).
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown API scope {scope!r}; expected one of {', '.join(SCOPES)}")

    async def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> ApiPrincipal:
        from tanglehub.hub.api.auth import authenticate, authenticate_cached  # noqa: PLC0415 - importable alone
        from tanglehub.hub.api.errors import Forbidden  # noqa: PLC0415

        # a key verified in the last seconds is checked on the event loop (no thread hop, no database);
        # otherwise the table is read in the threadpool
        token = credentials.credentials if credentials else None
        principal = authenticate_cached(token)
        if principal is None:
            principal = await run_in_threadpool(authenticate, request.app.state.hub, token)
        if not principal.allows(scope):
            raise Forbidden(f"this API key lacks the {scope!r} scope needed here")
        request.state.principal = principal
        return principal

    dependency.__name__ = f"require_scope_{scope}"
    return dependency
