"""Errors raised by the wallet library (wallet, accounts, addresses, sync, state store, backups).

Every class derives from :class:`tanglehub.errors.WalletError`::

    WalletError                          WALLET_ERROR
    +-- WalletExistsError                WALLET_EXISTS
    +-- WalletRebuildNeededError         WALLET_REBUILD_NEEDED
    |   +-- WalletStateCorruptError      WALLET_STATE_CORRUPT
    +-- WalletNotFoundError              WALLET_NOT_FOUND
    |   +-- WalletIncompleteError        WALLET_INCOMPLETE
    +-- WalletInUseError                 WALLET_IN_USE
    +-- WalletClosedError                WALLET_CLOSED
    +-- WalletArgumentError              WALLET_INVALID_ARGUMENT
    +-- WalletNetworkMismatchError       WALLET_NETWORK_MISMATCH
    +-- LedgerMismatchError              WALLET_LEDGER_MISMATCH
    |   +-- LedgerBehindError            WALLET_LEDGER_BEHIND
    +-- CoinTypeMismatchError            WALLET_COIN_TYPE_MISMATCH
    +-- AccountNotFoundError             WALLET_ACCOUNT_NOT_FOUND
    +-- AccountAliasTakenError           WALLET_ACCOUNT_ALIAS_TAKEN
    +-- AddressNotFoundError             WALLET_ADDRESS_NOT_FOUND
    +-- StorageError                     WALLET_STORAGE_ERROR
    |   +-- SchemaVersionError           WALLET_SCHEMA_VERSION
    |   +-- OutputReservedError          WALLET_OUTPUT_RESERVED
    +-- BackupError                      WALLET_BACKUP_ERROR
        +-- BackupCorruptedError         WALLET_BACKUP_CORRUPTED
        +-- BackupWrongPasswordError     WALLET_BACKUP_WRONG_PASSWORD
        +-- BackupExistsError            WALLET_BACKUP_EXISTS

Messages never contain the mnemonic, the seed, a password or key material.
"""

from __future__ import annotations

from tanglehub.errors import WalletError

__all__ = [
    "AccountAliasTakenError",
    "AccountNotFoundError",
    "AddressNotFoundError",
    "BackupCorruptedError",
    "BackupError",
    "BackupExistsError",
    "BackupWrongPasswordError",
    "CoinTypeMismatchError",
    "LedgerBehindError",
    "LedgerMismatchError",
    "OutputReservedError",
    "SchemaVersionError",
    "StorageError",
    "WalletArgumentError",
    "WalletClosedError",
    "WalletError",
    "WalletExistsError",
    "WalletInUseError",
    "WalletIncompleteError",
    "WalletNetworkMismatchError",
    "WalletNotFoundError",
    "WalletOfflineUnavailableError",
    "WalletRebuildNeededError",
    "WalletStateCorruptError",
]


class WalletExistsError(WalletError):
    """A wallet already lives in the directory given to ``Wallet.create`` or ``Wallet.restore``."""

    code = "WALLET_EXISTS"
    http_status = 409


class WalletRebuildNeededError(WalletError):
    """The directory holds a vault with a mnemonic but no usable state database (missing or never
    finished); ``Wallet.rebuild`` recreates the state from the vault and the ledger. The vault is never
    deleted or replaced."""

    code = "WALLET_REBUILD_NEEDED"
    http_status = 409


class WalletStateCorruptError(WalletRebuildNeededError):
    """The state database (``wallet.db``) beside a vault is truncated or damaged; ``Wallet.rebuild`` moves it
    aside (it is kept) and recreates the state from the vault and the ledger."""

    code = "WALLET_STATE_CORRUPT"
    http_status = 500


class WalletNotFoundError(WalletError):
    """No wallet lives in the directory given to ``Wallet.open``."""

    code = "WALLET_NOT_FOUND"
    http_status = 404


class WalletIncompleteError(WalletNotFoundError):
    """The directory holds a wallet whose creation was interrupted; ``Wallet.create`` it again."""

    code = "WALLET_INCOMPLETE"


class WalletInUseError(WalletError):
    """Another process (or another ``Wallet`` object of this one) has the wallet directory open."""

    code = "WALLET_IN_USE"
    http_status = 409


class WalletClosedError(WalletError):
    """The wallet (or its state store) was closed; open it again."""

    code = "WALLET_CLOSED"
    http_status = 409


class WalletArgumentError(WalletError):
    """An argument to a wallet call is out of range or of the wrong type."""

    code = "WALLET_INVALID_ARGUMENT"


class WalletOfflineUnavailableError(WalletError):
    """``Wallet.open(offline=True)`` on a wallet that has no stored protocol parameters yet (open it once
    with a node)."""

    code = "WALLET_OFFLINE_UNAVAILABLE"


class WalletNetworkMismatchError(WalletError):
    """The node (or a backup) belongs to another network than the wallet."""

    code = "WALLET_NETWORK_MISMATCH"
    http_status = 409


class LedgerMismatchError(WalletError):
    """The node serves another ledger than the one the wallet synced with (same network name, but a
    different milestone at an index the wallet has seen: a fresh devnet, a reset test network). The sync
    is refused before anything is stored; sync from a node of the wallet's ledger."""

    code = "WALLET_LEDGER_MISMATCH"
    http_status = 409


class LedgerBehindError(LedgerMismatchError):
    """The node's confirmed milestone is below one the wallet already synced to (a lagging or re-syncing
    node, a pool member behind the others). The sync is refused before anything is stored (the wallet's
    cursor never moves back); retry later or use an up-to-date node."""

    code = "WALLET_LEDGER_BEHIND"
    http_status = 503


class CoinTypeMismatchError(WalletError):
    """The wallet (or a backup) was made for another BIP44 coin type than the one asked for."""

    code = "WALLET_COIN_TYPE_MISMATCH"
    http_status = 409


class AccountNotFoundError(WalletError):
    """No account has that index, alias or address."""

    code = "WALLET_ACCOUNT_NOT_FOUND"
    http_status = 404


class AccountAliasTakenError(WalletError):
    """Another account of the wallet already uses that alias."""

    code = "WALLET_ACCOUNT_ALIAS_TAKEN"
    http_status = 409


class AddressNotFoundError(WalletError):
    """The address is not one of the wallet's addresses."""

    code = "WALLET_ADDRESS_NOT_FOUND"
    http_status = 404


class StorageError(WalletError):
    """The wallet's state database could not be read or written."""

    code = "WALLET_STORAGE_ERROR"
    http_status = 500


class SchemaVersionError(StorageError):
    """The state database has a schema this version of tanglehub cannot use."""

    code = "WALLET_SCHEMA_VERSION"


class OutputReservedError(StorageError):
    """An output is already reserved as an input of another unfinished transaction."""

    code = "WALLET_OUTPUT_RESERVED"
    http_status = 409


class BackupError(WalletError):
    """A backup file could not be written or restored."""

    code = "WALLET_BACKUP_ERROR"


class BackupCorruptedError(BackupError):
    """The backup file is damaged, truncated or not a tanglehub wallet backup."""

    code = "WALLET_BACKUP_CORRUPTED"


class BackupWrongPasswordError(BackupError):
    """The backup password does not open this backup file."""

    code = "WALLET_BACKUP_WRONG_PASSWORD"
    http_status = 401


class BackupExistsError(BackupError):
    """The backup's destination file already exists (it is replaced only with ``overwrite=True``)."""

    code = "WALLET_BACKUP_EXISTS"
    http_status = 409
