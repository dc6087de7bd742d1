"""Sending: ``send`` (one amount to one address), ``send_many`` (many recipients in one transaction) and
``send_outputs`` (any outputs), each prepare -> sign (with the semantic pre-flight) -> submit.

Amounts are ints of the smallest unit; addresses are bech32 text of the wallet's network or
:class:`~tanglehub.protocol.address.Address` objects. An amount below the storage deposit needs
``TransactionOptions(allow_micro_amount=True)``: it is then sent with a storage deposit return to the
account's first address and an expiration ``options.expiration`` seconds after the latest milestone.

The contract (:mod:`tanglehub.wallet.operations.transaction.contract`): an exception means nothing was
signed (safe to retry; the message says so); once a transaction is signed the call returns its pending
record, even when the node could not be reached to post it; then
:func:`tanglehub.wallet.operations.tracking.retry_until_included` (or a restart's recovery) posts the same
payload later.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence

from tanglehub.errors import CodecError, KeysError, TanglehubError
from tanglehub.protocol.address import (
    Address,
    AliasAddress,
    Ed25519Address,
    NftAddress,
    address_from_bech32,
)
from tanglehub.protocol.output import Output
from tanglehub.wallet.checks import check_amount
from tanglehub.wallet.errors import AddressNotFoundError
from tanglehub.wallet.operations.transaction.context import AccountContext, NodeView, recent_node_view
from tanglehub.wallet.operations.transaction.contract import before_signing
from tanglehub.wallet.operations.transaction.errors import TransactionOptionsError
from tanglehub.wallet.operations.transaction.options import TransactionOptions
from tanglehub.wallet.operations.transaction.prepare import (
    PreparedTransaction,
    prepare_transaction,
    recipient_output,
)
from tanglehub.wallet.operations.transaction.sign import SignedTransaction, sign_transaction
from tanglehub.wallet.operations.transaction.submit import submit_transaction
from tanglehub.wallet.storage_schema import TransactionRecord

__all__ = [
    "Recipient",
    "finish_transaction",
    "parse_address",
    "prepare_send",
    "send",
    "send_many",
    "send_outputs",
    "submit_signed",
]

log = logging.getLogger("tanglehub.wallet.send")

Recipient = tuple[str | Address, int]
"""``(address, amount)``."""


def parse_address(value: str | Address, hrp: str) -> Address:
    """An Address from bech32 text of network ``hrp`` (or an Address object as is)."""
    if isinstance(value, Ed25519Address | AliasAddress | NftAddress):
        return value
    if not isinstance(value, str):
        raise TransactionOptionsError(f"an address must be bech32 text or an Address, got {type(value).__name__}")
    try:
        return address_from_bech32(value, expected_hrp=hrp)
    except (KeysError, CodecError) as exc:
        raise TransactionOptionsError(f"invalid recipient address {value!r}: {exc}") from exc


async def _return_address(account: AccountContext) -> Address:
    index = account.index
    records = await account.wallet.store.read(lambda tx: tx.addresses(index, False))
    if not records:
        raise AddressNotFoundError(
            "the account has no address to get the storage deposit of a micro amount back; generate one first"
        )
    return Ed25519Address(records[0].hash)


async def prepare_send(
    account: AccountContext,
    recipients: Sequence[Recipient],
    options: TransactionOptions | None = None,
    view: NodeView | None = None,
) -> PreparedTransaction:
    """Prepare (select and reserve inputs for) a payment to ``recipients``."""
    options = options or TransactionOptions()
    if isinstance(recipients, tuple) and len(recipients) == 2 and isinstance(recipients[1], int):
        raise TransactionOptionsError("recipients must be a list of (address, amount) pairs")
    if not recipients:
        raise TransactionOptionsError("give at least one (address, amount) recipient")
    view = view or await recent_node_view(account.wallet.node)
    rent = view.params.rent_structure
    return_address = await _return_address(account) if options.allow_micro_amount else None
    outputs: list[Output] = []
    for item in recipients:
        try:
            address, amount = item
        except (TypeError, ValueError):
            raise TransactionOptionsError(f"a recipient is an (address, amount) pair, got {item!r}") from None
        outputs.append(
            recipient_output(
                parse_address(address, view.params.bech32_hrp),
                check_amount(amount, view.params.token_supply, TransactionOptionsError),
                rent,
                allow_micro_amount=options.allow_micro_amount,
                return_address=return_address,
                expiration_time=view.now + options.expiration,
            )
        )
    return await prepare_transaction(account, outputs, options, view=view)


async def finish_transaction(
    account: AccountContext, prepared: PreparedTransaction | Awaitable[PreparedTransaction]
) -> TransactionRecord:
    """Sign (with the pre-flight check), store and submit ``prepared`` (or what the awaitable ``prepared``
    prepares); the stored record afterwards. An error raised here comes from before signing and is marked
    so (see the module docstring); after signing the pending record is returned whatever the node does."""
    with before_signing():
        if not isinstance(prepared, PreparedTransaction):
            prepared = await prepared
        signed = await sign_transaction(account, prepared)
    return await submit_signed(account, signed)


async def submit_signed(account: AccountContext, signed: SignedTransaction) -> TransactionRecord:
    """Submit a signed and stored transaction and return its record; a failure to post it is logged and
    the pending record returned (tracking and the next ``Wallet.open`` post the same payload)."""
    tx_id = signed.transaction_id
    try:
        await submit_transaction(account, signed)
    except Exception as exc:
        log.warning(
            "transaction 0x%s is signed and stored as pending, but posting it failed (%s: %s); it is NOT "
            "lost and must not be sent again: tracking (retry_until_included) or the next open posts it",
            tx_id.hex(),
            type(exc).__name__,
            exc,
        )
    except BaseException:
        log.warning(
            "cancelled after signing: transaction 0x%s is stored as pending and will be posted by tracking "
            "or the next open; do not send it again",
            tx_id.hex(),
        )
        raise
    try:
        rec = await account.wallet.store.read(lambda tx: tx.transaction(tx_id))
    except TanglehubError as exc:
        exc.message = f"{exc.message} (transaction 0x{tx_id.hex()} is signed and stored as pending)"
        exc.args = (exc.message,)
        raise
    assert rec is not None
    return rec


async def send(
    account: AccountContext, amount: int, address: str | Address, options: TransactionOptions | None = None
) -> TransactionRecord:
    """Send ``amount`` to ``address``; returns the pending transaction record.

    Raises only before signing (nothing signed; the error says so, and retrying is safe); once signed,
    the pending record is returned even if the node could not be reached (its block is posted by tracking
    or the next open). See :mod:`tanglehub.wallet.operations.transaction.contract`."""
    return await finish_transaction(account, prepare_send(account, [(address, amount)], options))


async def send_many(
    account: AccountContext, recipients: Sequence[Recipient], options: TransactionOptions | None = None
) -> TransactionRecord:
    """Pay every ``(address, amount)`` in one transaction (the same contract as :func:`send`)."""
    return await finish_transaction(account, prepare_send(account, recipients, options))


async def send_outputs(
    account: AccountContext, outputs: Sequence[Output], options: TransactionOptions | None = None
) -> TransactionRecord:
    """Create exactly ``outputs`` (plus a remainder if needed); the same contract as :func:`send`."""
    return await finish_transaction(account, prepare_transaction(account, outputs, options))
