"""``Account``: a thin facade over one account's operations (each lives in ``wallet/operations/``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tanglehub.errors import KeysError
from tanglehub.keys.bech32 import ED25519, decode_address
from tanglehub.protocol.address import Address, AliasAddress, Ed25519Address, NftAddress
from tanglehub.protocol.output import AliasOutput, BasicOutput, FoundryOutput, NftOutput, Output
from tanglehub.protocol.payload import MAX_INPUTS
from tanglehub.wallet.checks import check_bool, check_id, check_instance, check_int, check_number
from tanglehub.wallet.checks import check_optional_bool as _optional_bool
from tanglehub.wallet.errors import AddressNotFoundError, WalletArgumentError
from tanglehub.wallet.operations import addresses as _addresses
from tanglehub.wallet.operations import balance as _balance
from tanglehub.wallet.operations import claim as _claim
from tanglehub.wallet.operations import consolidate as _consolidate
from tanglehub.wallet.operations import discovery as _discovery
from tanglehub.wallet.operations import outputs as _outputs
from tanglehub.wallet.operations import send as _send
from tanglehub.wallet.operations import tracking as _tracking
from tanglehub.wallet.operations.sync_indexer import SyncResult, sync_account_indexer
from tanglehub.wallet.operations.transaction import (
    PreparedTransaction,
    SignedTransaction,
    TransactionOptions,
    TransactionOptionsError,
)
from tanglehub.wallet.operations.transaction import prepare_transaction as _prepare
from tanglehub.wallet.operations.transaction import sign_transaction as _sign
from tanglehub.wallet.operations.transaction import submit_transaction as _submit
from tanglehub.wallet.operations.transaction.contract import before_signing
from tanglehub.wallet.options import OutputFilter, SyncMode, SyncOptions
from tanglehub.wallet.progress import ProgressCallback, progress_scope
from tanglehub.wallet.storage_schema import AccountRecord, AddressRecord, OutputRecord, TransactionRecord

if TYPE_CHECKING:
    from tanglehub.wallet.operations.balance import Balance
    from tanglehub.wallet.wallet import Wallet

__all__ = ["Account"]

_TX_STATES = ("pending", "confirmed", "conflicting")


def _options(options: object) -> TransactionOptions | None:
    if options is not None and not isinstance(options, TransactionOptions):
        raise TransactionOptionsError(f"options must be TransactionOptions, got {type(options).__name__}")
    return options


def _outputs_arg(outputs: object) -> list[Output]:
    if isinstance(outputs, str | bytes) or not isinstance(outputs, Sequence):
        raise TransactionOptionsError("outputs must be a list of Output objects")
    items = list(outputs)
    for i, o in enumerate(items):
        if not isinstance(o, BasicOutput | AliasOutput | FoundryOutput | NftOutput):
            raise TransactionOptionsError(f"outputs[{i}] is not an Output object but {type(o).__name__}")
    return items


def _recipients(recipients: object) -> list[tuple[str | Address, int]]:
    if isinstance(recipients, str | bytes) or not isinstance(recipients, Sequence):
        raise TransactionOptionsError("recipients must be a list of (address, amount) pairs")
    out: list[tuple[str | Address, int]] = []
    for i, item in enumerate(recipients):
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise TransactionOptionsError(f"recipients[{i}] must be an (address, amount) pair")
        out.append((item[0], item[1]))
    return out


class Account:
    """One BIP44 account of a :class:`~tanglehub.wallet.wallet.Wallet` (get it from the wallet)."""

    __slots__ = ("_record", "wallet")

    def __init__(self, wallet: Wallet, record: AccountRecord) -> None:
        self.wallet = wallet
        self._record = record

    def __repr__(self) -> str:
        return f"Account(index={self.index}, alias={self.alias!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Account) and other.wallet is self.wallet and other.index == self.index

    def __hash__(self) -> int:
        return hash((id(self.wallet), self.index))

    @property
    def index(self) -> int:
        """The BIP44 account index."""
        return self._record.index

    @property
    def alias(self) -> str:
        """The account's unique alias."""
        return self._record.alias

    @property
    def record(self) -> AccountRecord:
        """The stored account row."""
        return self._record

    # -- addresses ------------------------------------------------------------------------------------------

    async def generate_address(self, internal: bool = False) -> AddressRecord:
        """Generate the next address of the public (or ``internal``) chain."""
        return (await _addresses.generate_addresses(self, 1, check_bool(internal, "internal")))[0]

    async def generate_addresses(
        self, count: int, internal: bool = False, *, progress: ProgressCallback | None = None
    ) -> list[AddressRecord]:
        """Generate the next ``count`` addresses of one chain in one batch (``progress``: see
        :mod:`tanglehub.wallet.progress`)."""
        with progress_scope(progress):
            return await _addresses.generate_addresses(self, count, internal)

    async def addresses(self, internal: bool | None = None) -> list[AddressRecord]:
        """The account's addresses (one chain, or both when ``internal`` is None)."""
        return await _addresses.list_addresses(self, _optional_bool(internal, "internal"))

    async def latest_unused_address(self, internal: bool = False) -> AddressRecord:
        """The first unused address after the last used one (generated if needed); never one that already
        holds outputs or, after a restore, one with ledger history (see ``operations.addresses``)."""
        return await _addresses.latest_unused_address(self, check_bool(internal, "internal"))

    async def address_record(self, bech32: str) -> AddressRecord:
        """The stored record of one of this account's addresses; others raise AddressNotFoundError."""
        if not isinstance(bech32, str):
            raise AddressNotFoundError(f"an address is bech32 text, got {type(bech32).__name__}")
        try:
            _, kind, body = decode_address(bech32, self.wallet.bech32_hrp)
        except KeysError as exc:
            raise AddressNotFoundError(f"{bech32!r} is not an address of this network: {exc}") from exc
        record = None
        if kind == ED25519:
            record = await self.wallet.store.read(lambda tx: tx.address_by_hash(body))
        if record is None or record.account_index != self.index:
            raise AddressNotFoundError(f"{bech32} is not an address of account {self.alias!r}")
        return record

    # -- sync, balance, listings ----------------------------------------------------------------------------

    async def sync(
        self, options: SyncOptions | None = None, *, progress: ProgressCallback | None = None
    ) -> SyncResult:
        """Sync this account (indexer mode) or the whole wallet's ledger view (ledger mode); ``progress``: see
        :mod:`tanglehub.wallet.progress`.

        Both modes first run the gap scan that follows a restore, and ledger mode checks addresses stored
        since the last check (see ``operations.discovery``)."""
        opts = options or SyncOptions()
        check_instance(opts, SyncOptions, "options")
        with progress_scope(progress):
            return await self._sync(opts)

    async def _sync(self, opts: SyncOptions) -> SyncResult:
        async with self.wallet.sync_lock:
            if opts.mode is SyncMode.LEDGER:
                return await _discovery.ledger_sync(self.wallet, opts)
            await _discovery.scan_after_restore(self.wallet, concurrency=opts.concurrency)
            return await sync_account_indexer(self, opts)

    async def balance(self, *, now: int | None = None) -> Balance:
        """The balance from stored outputs at the node's latest milestone time (or ``now``; the local clock
        when no node answers), field by field as the official SDK reports it: ``available`` is what can be
        spent now, and unclaimed outputs with a pending expiration are only listed as potentially locked."""
        if now is not None:
            check_int(now, "now", 0, 2**32 - 1)
        return await _balance.get_balance(self, now=now)

    async def outputs(self, flt: OutputFilter | None = None) -> list[OutputRecord]:
        """Stored outputs (spent and unspent) matching ``flt``."""
        if flt is not None:
            check_instance(flt, OutputFilter, "the output filter")
        return await _outputs.list_outputs(self, flt)

    async def unspent_outputs(self, flt: OutputFilter | None = None) -> list[OutputRecord]:
        """Stored unspent outputs matching ``flt``."""
        f = check_instance(flt or OutputFilter(), OutputFilter, "the output filter")
        return await _outputs.list_outputs(
            self, OutputFilter(False, f.address, f.output_type, f.booked_after, f.booked_before)
        )

    async def transactions(
        self, *, state: str | None = None, created_after: int | None = None, created_before: int | None = None
    ) -> list[TransactionRecord]:
        """Stored transactions of this account, optionally filtered (``state``: pending, confirmed or
        conflicting; ``created_*``: unix seconds)."""
        if state is not None and state not in _TX_STATES:
            raise WalletArgumentError(f"state must be one of {', '.join(_TX_STATES)}, got {state!r}")
        for name, value in (("created_after", created_after), ("created_before", created_before)):
            if value is not None:
                check_int(value, name, 0)
        return await _outputs.list_transactions(
            self, state=state, created_after=created_after, created_before=created_before
        )

    async def pending_transactions(self) -> list[TransactionRecord]:
        """Transactions not yet confirmed or conflicting."""
        return await self.transactions(state="pending")

    # -- sending and tracking (implemented in operations.send / .transaction / .claim / .consolidate /
    #    .tracking; these are thin delegations) ----------------------------------------------------------

    async def send(
        self, amount: int, address: str | Address, options: TransactionOptions | None = None
    ) -> TransactionRecord:
        """Send ``amount`` to ``address``; returns the pending transaction record.

        The send contract (here and for :meth:`send_many`, :meth:`send_outputs`, :meth:`claim_outputs`,
        :meth:`consolidate_outputs`): an exception means **nothing was signed** (its message says so,
        ``exc.nothing_signed`` is True, and retrying cannot pay twice). Once the transaction is signed the
        call returns its pending record, even when the node could not be reached to post it: do not send
        again, follow ``record.tx_id`` with :meth:`retry_until_included` (tracking and the next
        ``Wallet.open`` post the same payload). See ``operations.transaction.contract``.
        """
        with before_signing():
            opts = _options(options)
        return await _send.send(self, amount, address, opts)

    async def send_many(
        self, recipients: Sequence[tuple[str | Address, int]], options: TransactionOptions | None = None
    ) -> TransactionRecord:
        """Pay every ``(address, amount)`` in one transaction (the contract of :meth:`send`)."""
        with before_signing():
            pairs, opts = _recipients(recipients), _options(options)
        return await _send.send_many(self, pairs, opts)

    async def send_outputs(
        self, outputs: Sequence[Output], options: TransactionOptions | None = None
    ) -> TransactionRecord:
        """Create exactly ``outputs`` (plus a remainder if needed); the contract of :meth:`send`."""
        with before_signing():
            items, opts = _outputs_arg(outputs), _options(options)
        return await _send.send_outputs(self, items, opts)

    async def prepare_transaction(
        self, outputs: Sequence[Output], options: TransactionOptions | None = None
    ) -> PreparedTransaction:
        """Select and reserve inputs and build the essence (sign it here or elsewhere)."""
        return await _prepare(self, _outputs_arg(outputs), _options(options))

    async def sign_transaction(self, prepared: PreparedTransaction) -> SignedTransaction:
        """Sign a prepared transaction, check it and store it as pending. An error means nothing was stored
        (the reserved inputs are released); afterwards ``signed.transaction_id`` names the transaction."""
        check_instance(prepared, PreparedTransaction, "prepared", TransactionOptionsError)
        return await _sign(self, prepared)

    async def submit_transaction(self, signed: SignedTransaction) -> bytes:
        """Post a signed transaction in a block; returns the block id.

        Node errors are raised as they are: the transaction (``signed.transaction_id``) stays stored as
        pending and is posted by tracking or the next open; submitting the same ``signed`` again is safe."""
        check_instance(signed, SignedTransaction, "signed", TransactionOptionsError)
        return await _submit(self, signed)

    async def claim_outputs(
        self, output_ids: Sequence[bytes | str] | None = None, options: TransactionOptions | None = None
    ) -> TransactionRecord | None:
        """Claim outputs with return/expiration conditions (default: every claimable one; ids as bytes or hex
        text); ``None`` when there is nothing to claim. The contract of :meth:`send`."""
        with before_signing():
            ids = None
            if output_ids is not None:
                if isinstance(output_ids, bytes | str) or not isinstance(output_ids, Sequence):
                    raise TransactionOptionsError("output_ids must be a list of 34-byte output ids")
                ids = [
                    check_id(o, f"output_ids[{i}]", 34, TransactionOptionsError) for i, o in enumerate(output_ids)
                ]
            opts = _options(options)
        return await _claim.claim_outputs(self, ids, opts)

    async def consolidate_outputs(
        self,
        *,
        threshold: int = _consolidate.DEFAULT_CONSOLIDATION_THRESHOLD,
        max_inputs: int = MAX_INPUTS,
        target: Address | None = None,
        options: TransactionOptions | None = None,
    ) -> list[TransactionRecord]:
        """Merge many small outputs into few (see ``operations.consolidate``). The contract of :meth:`send`
        for the whole call: an error means nothing was signed by it; if a later batch fails before signing,
        the batches already signed are returned."""
        with before_signing():
            check_int(threshold, "threshold", 2, None, TransactionOptionsError)
            check_int(max_inputs, "max_inputs", 2, MAX_INPUTS, TransactionOptionsError)
            if target is not None and not isinstance(target, Ed25519Address | AliasAddress | NftAddress):
                raise TransactionOptionsError(f"target must be an Address object, got {type(target).__name__}")
            opts = _options(options)
        return await _consolidate.consolidate_outputs(
            self, threshold=threshold, max_inputs=max_inputs, target=target, options=opts
        )

    async def retry_until_included(
        self, tx_id: bytes | str, interval: float = 1.0, max_attempts: int = 40
    ) -> TransactionRecord:
        """Track (and reattach when needed) until the transaction is confirmed or conflicting; ``tx_id`` is
        the 32-byte id or its hex text (``0x...``, as printed)."""
        raw = check_id(tx_id, "tx_id", 32, TransactionOptionsError)
        check_number(interval, "interval", 0.0, TransactionOptionsError)
        check_int(max_attempts, "max_attempts", 1, None, TransactionOptionsError)
        return await _tracking.retry_until_included(self, raw, interval, max_attempts)

    async def sync_pending_transactions(self) -> list[TransactionRecord]:
        """Check every pending transaction once."""
        return await _tracking.sync_pending_transactions(self)
