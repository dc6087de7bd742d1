"""The hub's domain errors, each with a stable ``code`` and the HTTP status the API renders it with.

All derive from :class:`tanglehub.errors.HubError`; the API layer renders them as RFC 9457 problem+json in one
exception handler (``tanglehub.hub.api.problem``); the CLI prints their message on one line. Messages never
hold secrets. The API's own errors (401, 403, ...) live in ``tanglehub.hub.api.errors``.
"""

from __future__ import annotations

from tanglehub.errors import HubError

__all__ = [
    "AddressPoolEmpty",
    "DepositNotFound",
    "HubArgumentError",
    "HubError",
    "HubInUse",
    "HubKeysMismatch",
    "HubNetworkMismatch",
    "IdempotencyConflict",
    "InsufficientBalance",
    "InvalidTransfer",
    "UnknownAddress",
    "UserNotFound",
]


class UserNotFound(HubError):
    """No user has the given id (404)."""

    code = "HUB_USER_NOT_FOUND"
    http_status = 404


class UnknownAddress(HubError):
    """The address is not one of the hub's deposit addresses (404)."""

    code = "HUB_UNKNOWN_ADDRESS"
    http_status = 404


class DepositNotFound(HubError):
    """No deposit has the given output id (404)."""

    code = "HUB_DEPOSIT_NOT_FOUND"
    http_status = 404


class InsufficientBalance(HubError):
    """A transfer would take a user's available balance below zero (409)."""

    code = "HUB_INSUFFICIENT_BALANCE"
    http_status = 409


class IdempotencyConflict(HubError):
    """An idempotency key was used before with a different request body (409)."""

    code = "HUB_IDEMPOTENCY_CONFLICT"
    http_status = 409


class InvalidTransfer(HubError):
    """A transfer batch breaks a rule: empty, a zero amount, a repeated user, or legs not summing to zero (422)."""

    code = "HUB_INVALID_TRANSFER"
    http_status = 422


class HubArgumentError(HubError):
    """A request argument is malformed (a bad output id, address, cursor or limit) (422)."""

    code = "HUB_ARGUMENT_ERROR"
    http_status = 422


class AddressPoolEmpty(HubError):
    """No pre-derived deposit address is ready; the background refill is behind (503, retry shortly)."""

    code = "HUB_ADDRESS_POOL_EMPTY"
    http_status = 503


class HubNetworkMismatch(HubError):
    """The node serves another network (or bech32 HRP) than the hub is configured for."""

    code = "HUB_NETWORK_MISMATCH"
    http_status = 500


class HubInUse(HubError):
    """Another hub process already uses this SQLite database (one process per SQLite hub)."""

    code = "HUB_IN_USE"
    http_status = 500


class HubKeysMismatch(HubError):
    """The hub's signer (vault or signing server) does not hold the keys of the database's deposit addresses:
    the data directory's vault and the database were made by different ``hub init`` runs."""

    code = "HUB_KEYS_MISMATCH"
    http_status = 500
