"""API keys: ``thk_<key_id>_<secret>`` bearer tokens with scopes, stored as SHA-256 of the secret.

The full token is returned once by :func:`create_api_key` and never stored or logged; the database keeps the
public ``key_id``, a label, the scopes and the hex SHA-256 of the secret (256 random bits, so a slow password
hash adds nothing). :func:`authenticate` resolves a bearer token to an
:class:`~tanglehub.hub.api.deps.ApiPrincipal`, caching a verified key for at most ``CACHE_SECONDS`` so a
busy API does not read the table on every request; a revocation therefore takes effect within that time in
other processes (at once in the process that revoked it).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from tanglehub.errors import HubError
from tanglehub.hub.api.deps import SCOPES, ApiPrincipal
from tanglehub.hub.api.errors import Unauthorized
from tanglehub.hub.db import lock_writes, now_ms
from tanglehub.hub.models.api_key import ApiKey

if TYPE_CHECKING:
    from tanglehub.hub.context import HubContext

__all__ = [
    "CACHE_SECONDS",
    "ApiKeyInfo",
    "ApiKeyNotFound",
    "InvalidScope",
    "authenticate",
    "authenticate_cached",
    "create_api_key",
    "list_api_keys",
    "parse_scopes",
    "revoke_api_key",
]

CACHE_SECONDS = 2.0
TOKEN_PREFIX = "thk"  # noqa: S105 - the public token prefix, not a secret


class InvalidScope(HubError):
    """An API key was asked for with an unknown scope or with none."""

    code = "HUB_INVALID_SCOPE"
    http_status = 422


class ApiKeyNotFound(HubError):
    """No API key has this id."""

    code = "HUB_API_KEY_NOT_FOUND"
    http_status = 404


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    """A stored API key as listed (never with its secret)."""

    key_id: str
    name: str
    scopes: tuple[str, ...]
    created_at: int
    """Unix ms."""
    revoked_at: int | None


def parse_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """Validate and sort scope names (comma- or space-separated items accepted).

    Raises:
        InvalidScope: an unknown scope, or no scope at all.
    """
    items = sorted({s.strip() for raw in scopes for s in raw.replace(",", " ").split() if s.strip()})
    unknown = [s for s in items if s not in SCOPES]
    if unknown:
        raise InvalidScope(f"unknown scope {unknown[0]!r}; choose from {', '.join(SCOPES)}")
    if not items:
        raise InvalidScope(f"give at least one scope ({', '.join(SCOPES)})")
    return tuple(items)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(session: Session, name: str, scopes: Sequence[str]) -> tuple[str, ApiKeyInfo]:
    """Store a new key and commit; return ``(token, info)``. The token is shown to the caller once.

    Raises:
        InvalidScope: see :func:`parse_scopes`.
    """
    checked = parse_scopes(scopes)
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    lock_writes(session)
    row = ApiKey(
        key_id=key_id,
        name=name.strip()[:200] or "unnamed",
        scopes=" ".join(checked),
        secret_sha256=_digest(secret),
        created_at=now_ms(),
    )
    session.add(row)
    session.commit()
    return f"{TOKEN_PREFIX}_{key_id}_{secret}", _info(row)


def list_api_keys(session: Session, *, include_revoked: bool = True) -> list[ApiKeyInfo]:
    """Every key, oldest first (revoked ones too unless ``include_revoked`` is False)."""
    query = select(ApiKey).order_by(ApiKey.created_at, ApiKey.key_id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return [_info(row) for row in session.scalars(query)]


def revoke_api_key(session: Session, key_id: str) -> ApiKeyInfo:
    """Mark a key revoked (idempotent) and commit; it stops authenticating at once in this process.

    Raises:
        ApiKeyNotFound: no key has this id.
    """
    lock_writes(session)
    row = session.get(ApiKey, key_id)
    if row is None:
        session.rollback()
        raise ApiKeyNotFound(f"no API key with id {key_id!r}")
    if row.revoked_at is None:
        row.revoked_at = now_ms()
    session.commit()
    _CACHE.forget(key_id)
    return _info(row)


def _info(row: ApiKey) -> ApiKeyInfo:
    return ApiKeyInfo(
        key_id=row.key_id,
        name=row.name,
        scopes=tuple(row.scopes.split()),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class _Cache:
    """key_id -> (secret digest, principal, expiry), guarded by a lock (routes run in a threadpool)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[str, ApiPrincipal, float]] = {}

    def get(self, key_id: str) -> tuple[str, ApiPrincipal] | None:
        with self._lock:
            entry = self._entries.get(key_id)
        if entry is None or entry[2] < time.monotonic():
            return None
        return entry[0], entry[1]

    def put(self, key_id: str, digest: str, principal: ApiPrincipal) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key_id] = (digest, principal, time.monotonic() + CACHE_SECONDS)

    def forget(self, key_id: str) -> None:
        with self._lock:
            self._entries.pop(key_id, None)


_CACHE = _Cache()


def _split(token: str) -> tuple[str, str]:
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or not key_id or not secret or len(key_id) > 32:
        raise Unauthorized("malformed API key: expected thk_<id>_<secret>")
    return key_id, secret


def authenticate_cached(token: str | None) -> ApiPrincipal | None:
    """The principal of ``token`` if this process verified that key less than ``CACHE_SECONDS`` ago, else
    ``None`` (then call :func:`authenticate`). Never reads the database, so it may run on the event loop.

    Raises:
        Unauthorized: a malformed token, or a cached key whose secret does not match.
    """
    if not token:
        return None
    key_id, secret = _split(token.strip())
    cached = _CACHE.get(key_id)
    if cached is None:
        return None
    if hmac.compare_digest(cached[0], _digest(secret)):
        return cached[1]
    raise Unauthorized("unknown or revoked API key")


def authenticate(ctx: HubContext, token: str | None) -> ApiPrincipal:
    """Resolve a bearer token to the principal it stands for.

    Raises:
        Unauthorized: no token, a malformed one, an unknown key id, a wrong secret or a revoked key.
    """
    if not token:
        raise Unauthorized("this route needs an API key: send 'Authorization: Bearer thk_<id>_<secret>'")
    key_id, secret = _split(token.strip())
    digest = _digest(secret)
    cached = _CACHE.get(key_id)
    if cached is not None:
        if hmac.compare_digest(cached[0], digest):
            return cached[1]
        raise Unauthorized("unknown or revoked API key")
    with ctx.sessionmaker() as session:
        row = session.get(ApiKey, key_id)
        if row is None or row.revoked_at is not None or not hmac.compare_digest(row.secret_sha256, digest):
            raise Unauthorized("unknown or revoked API key")
        principal = ApiPrincipal(row.key_id, row.name, frozenset(row.scopes.split()))
    _CACHE.put(key_id, digest, principal)
    return principal
