"""Wallet operations, one module per concern; each is a function of an account (or wallet).

Sending lives in ``operations.send`` (``send_many``, ``send_outputs``, ``prepare_send``), building and signing
in ``operations.transaction``, tracking and crash recovery in ``operations.tracking``, claiming and
consolidating in ``operations.claim`` / ``operations.consolidate``. Names that equal a module's name
(``send``, ``sync_ledger``) are not re-exported here, so that ``operations.send`` and
``operations.sync_ledger`` stay the modules.
"""

from __future__ import annotations

from tanglehub.wallet.operations.addresses import (
    ADDRESS_CHUNK,
    MAX_ADDRESS_BATCH,
    generate_addresses,
    latest_unused_address,
    list_addresses,
)
from tanglehub.wallet.operations.balance import (
    Balance,
    BaseCoinBalance,
    LockedOutput,
    NativeTokenBalance,
    RequiredStorageDeposit,
    compute_balance,
    get_balance,
)
from tanglehub.wallet.operations.claim import MAX_CLAIM_INPUTS, claim_outputs, claimable_outputs
from tanglehub.wallet.operations.consolidate import DEFAULT_CONSOLIDATION_THRESHOLD, consolidate_outputs
from tanglehub.wallet.operations.outputs import SpentInfo, apply_changes, list_outputs, list_transactions
from tanglehub.wallet.operations.recover import recover_accounts
from tanglehub.wallet.operations.send import Recipient, prepare_send, send_many, send_outputs
from tanglehub.wallet.operations.sync_indexer import SyncResult, sync_account_indexer
from tanglehub.wallet.operations.tracking import (
    RecoveryReport,
    reattach,
    recover_after_restart,
    retry_until_included,
    settle_inputs,
    sync_pending_transactions,
    track_transaction,
)

__all__ = [
    "ADDRESS_CHUNK",
    "Balance",
    "BaseCoinBalance",
    "DEFAULT_CONSOLIDATION_THRESHOLD",
    "LockedOutput",
    "MAX_ADDRESS_BATCH",
    "MAX_CLAIM_INPUTS",
    "NativeTokenBalance",
    "Recipient",
    "RecoveryReport",
    "RequiredStorageDeposit",
    "SpentInfo",
    "SyncResult",
    "apply_changes",
    "claim_outputs",
    "claimable_outputs",
    "compute_balance",
    "consolidate_outputs",
    "generate_addresses",
    "get_balance",
    "latest_unused_address",
    "list_addresses",
    "list_outputs",
    "list_transactions",
    "prepare_send",
    "reattach",
    "recover_accounts",
    "recover_after_restart",
    "retry_until_included",
    "send_many",
    "send_outputs",
    "settle_inputs",
    "sync_account_indexer",
    "sync_pending_transactions",
    "track_transaction",
]
