"""Wallet operations, one module per concern; each is a function of an account (or wallet).

(``sync_ledger`` is not re-exported here so that ``operations.sync_ledger`` stays the module.)"""

from __future__ import annotations

from tanglehub.wallet.operations.addresses import generate_addresses, latest_unused_address, list_addresses
from tanglehub.wallet.operations.balance import (
    Balance,
    BaseCoinBalance,
    LockedOutput,
    NativeTokenBalance,
    RequiredStorageDeposit,
    compute_balance,
    get_balance,
)
from tanglehub.wallet.operations.outputs import SpentInfo, apply_changes, list_outputs, list_transactions
from tanglehub.wallet.operations.sync_indexer import SyncResult, sync_account_indexer

__all__ = [
    "Balance",
    "BaseCoinBalance",
    "LockedOutput",
    "NativeTokenBalance",
    "RequiredStorageDeposit",
    "SpentInfo",
    "SyncResult",
    "apply_changes",
    "compute_balance",
    "generate_addresses",
    "get_balance",
    "latest_unused_address",
    "list_addresses",
    "list_outputs",
    "list_transactions",
    "sync_account_indexer",
]
