"""Rule violations of the output side of the protocol: addresses, ids, parameters, native tokens, token
schemes, unlock conditions, features and outputs.

Every class derives from :class:`tanglehub.errors.ProtocolValidationError` and has its own stable ``code``::

    ProtocolValidationError
    +-- InvalidAddressError              ADDRESS_INVALID
    +-- InvalidIdentifierError           IDENTIFIER_INVALID
    +-- InvalidProtocolParametersError   PROTOCOL_PARAMETERS_INVALID
    +-- InvalidNativeTokenError          NATIVE_TOKEN_INVALID
    +-- InvalidTokenSchemeError          TOKEN_SCHEME_INVALID
    +-- InvalidUnlockConditionError      UNLOCK_CONDITION_INVALID
    +-- InvalidFeatureError              FEATURE_INVALID
    +-- InvalidOutputError               OUTPUT_INVALID
        +-- OutputAmountError            OUTPUT_AMOUNT_INVALID
        +-- InsufficientStorageDepositError  STORAGE_DEPOSIT_INSUFFICIENT
        +-- StorageDepositReturnError    STORAGE_DEPOSIT_RETURN_INVALID
"""

from __future__ import annotations

from tanglehub.errors import ProtocolValidationError

__all__ = [
    "InsufficientStorageDepositError",
    "InvalidAddressError",
    "InvalidFeatureError",
    "InvalidIdentifierError",
    "InvalidNativeTokenError",
    "InvalidOutputError",
    "InvalidProtocolParametersError",
    "InvalidTokenSchemeError",
    "InvalidUnlockConditionError",
    "OutputAmountError",
    "StorageDepositReturnError",
]


class InvalidAddressError(ProtocolValidationError):
    """An address has the wrong length or a kind that is not allowed where it is used."""

    code = "ADDRESS_INVALID"


class InvalidIdentifierError(ProtocolValidationError):
    """An output, alias, NFT, foundry or transaction id has the wrong length or an out-of-range part."""

    code = "IDENTIFIER_INVALID"


class InvalidProtocolParametersError(ProtocolValidationError):
    """Protocol parameters with a value outside its allowed range."""

    code = "PROTOCOL_PARAMETERS_INVALID"


class InvalidNativeTokenError(ProtocolValidationError):
    """A native token with a bad id or amount, or a native-token list that is unsorted or too long."""

    code = "NATIVE_TOKEN_INVALID"


class InvalidTokenSchemeError(ProtocolValidationError):
    """A token scheme whose minted/melted/maximum supply values are inconsistent."""

    code = "TOKEN_SCHEME_INVALID"


class InvalidUnlockConditionError(ProtocolValidationError):
    """An unlock condition with a bad value, or an unlock-condition list that breaks the output's rules."""

    code = "UNLOCK_CONDITION_INVALID"


class InvalidFeatureError(ProtocolValidationError):
    """A feature with a bad value, or a feature list that breaks the output's rules."""

    code = "FEATURE_INVALID"


class InvalidOutputError(ProtocolValidationError):
    """An output that breaks a syntactic rule of TIP-18."""

    code = "OUTPUT_INVALID"


class OutputAmountError(InvalidOutputError):
    """An output amount that is zero or larger than the network's token supply."""

    code = "OUTPUT_AMOUNT_INVALID"


class InsufficientStorageDepositError(InvalidOutputError):
    """An output whose amount does not cover its storage deposit (TIP-19)."""

    code = "STORAGE_DEPOSIT_INSUFFICIENT"

    def __init__(self, message: str, required: int, amount: int) -> None:
        super().__init__(message)
        self.required = required
        self.amount = amount


class StorageDepositReturnError(InvalidOutputError):
    """A storage deposit return amount below the minimum deposit or above the output's amount."""

    code = "STORAGE_DEPOSIT_RETURN_INVALID"
