"""Sending: ``send`` (one amount to one address), ``send_many`` (many recipients in one transaction) and
``send_outputs`` (any outputs), each prepare -> sign (with the semantic pre-flight) -> submit.

Amounts are ints of the smallest unit; addresses are bech32 text of the wallet's network or
:class:`~tanglehub.protocol.address.Address` objects. An amount below the storage deposit needs
``TransactionOptions(allow_micro_amount=True)``: it is then sent with a storage deposit return to the
account's first address and an expiration ``options.expiration`` seconds after the latest milestone.

If the node cannot be reached after signing, the transaction stays stored as pending with its inputs
reserved; :func:`tanglehub.wallet.operations.tracking.retry_until_included` (or a restart's recovery) sends
the same payload later.
"""

from __future__ import annotations

from collections.abc import Sequence

from tanglehub.errors import CodecError, KeysError
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
from tanglehub.wallet.operations.transaction.context import AccountContext, NodeView, node_view
from tanglehub.wallet.operations.transaction.errors import TransactionOptionsError
from tanglehub.wallet.operations.transaction.options import TransactionOptions
from tanglehub.wallet.operations.transaction.prepare import (
    PreparedTransaction,
    prepare_transaction,
    recipient_output,
)
from tanglehub.wallet.operations.transaction.sign import sign_transaction
from tanglehub.wallet.operations.transaction.submit import submit_transaction
from tanglehub.wallet.storage_schema import TransactionRecord

__all__ = ["Recipient", "finish_transaction", "parse_address", "prepare_send", "send", "send_many", "send_outputs"]

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
    view = view or await node_view(account.wallet.node)
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


async def finish_transaction(account: AccountContext, prepared: PreparedTransaction) -> TransactionRecord:
    """Sign (with the pre-flight check), store and submit ``prepared``; the stored record afterwards."""
    signed = await sign_transaction(account, prepared)
    await submit_transaction(account, signed)
    tx_id = signed.transaction_id
    rec = await account.wallet.store.read(lambda tx: tx.transaction(tx_id))
    assert rec is not None
    return rec


async def send(
    account: AccountContext, amount: int, address: str | Address, options: TransactionOptions | None = None
) -> TransactionRecord:
    """Send ``amount`` to ``address``; returns the pending transaction record (with its block id)."""
    return await finish_transaction(account, await prepare_send(account, [(address, amount)], options))


async def send_many(
    account: AccountContext, recipients: Sequence[Recipient], options: TransactionOptions | None = None
) -> TransactionRecord:
    """Pay every ``(address, amount)`` in one transaction."""
    return await finish_transaction(account, await prepare_send(account, recipients, options))


async def send_outputs(
    account: AccountContext, outputs: Sequence[Output], options: TransactionOptions | None = None
) -> TransactionRecord:
    """Create exactly ``outputs`` (plus a remainder if needed)."""
    return await finish_transaction(account, await prepare_transaction(account, outputs, options))
