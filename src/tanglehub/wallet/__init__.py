"""tanglehub.wallet: the wallet library (AccountManager role): accounts, addresses, sync, balances, events,
backups, on a crash-safe SQLite state store. Sending and tracking live in ``wallet.operations``."""

from __future__ import annotations

from tanglehub.wallet.account import Account
from tanglehub.wallet.errors import (
    AccountAliasTakenError,
    AccountNotFoundError,
    AddressNotFoundError,
    BackupCorruptedError,
    BackupError,
    BackupWrongPasswordError,
    CoinTypeMismatchError,
    OutputReservedError,
    SchemaVersionError,
    StorageError,
    WalletArgumentError,
    WalletClosedError,
    WalletError,
    WalletExistsError,
    WalletNetworkMismatchError,
    WalletNotFoundError,
)
from tanglehub.wallet.events import (
    BalanceChange,
    DeliveredEvent,
    EventBus,
    EventStream,
    NewOutput,
    SpentOutput,
    Subscription,
    TransactionInclusion,
    TransactionProgress,
    WalletEvent,
)
from tanglehub.wallet.operations.balance import (
    Balance,
    BaseCoinBalance,
    LockedOutput,
    NativeTokenBalance,
    RequiredStorageDeposit,
)
from tanglehub.wallet.operations.sync_indexer import SyncResult
from tanglehub.wallet.options import OutputFilter, SyncMode, SyncOptions
from tanglehub.wallet.storage import StoreTx, WalletStore
from tanglehub.wallet.storage_schema import (
    AccountRecord,
    AddressRecord,
    EventRecord,
    OutputRecord,
    Reservation,
    TransactionRecord,
)
from tanglehub.wallet.wallet import Wallet, WalletSettings

__all__ = [
    "Account",
    "AccountAliasTakenError",
    "AccountNotFoundError",
    "AccountRecord",
    "AddressNotFoundError",
    "AddressRecord",
    "BackupCorruptedError",
    "BackupError",
    "BackupWrongPasswordError",
    "Balance",
    "BalanceChange",
    "BaseCoinBalance",
    "CoinTypeMismatchError",
    "DeliveredEvent",
    "EventBus",
    "EventRecord",
    "EventStream",
    "LockedOutput",
    "NativeTokenBalance",
    "NewOutput",
    "OutputFilter",
    "OutputRecord",
    "OutputReservedError",
    "RequiredStorageDeposit",
    "Reservation",
    "SchemaVersionError",
    "SpentOutput",
    "StorageError",
    "StoreTx",
    "Subscription",
    "SyncMode",
    "SyncOptions",
    "SyncResult",
    "TransactionInclusion",
    "TransactionProgress",
    "TransactionRecord",
    "Wallet",
    "WalletArgumentError",
    "WalletClosedError",
    "WalletError",
    "WalletEvent",
    "WalletExistsError",
    "WalletNetworkMismatchError",
    "WalletNotFoundError",
    "WalletSettings",
    "WalletStore",
]
