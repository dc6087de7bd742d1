"""The wallet package's public surface: sorted, complete re-exports and the error-code table."""

from __future__ import annotations

import importlib

import pytest

import tanglehub.wallet as wallet
from tanglehub.errors import WalletError
from tanglehub.wallet import errors

MODULES = [
    "tanglehub.wallet.account",
    "tanglehub.wallet.backup",
    "tanglehub.wallet.checks",
    "tanglehub.wallet.errors",
    "tanglehub.wallet.event_types",
    "tanglehub.wallet.events",
    "tanglehub.wallet.layout",
    "tanglehub.wallet.lock",
    "tanglehub.wallet.options",
    "tanglehub.wallet.settings",
    "tanglehub.wallet.storage",
    "tanglehub.wallet.storage_queries",
    "tanglehub.wallet.storage_schema",
    "tanglehub.wallet.wallet",
    "tanglehub.wallet.operations",
    "tanglehub.wallet.operations.addresses",
    "tanglehub.wallet.operations.balance",
    "tanglehub.wallet.operations.ledger_check",
    "tanglehub.wallet.operations.outputs",
    "tanglehub.wallet.operations.spent_recheck",
    "tanglehub.wallet.operations.recover",
    "tanglehub.wallet.operations.sync_indexer",
    "tanglehub.wallet.operations.sync_ledger",
    "tanglehub.wallet.operations.claim",
    "tanglehub.wallet.operations.consolidate",
    "tanglehub.wallet.operations.send",
    "tanglehub.wallet.operations.tracking",
    "tanglehub.wallet.operations.transaction",
]


@pytest.mark.parametrize("name", MODULES)
def test_every_module_declares_a_sorted_all_of_real_names(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    for item in module.__all__:
        assert hasattr(module, item), item


def test_package_re_exports_are_sorted_and_resolve() -> None:
    assert wallet.__all__ == sorted(wallet.__all__)
    assert all(hasattr(wallet, n) for n in wallet.__all__)


def test_error_codes() -> None:
    table = {
        cls.__name__: cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, WalletError)
    }
    assert table == {
        "WalletError": "WALLET_ERROR",
        "WalletExistsError": "WALLET_EXISTS",
        "WalletNotFoundError": "WALLET_NOT_FOUND",
        "WalletIncompleteError": "WALLET_INCOMPLETE",
        "WalletInUseError": "WALLET_IN_USE",
        "WalletClosedError": "WALLET_CLOSED",
        "WalletArgumentError": "WALLET_INVALID_ARGUMENT",
        "WalletNetworkMismatchError": "WALLET_NETWORK_MISMATCH",
        "WalletOfflineUnavailableError": "WALLET_OFFLINE_UNAVAILABLE",
        "LedgerMismatchError": "WALLET_LEDGER_MISMATCH",
        "LedgerBehindError": "WALLET_LEDGER_BEHIND",
        "CoinTypeMismatchError": "WALLET_COIN_TYPE_MISMATCH",
        "AccountNotFoundError": "WALLET_ACCOUNT_NOT_FOUND",
        "AccountAliasTakenError": "WALLET_ACCOUNT_ALIAS_TAKEN",
        "AddressNotFoundError": "WALLET_ADDRESS_NOT_FOUND",
        "StorageError": "WALLET_STORAGE_ERROR",
        "SchemaVersionError": "WALLET_SCHEMA_VERSION",
        "OutputReservedError": "WALLET_OUTPUT_RESERVED",
        "BackupError": "WALLET_BACKUP_ERROR",
        "BackupCorruptedError": "WALLET_BACKUP_CORRUPTED",
        "BackupWrongPasswordError": "WALLET_BACKUP_WRONG_PASSWORD",
        "BackupExistsError": "WALLET_BACKUP_EXISTS",
        "WalletRebuildNeededError": "WALLET_REBUILD_NEEDED",
        "WalletStateCorruptError": "WALLET_STATE_CORRUPT",
    }


def test_sending_and_tracking_names_are_re_exported() -> None:
    import types

    from tanglehub.wallet import operations
    from tanglehub.wallet.operations import tracking, transaction

    for name in (
        "TransactionOptions",
        "ChangeAddress",
        "CustomAddress",
        "ReuseAddress",
        "PreparedTransaction",
        "SignedTransaction",
        "InsufficientFundsError",
        "TransactionRejectedError",
        "TransactionNotIncludedError",
        "RecoveryReport",
        "ProgressStep",
        "WalletInUseError",
        "WalletIncompleteError",
    ):
        assert name in wallet.__all__, name
    assert wallet.PreparedTransaction is transaction.PreparedTransaction
    assert operations.recover_after_restart is tracking.recover_after_restart
    assert {"send_many", "send_outputs", "claim_outputs", "consolidate_outputs", "retry_until_included"} <= set(
        operations.__all__
    )
    assert isinstance(operations.send, types.ModuleType)  # the module, not shadowed by the function
    assert isinstance(operations.sync_ledger, types.ModuleType)
