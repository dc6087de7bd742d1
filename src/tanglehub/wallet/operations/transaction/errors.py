"""Errors of sending and tracking: why a transaction cannot be built, signed, submitted or followed.

Every class derives from :class:`tanglehub.errors.WalletError`::

    WalletError                              WALLET_ERROR
    +-- InsufficientFundsError               WALLET_INSUFFICIENT_FUNDS
    +-- InsufficientNativeTokensError        WALLET_INSUFFICIENT_NATIVE_TOKENS
    +-- TooManyInputsError                   WALLET_TOO_MANY_INPUTS
    +-- InputSelectionError                  WALLET_INPUT_SELECTION
    +-- AmountBelowStorageDepositError       WALLET_AMOUNT_BELOW_STORAGE_DEPOSIT
    +-- TransactionOptionsError              WALLET_TRANSACTION_OPTIONS
    +-- InputNotUsableError                  WALLET_INPUT_NOT_USABLE
    +-- TransactionRejectedError             WALLET_TRANSACTION_REJECTED
    +-- TransactionNotFoundError             WALLET_TRANSACTION_NOT_FOUND
    +-- TransactionNotIncludedError          WALLET_TRANSACTION_NOT_INCLUDED

Messages never contain secrets; amounts are in the smallest unit.
"""

from __future__ import annotations

from collections.abc import Mapping

from tanglehub.errors import WalletError
from tanglehub.protocol.semantic import ConflictReason

__all__ = [
    "AmountBelowStorageDepositError",
    "InputNotUsableError",
    "InputSelectionError",
    "InsufficientFundsError",
    "InsufficientNativeTokensError",
    "TooManyInputsError",
    "TransactionNotFoundError",
    "TransactionNotIncludedError",
    "TransactionOptionsError",
    "TransactionRejectedError",
]


def _pending_text(pending: Mapping[bytes, int]) -> str:
    if not pending:
        return ""
    held = sum(pending.values())
    each = ", ".join(f"0x{tx_id.hex()} holds {amount}" for tx_id, amount in sorted(pending.items()))
    return (
        f"; {held} more is held by {len(pending)} pending transaction(s) until they confirm or conflict ({each})"
    )


class InsufficientFundsError(WalletError):
    """The spendable outputs hold less than the transaction needs (``missing`` more is needed).

    ``pending`` maps each unfinished transaction of the account (its id; the essence hash while it is
    still being signed) to the base tokens its reserved inputs hold; the message names them.
    """

    code = "WALLET_INSUFFICIENT_FUNDS"
    http_status = 409

    def __init__(
        self, required: int, available: int, detail: str = "", pending: Mapping[bytes, int] | None = None
    ) -> None:
        self.required = required
        self.available = available
        self.detail = detail
        self.missing = max(0, required - available)
        self.pending = dict(pending or {})
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"insufficient funds: the transaction needs {required}{extra} but only {available} is spendable; "
            f"{self.missing} more is needed{_pending_text(self.pending)}"
        )


class InsufficientNativeTokensError(WalletError):
    """The spendable outputs hold fewer of a native token than the transaction sends."""

    code = "WALLET_INSUFFICIENT_NATIVE_TOKENS"
    http_status = 409

    def __init__(self, token_id: bytes, required: int, available: int) -> None:
        self.token_id = token_id
        self.required = required
        self.available = available
        self.missing = max(0, required - available)
        super().__init__(
            f"insufficient native token 0x{token_id.hex()}: the transaction needs {required} but only "
            f"{available} is spendable; {self.missing} more is needed"
        )


class TooManyInputsError(WalletError):
    """Paying would need more inputs than one transaction may consume (128)."""

    code = "WALLET_TOO_MANY_INPUTS"
    http_status = 409

    def __init__(self, needed_more_than: int, limit: int) -> None:
        self.limit = limit
        super().__init__(
            f"paying this needs more than {needed_more_than} inputs, but a transaction consumes at most "
            f"{limit}; consolidate the account's small outputs first (consolidate_outputs) or send less"
        )


class AmountBelowStorageDepositError(WalletError):
    """An output would hold less than its storage deposit and micro amounts were not allowed."""

    code = "WALLET_AMOUNT_BELOW_STORAGE_DEPOSIT"
    http_status = 400

    def __init__(self, amount: int, minimum: int) -> None:
        self.amount = amount
        self.minimum = minimum
        super().__init__(
            f"amount {amount} is below the minimum storage deposit {minimum} of the output; send at least "
            f"{minimum}, or allow micro amounts (allow_micro_amount=True) to send it with a storage deposit "
            "return condition and an expiration"
        )


class TransactionOptionsError(WalletError):
    """The transaction options (or outputs) given to a send contradict each other or are out of range."""

    code = "WALLET_TRANSACTION_OPTIONS"
    http_status = 400


class InputSelectionError(WalletError):
    """No set of the account's spendable outputs makes a valid transaction for the payment (an output
    limit cannot be met); the message says which."""

    code = "WALLET_INPUT_SELECTION"
    http_status = 409


class InputNotUsableError(WalletError):
    """A custom or mandatory input is unknown, spent, reserved by another transaction, or locked."""

    code = "WALLET_INPUT_NOT_USABLE"
    http_status = 409


class TransactionRejectedError(WalletError):
    """The pre-flight semantic check failed; nothing was sent and the inputs were released."""

    code = "WALLET_TRANSACTION_REJECTED"
    http_status = 422

    def __init__(self, reason: ConflictReason, detail: str = "") -> None:
        self.reason = reason
        extra = f": {detail}" if detail else ""
        super().__init__(
            f"the transaction fails the protocol's semantic validation ({reason.name}, code {int(reason)}: "
            f"{reason.description}){extra}; nothing was sent and its inputs were released"
        )


class TransactionNotFoundError(WalletError):
    """No transaction with that id is stored in the wallet."""

    code = "WALLET_TRANSACTION_NOT_FOUND"
    http_status = 404


class TransactionNotIncludedError(WalletError):
    """A transaction is still pending after the allowed number of checks."""

    code = "WALLET_TRANSACTION_NOT_INCLUDED"
    http_status = 504
