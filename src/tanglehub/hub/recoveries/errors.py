"""Recovery errors, each with a stable ``code`` and the HTTP status the API renders it with (problem+json).

An unknown deposit reuses :class:`tanglehub.hub.errors.DepositNotFound` (404).
"""

from __future__ import annotations

from tanglehub.errors import HubError

__all__ = ["RecoveryAddressInvalid", "RecoveryConflict", "RecoveryNotFound", "RecoveryNotPossible"]


class RecoveryNotFound(HubError):
    """No recovery has the given id (404)."""

    code = "HUB_RECOVERY_NOT_FOUND"
    http_status = 404


class RecoveryNotPossible(HubError):
    """The deposit cannot be recovered: it was credited, spent, is an alias/foundry output, still timelocked or
    about to expire, or has no known sender and no address was given (409; the message says which)."""

    code = "HUB_RECOVERY_NOT_POSSIBLE"
    http_status = 409


class RecoveryConflict(HubError):
    """A recovery of this deposit is already pending or done with another destination (409)."""

    code = "HUB_RECOVERY_CONFLICT"
    http_status = 409


class RecoveryAddressInvalid(HubError):
    """The destination is not an address of the hub's network; the message names the network it belongs to
    when it can (422)."""

    code = "HUB_RECOVERY_ADDRESS_INVALID"
    http_status = 422
