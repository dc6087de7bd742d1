"""Error codes: every TanglehubError subclass anywhere in the code base has its own stable SCREAMING_SNAKE
code, and the codes of the keys, protocol, node and vault layers stay exactly as released (clients and the
REST API match on them). New codes in any layer may be added freely; renaming a pinned one fails here."""

from __future__ import annotations

import importlib
import pkgutil
import re

import tanglehub
from tanglehub.errors import TanglehubError

PINNED: dict[str, str] = {
    "CODEC_ERROR": "CodecError",
    "KEYS_ERROR": "KeysError",
    "NODE_ERROR": "NodeError",
    "PROTOCOL_INVALID": "ProtocolValidationError",
    "VAULT_ERROR": "VaultError",
    "BECH32_INVALID_CHARACTER": "Bech32CharacterError",
    "BECH32_CHECKSUM_MISMATCH": "Bech32ChecksumError",
    "BECH32_INVALID": "Bech32Error",
    "BECH32_INVALID_HRP": "Bech32HrpError",
    "BECH32_LENGTH": "Bech32LengthError",
    "BECH32_MIXED_CASE": "Bech32MixedCaseError",
    "MNEMONIC_CHECKSUM_MISMATCH": "ChecksumMismatchError",
    "KEY_DERIVATION_INVALID": "DerivationError",
    "KEY_FORMAT_INVALID": "KeyFormatError",
    "MNEMONIC_INVALID": "MnemonicError",
    "MNEMONIC_LENGTH": "MnemonicLengthError",
    "BECH32_UNKNOWN_ADDRESS_KIND": "UnknownAddressKindError",
    "MNEMONIC_UNKNOWN_WORD": "UnknownWordError",
    "BECH32_WRONG_NETWORK": "WrongNetworkError",
    "NODE_MILESTONE_PRUNED": "MilestonePruned",
    "NODE_NETWORK_MISMATCH": "NetworkMismatch",
    "NODE_NONE_HEALTHY": "NoHealthyNode",
    "NODE_BAD_ARGUMENT": "NodeArgumentError",
    "NODE_BAD_RESPONSE": "NodeBadResponse",
    "NODE_NOT_FOUND": "NodeNotFound",
    "NODE_REJECTED": "NodeRejected",
    "NODE_TIMEOUT": "NodeTimeout",
    "NODE_UNAVAILABLE": "NodeUnavailable",
    "NODE_UNHEALTHY": "NodeUnhealthy",
    "NODE_ANSWER": "_NodeAnswer",
    "POW_CANCELLED": "PowCancelledError",
    "POW_INPUT_INVALID": "PowInputError",
    "POW_TIMEOUT": "PowTimeoutError",
    "POW_WORKER_FAILED": "PowWorkerError",
    "DECODE_ERROR": "DecodeError",
    "BLOCK_INVALID": "InvalidBlockError",
    "INPUT_INVALID": "InvalidInputError",
    "MILESTONE_INVALID": "InvalidMilestoneError",
    "PAYLOAD_INVALID": "InvalidPayloadError",
    "TRANSACTION_INVALID": "InvalidTransactionError",
    "UNLOCK_INVALID": "InvalidUnlockError",
    "JSON_SHAPE_ERROR": "JsonShapeError",
    "NETWORK_ID_MISMATCH": "NetworkIdMismatchError",
    "MERKLE_INPUT_INVALID": "MerkleInputError",
    "STORAGE_DEPOSIT_INSUFFICIENT": "InsufficientStorageDepositError",
    "ADDRESS_INVALID": "InvalidAddressError",
    "FEATURE_INVALID": "InvalidFeatureError",
    "IDENTIFIER_INVALID": "InvalidIdentifierError",
    "NATIVE_TOKEN_INVALID": "InvalidNativeTokenError",
    "OUTPUT_INVALID": "InvalidOutputError",
    "PROTOCOL_PARAMETERS_INVALID": "InvalidProtocolParametersError",
    "TOKEN_SCHEME_INVALID": "InvalidTokenSchemeError",
    "UNLOCK_CONDITION_INVALID": "InvalidUnlockConditionError",
    "OUTPUT_AMOUNT_INVALID": "OutputAmountError",
    "STORAGE_DEPOSIT_RETURN_INVALID": "StorageDepositReturnError",
    "VAULT_INSECURE_PERMISSIONS": "InsecurePermissionsError",
    "VAULT_INVALID_KDF_PARAMETERS": "InvalidKdfParametersError",
    "VAULT_INVALID_PASSWORD": "InvalidPasswordError",
    "VAULT_INVALID_SIGNING_REQUEST": "InvalidSigningRequestError",
    "VAULT_MNEMONIC_ALREADY_REVEALED": "MnemonicAlreadyRevealedError",
    "VAULT_MNEMONIC_ALREADY_STORED": "MnemonicAlreadyStoredError",
    "VAULT_NO_MNEMONIC": "NoMnemonicError",
    "VAULT_UNSUPPORTED_VERSION": "UnsupportedVaultVersionError",
    "VAULT_CORRUPTED": "VaultCorruptedError",
    "VAULT_EXISTS": "VaultExistsError",
    "VAULT_IO_ERROR": "VaultIOError",
    "VAULT_LOCKED": "VaultLockedError",
    "VAULT_NOT_FOUND": "VaultNotFoundError",
    "VAULT_WRONG_PASSWORD": "WrongPasswordError",
    "HUB_ERROR": "HubError",
    "HUB_ADDRESS_POOL_EMPTY": "AddressPoolEmpty",
    "HUB_ARGUMENT_ERROR": "HubArgumentError",
    "HUB_DEPOSIT_NOT_FOUND": "DepositNotFound",
    "HUB_IDEMPOTENCY_CONFLICT": "IdempotencyConflict",
    "HUB_INSUFFICIENT_BALANCE": "InsufficientBalance",
    "HUB_INVALID_TRANSFER": "InvalidTransfer",
    "HUB_IN_USE": "HubInUse",
    "HUB_NETWORK_MISMATCH": "HubNetworkMismatch",
    "HUB_UNKNOWN_ADDRESS": "UnknownAddress",
    "HUB_USER_NOT_FOUND": "UserNotFound",
    "HUB_WITHDRAWAL_ADDRESS_INVALID": "WithdrawalAddressInvalid",
    "HUB_WITHDRAWAL_AMOUNT_INVALID": "WithdrawalAmountInvalid",
    "HUB_WITHDRAWAL_BELOW_MINIMUM": "WithdrawalBelowMinimum",
    "HUB_WITHDRAWAL_NOT_FOUND": "WithdrawalNotFound",
    "HUB_WITHDRAWAL_STATE_CONFLICT": "WithdrawalStateConflict",
    "HUB_WITHDRAWAL_WRONG_NETWORK": "WithdrawalWrongNetwork",
    "HUB_RECOVERY_ADDRESS_INVALID": "RecoveryAddressInvalid",
    "HUB_RECOVERY_CONFLICT": "RecoveryConflict",
    "HUB_RECOVERY_NOT_FOUND": "RecoveryNotFound",
    "HUB_RECOVERY_NOT_POSSIBLE": "RecoveryNotPossible",
    "HUB_UNAUTHORIZED": "Unauthorized",
    "HUB_FORBIDDEN": "Forbidden",
    "HUB_ROUTE_NOT_FOUND": "ApiNotFound",
    "HUB_METHOD_NOT_ALLOWED": "MethodNotAllowed",
    "HUB_REQUEST_INVALID": "RequestInvalid",
    "HUB_INTERNAL_ERROR": "ApiInternalError",
    "HUB_INVALID_SCOPE": "InvalidScope",
    "HUB_API_KEY_NOT_FOUND": "ApiKeyNotFound",
    "HUB_WEBHOOK_SIGNATURE_INVALID": "SignatureError",
    "HUB_WEBHOOK_NOT_FOUND": "WebhookNotFound",
    "HUB_WEBHOOK_DELIVERY_NOT_FOUND": "DeliveryNotFound",
    "HUB_WEBHOOK_INVALID": "InvalidWebhook",
}
"""Code -> class name for the keys, protocol, node, vault and hub (domain) layers (and their bases in
tanglehub.errors)."""

_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")


def _all_error_classes() -> list[type[TanglehubError]]:
    for info in pkgutil.walk_packages(tanglehub.__path__, "tanglehub."):
        importlib.import_module(info.name)
    found: list[type[TanglehubError]] = [TanglehubError]
    stack = [TanglehubError]
    while stack:
        for cls in stack.pop().__subclasses__():
            if cls not in found and cls.__module__.startswith("tanglehub."):
                found.append(cls)
                stack.append(cls)
    return found


ERRORS = _all_error_classes()


def test_the_walk_finds_errors_of_every_layer() -> None:
    modules = {cls.__module__.split(".")[1] for cls in ERRORS}
    assert {"errors", "keys", "protocol", "node", "vault", "devnet", "wallet", "hub"} <= modules


def test_every_error_class_defines_its_own_code() -> None:
    missing = [cls.__qualname__ for cls in ERRORS if "code" not in vars(cls)]
    assert missing == []


def test_codes_are_screaming_snake_case() -> None:
    bad = {cls.__qualname__: cls.code for cls in ERRORS if not _CODE.fullmatch(cls.code)}
    assert bad == {}


def test_codes_are_unique_across_the_code_base() -> None:
    owners: dict[str, list[str]] = {}
    for cls in ERRORS:
        owners.setdefault(cls.code, []).append(f"{cls.__module__}.{cls.__qualname__}")
    assert {code: names for code, names in owners.items() if len(names) > 1} == {}


def test_pinned_codes_keep_their_class() -> None:
    by_code = {cls.code: cls.__name__ for cls in ERRORS}
    changed = {code: by_code.get(code) for code, name in PINNED.items() if by_code.get(code) != name}
    assert changed == {}, "a released error code was renamed, removed or moved to another class"
