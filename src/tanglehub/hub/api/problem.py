"""RFC 9457 problem details: every error the API returns is ``application/problem+json``.

The body is ``{"type", "title", "status", "detail", "code"}`` (plus ``errors`` with field paths for request
validation failures). ``code`` is the stable machine code of the :class:`~tanglehub.errors.TanglehubError`
raised, so clients match on it rather than on the prose. Stack traces never leave the process: an unexpected
exception is logged here and answered with a generic 500 whose detail names no internals.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from tanglehub.errors import TanglehubError
from tanglehub.hub.api.errors import (
    ApiInternalError,
    ApiNotFound,
    DatabaseUnavailable,
    MethodNotAllowed,
    RequestInvalid,
    Unauthorized,
)

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_RESPONSES",
    "ProblemResponse",
    "install_problem_handlers",
    "problem_body",
]

log = logging.getLogger("tanglehub.hub.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:tanglehub:problem:"


class ProblemResponse(JSONResponse):
    """A JSON response with the ``application/problem+json`` media type."""

    media_type = PROBLEM_MEDIA_TYPE


def problem_body(status: int, code: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """The problem+json object for one error (``type`` is ``urn:tanglehub:problem:<code>``)."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update(extra)
    return body


def _title(cls: type[TanglehubError]) -> str:
    """A short title from the error class's docstring: its first sentence up to any colon or parenthesis,
    without RST markup (``double back-quotes``)."""
    paragraph = " ".join((cls.__doc__ or cls.__name__).strip().split("\n\n")[0].split())
    title = re.split(r"\. |: | \(", paragraph, maxsplit=1)[0]
    return title.replace("``", "").rstrip(".").strip() or cls.__name__


def _from_error(exc: TanglehubError) -> ProblemResponse:
    status = int(getattr(exc, "http_status", 500) or 500)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    if status >= 500:
        log.warning("request failed with %s: %s", exc.code, exc)
    return ProblemResponse(problem_body(status, exc.code, _title(type(exc)), str(exc)), status, headers=headers)


async def _on_tanglehub_error(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, TanglehubError)
    return _from_error(exc)


def _location(loc: tuple[int | str, ...] | list[int | str]) -> str:
    return "/".join(str(part) for part in loc)


async def _on_validation_error(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"location": "body", "message": "the request body is not valid JSON"}
        if err.get("type") == "json_invalid"
        else {"location": _location(err.get("loc", ())), "message": str(err.get("msg", "invalid value"))}
        for err in exc.errors()
    ]
    first = errors[0] if errors else {"location": "request", "message": "invalid"}
    detail = f"{first['location']}: {first['message']}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more)"
    body = problem_body(422, RequestInvalid.code, "The request is not valid", detail, errors=errors)
    return ProblemResponse(body, 422)


async def _on_http_exception(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return _from_error(ApiNotFound("no such route; see /docs for the API"))
    if exc.status_code == 405:
        response = _from_error(MethodNotAllowed("this route does not accept that HTTP method"))
        if exc.headers and "allow" in {k.lower() for k in exc.headers}:
            response.headers.update(exc.headers)
        return response
    code = f"HTTP_{exc.status_code}"
    body = problem_body(exc.status_code, code, "HTTP error", str(exc.detail))
    return ProblemResponse(body, exc.status_code, headers=exc.headers)


RETRY_AFTER_SECONDS = 1
"""``Retry-After`` of a 503 answered because the database was unreachable."""


def _database_errors() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    """(errors meaning the database is unavailable, errors meaning it refused a value), for SQLAlchemy and, when
    installed, psycopg (the API's PostgreSQL reads use it directly)."""
    unavailable: tuple[type[Exception], ...] = (
        sa_exc.OperationalError,
        sa_exc.InterfaceError,
        sa_exc.TimeoutError,
    )
    refused: tuple[type[Exception], ...] = (sa_exc.DataError,)
    try:
        import psycopg  # noqa: PLC0415 - only installed for PostgreSQL
    except ImportError:  # pragma: no cover - SQLite-only installs
        return unavailable, refused
    return (*unavailable, psycopg.OperationalError, psycopg.InterfaceError), (*refused, psycopg.DataError)


UNAVAILABLE_ERRORS, REFUSED_VALUE_ERRORS = _database_errors()


async def _on_database_error(_request: Request, exc: Exception) -> ProblemResponse:
    """A database failure a client can act on (handled here, so it is neither a 500 nor a logged traceback).

    * A value the database cannot store (PostgreSQL text cannot hold a NUL character): 422
      :class:`~tanglehub.hub.api.errors.RequestInvalid`. The request's fields are validated before; this is
      the net under any field that was missed.
    * The database unreachable, a connection cut, a pool or lock wait timed out: 503
      :class:`~tanglehub.hub.api.errors.DatabaseUnavailable` with ``Retry-After``.
    """
    if isinstance(exc, REFUSED_VALUE_ERRORS):
        log.warning("a request carried a value the database refused: %s", type(exc).__name__)
        detail = "a value in the request cannot be stored (text must not contain NUL characters)"
        return ProblemResponse(problem_body(422, RequestInvalid.code, "The request is not valid", detail), 422)
    first_line = (str(exc).splitlines() or [""])[0][:200]
    log.warning("the database is unavailable: %s: %s", type(exc).__name__, first_line)
    detail = f"the hub's database is unavailable; retry in {RETRY_AFTER_SECONDS} s"
    body = problem_body(503, DatabaseUnavailable.code, _title(DatabaseUnavailable), detail)
    return ProblemResponse(body, 503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


async def _on_unexpected(_request: Request, exc: Exception) -> ProblemResponse:
    log.exception("unhandled error in a hub API request", exc_info=exc)
    body = problem_body(500, ApiInternalError.code, "Internal error", "the hub could not handle this request")
    return ProblemResponse(body, 500)


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``: TanglehubError, request validation, HTTP 4xx, database failures
    (503 / 422), and anything else (500)."""
    app.add_exception_handler(TanglehubError, _on_tanglehub_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    for database_error in UNAVAILABLE_ERRORS + REFUSED_VALUE_ERRORS:
        app.add_exception_handler(database_error, _on_database_error)
    app.add_exception_handler(Exception, _on_unexpected)


_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
    },
}

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_SCHEMA}}}
    for status, text in (
        (401, "Missing, unknown or revoked API key"),
        (403, "The API key lacks the scope"),
        (404, "What the request names does not exist (a user, deposit, withdrawal, webhook...)"),
        (422, "The request is not valid"),
        (503, "The hub's database is unavailable; retry after Retry-After seconds"),
    )
}
"""OpenAPI ``responses`` entries documenting the problem+json errors every protected route can return (every
domain router is mounted with them)."""
