"""The API's own errors (authentication and authorization), on :class:`tanglehub.errors.HubError`.

Domain errors live in :mod:`tanglehub.hub.errors`; these are raised only by the API layer's dependencies and
rendered, like every :class:`~tanglehub.errors.TanglehubError`, as RFC 9457 problem+json by
:mod:`tanglehub.hub.api.problem`.
"""

from __future__ import annotations

from tanglehub.errors import HubError

__all__ = [
    "ApiInternalError",
    "ApiNotFound",
    "DatabaseUnavailable",
    "Forbidden",
    "MethodNotAllowed",
    "RequestInvalid",
    "Unauthorized",
]


class Unauthorized(HubError):
    """The request carries no API key, a malformed one, or one that is unknown or revoked (HTTP 401).

    Send ``Authorization: Bearer thk_<id>_<secret>`` with a key made by ``tanglehub hub apikey create``.
    """

    code = "HUB_UNAUTHORIZED"
    http_status = 401


class Forbidden(HubError):
    """The API key is valid but lacks the scope the route needs (HTTP 403); ``admin`` satisfies every scope."""

    code = "HUB_FORBIDDEN"
    http_status = 403


class ApiNotFound(HubError):
    """No route matches the request's path (HTTP 404)."""

    code = "HUB_ROUTE_NOT_FOUND"
    http_status = 404


class MethodNotAllowed(HubError):
    """The path exists but not with this HTTP method (HTTP 405)."""

    code = "HUB_METHOD_NOT_ALLOWED"
    http_status = 405


class RequestInvalid(HubError):
    """The request does not match the API's schema: a missing or malformed field, parameter or body (HTTP 422).

    The problem+json body lists each failure under ``errors`` as ``{"location": "body/url", "message": ...}``.
    """

    code = "HUB_REQUEST_INVALID"
    http_status = 422


class ApiInternalError(HubError):
    """The hub failed unexpectedly while handling the request (HTTP 500); details are in the hub's log only."""

    code = "HUB_INTERNAL_ERROR"
    http_status = 500


class DatabaseUnavailable(HubError):
    """The hub's database could not be reached or answered in time (HTTP 503, with ``Retry-After``).

    Nothing was changed by the request, or a change's outcome is unknown: retry it (transfers and withdrawals
    with the same idempotency key, so a change that did commit is returned, never applied twice).
    """

    code = "HUB_DATABASE_UNAVAILABLE"
    http_status = 503
