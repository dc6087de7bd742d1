"""Building, signing and submitting transactions: input selection, prepare -> sign -> submit, options.

``prepare_transaction`` selects and reserves inputs and builds the essence (:class:`PreparedTransaction`, JSON
serialisable so it can be signed elsewhere); ``sign_transaction`` signs through the wallet's Signer, runs the
protocol's semantic pre-flight and stores the payload as pending (:class:`SignedTransaction`);
``submit_transaction`` wraps it in a block and posts it. High-level sends live in
:mod:`tanglehub.wallet.operations.send`.
"""

from __future__ import annotations

from tanglehub.wallet.operations.transaction.context import (
    AccountContext,
    AccountHandle,
    NodeApi,
    NodeView,
    WalletContext,
    WalletHandle,
    node_view,
)
from tanglehub.wallet.operations.transaction.contract import NOTHING_SIGNED, is_nothing_signed
from tanglehub.wallet.operations.transaction.errors import (
    AmountBelowStorageDepositError,
    InputNotUsableError,
    InputSelectionError,
    InsufficientFundsError,
    InsufficientNativeTokensError,
    TooManyInputsError,
    TransactionNotFoundError,
    TransactionNotIncludedError,
    TransactionOptionsError,
    TransactionRejectedError,
)
from tanglehub.wallet.operations.transaction.options import (
    DEFAULT_MICRO_EXPIRATION,
    ChangeAddress,
    CustomAddress,
    RemainderStrategy,
    ReuseAddress,
    TransactionOptions,
)
from tanglehub.wallet.operations.transaction.prepare import (
    InputSigningData,
    PreparedTransaction,
    change_address,
    prepare_transaction,
    recipient_output,
)
from tanglehub.wallet.operations.transaction.select_inputs import (
    EXPIRATION_MARGIN,
    Candidate,
    Selection,
    select_inputs,
    usable_candidates,
)
from tanglehub.wallet.operations.transaction.sign import SignedTransaction, sign_transaction
from tanglehub.wallet.operations.transaction.submit import submit_transaction

__all__ = [
    "AccountContext",
    "AccountHandle",
    "AmountBelowStorageDepositError",
    "Candidate",
    "ChangeAddress",
    "CustomAddress",
    "DEFAULT_MICRO_EXPIRATION",
    "EXPIRATION_MARGIN",
    "InputNotUsableError",
    "InputSelectionError",
    "InputSigningData",
    "InsufficientFundsError",
    "InsufficientNativeTokensError",
    "NOTHING_SIGNED",
    "NodeApi",
    "NodeView",
    "PreparedTransaction",
    "RemainderStrategy",
    "ReuseAddress",
    "Selection",
    "SignedTransaction",
    "TooManyInputsError",
    "TransactionNotFoundError",
    "TransactionNotIncludedError",
    "TransactionOptions",
    "TransactionOptionsError",
    "TransactionRejectedError",
    "WalletContext",
    "WalletHandle",
    "change_address",
    "is_nothing_signed",
    "node_view",
    "prepare_transaction",
    "recipient_output",
    "select_inputs",
    "sign_transaction",
    "submit_transaction",
    "usable_candidates",
]
