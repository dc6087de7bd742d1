"""Withdrawal errors, each with a stable ``code`` and the HTTP status the API renders it with (problem+json).

Balance and idempotency refusals reuse :class:`tanglehub.hub.errors.InsufficientBalance` and
:class:`tanglehub.hub.errors.IdempotencyConflict`.
"""

from __future__ import annotations

from tanglehub.errors import HubError

__all__ = [
    "WithdrawalAddressInvalid",
    "WithdrawalAmountInvalid",
    "WithdrawalBelowMinimum",
    "WithdrawalNotFound",
    "WithdrawalStateConflict",
    "WithdrawalWrongNetwork",
]


class WithdrawalNotFound(HubError):
    """No withdrawal has the given id (404)."""

    code = "HUB_WITHDRAWAL_NOT_FOUND"
    http_status = 404


class WithdrawalAddressInvalid(HubError):
    """The destination is not a bech32 address the hub can pay (422)."""

    code = "HUB_WITHDRAWAL_ADDRESS_INVALID"
    http_status = 422


class WithdrawalWrongNetwork(HubError):
    """The destination is an address of another network; the message names that network (422)."""

    code = "HUB_WITHDRAWAL_WRONG_NETWORK"
    http_status = 422


class WithdrawalAmountInvalid(HubError):
    """The amount is not a positive integer string of the smallest unit (422)."""

    code = "HUB_WITHDRAWAL_AMOUNT_INVALID"
    http_status = 422


class WithdrawalBelowMinimum(HubError):
    """The amount is below the storage deposit of a Basic output to that address; the message names it (422)."""

    code = "HUB_WITHDRAWAL_BELOW_MINIMUM"
    http_status = 422


class WithdrawalStateConflict(HubError):
    """The withdrawal is not in a state that allows the action (for example cancel after signing) (409)."""

    code = "HUB_WITHDRAWAL_STATE_CONFLICT"
    http_status = 409
