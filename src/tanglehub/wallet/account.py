"""``Account``: a thin facade over one account's operations (each lives in ``wallet/operations/``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tanglehub.errors import KeysError
from tanglehub.keys.bech32 import ED25519, decode_address
from tanglehub.protocol.address import Address
from tanglehub.protocol.output import Output
from tanglehub.protocol.payload import MAX_INPUTS
from tanglehub.wallet.errors import AddressNotFoundError
from tanglehub.wallet.operations import addresses as _addresses
from tanglehub.wallet.operations import balance as _balance
from tanglehub.wallet.operations import claim as _claim
from tanglehub.wallet.operations import consolidate as _consolidate
from tanglehub.wallet.operations import outputs as _outputs
from tanglehub.wallet.operations import send as _send
from tanglehub.wallet.operations import tracking as _tracking
from tanglehub.wallet.operations.sync_indexer import SyncResult, sync_account_indexer
from tanglehub.wallet.operations.sync_ledger import sync_ledger
from tanglehub.wallet.operations.transaction import (
    PreparedTransaction,
    SignedTransaction,
    TransactionOptions,
)
from tanglehub.wallet.operations.transaction import prepare_transaction as _prepare
from tanglehub.wallet.operations.transaction import sign_transaction as _sign
from tanglehub.wallet.operations.transaction import submit_transaction as _submit
from tanglehub.wallet.options import OutputFilter, SyncMode, SyncOptions
from tanglehub.wallet.storage_schema import AccountRecord, AddressRecord, OutputRecord, TransactionRecord

if TYPE_CHECKING:
    from tanglehub.wallet.operations.balance import Balance
    from tanglehub.wallet.wallet import Wallet

__all__ = ["Account"]


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
        return (await _addresses.generate_addresses(self, 1, internal))[0]

    async def generate_addresses(self, count: int, internal: bool = False) -> list[AddressRecord]:
        """Generate the next ``count`` addresses of one chain in one batch."""
        return await _addresses.generate_addresses(self, count, internal)

    async def addresses(self, internal: bool | None = None) -> list[AddressRecord]:
        """The account's addresses (one chain, or both when ``internal`` is None)."""
        return await _addresses.list_addresses(self, internal)

    async def latest_unused_address(self, internal: bool = False) -> AddressRecord:
        """The first unused address after the last used one (generated if needed)."""
        return await _addresses.latest_unused_address(self, internal)

    async def address_record(self, bech32: str) -> AddressRecord:
        """The stored record of one of this account's addresses; others raise AddressNotFoundError."""
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

    async def sync(self, options: SyncOptions | None = None) -> SyncResult:
        """Sync this account (indexer mode) or the whole wallet's ledger view (ledger mode)."""
        opts = options or SyncOptions()
        async with self.wallet.sync_lock:
            if opts.mode is SyncMode.LEDGER:
                return await sync_ledger(self.wallet, opts)
            return await sync_account_indexer(self, opts)

    async def balance(self, *, now: int | None = None) -> Balance:
        """The balance from stored outputs at the node's latest milestone time (or ``now``)."""
        return await _balance.get_balance(self, now=now)

    async def outputs(self, flt: OutputFilter | None = None) -> list[OutputRecord]:
        """Stored outputs (spent and unspent) matching ``flt``."""
        return await _outputs.list_outputs(self, flt)

    async def unspent_outputs(self, flt: OutputFilter | None = None) -> list[OutputRecord]:
        """Stored unspent outputs matching ``flt``."""
        f = flt or OutputFilter()
        return await _outputs.list_outputs(
            self, OutputFilter(False, f.address, f.output_type, f.booked_after, f.booked_before)
        )

    async def transactions(
        self, *, state: str | None = None, created_after: int | None = None, created_before: int | None = None
    ) -> list[TransactionRecord]:
        """Stored transactions of this account, optionally filtered."""
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
        """Send ``amount`` to ``address``; returns the pending transaction record."""
        return await _send.send(self, amount, address, options)

    async def send_many(
        self, recipients: Sequence[tuple[str | Address, int]], options: TransactionOptions | None = None
    ) -> TransactionRecord:
        """Pay every ``(address, amount)`` in one transaction."""
        return await _send.send_many(self, recipients, options)

    async def send_outputs(
        self, outputs: Sequence[Output], options: TransactionOptions | None = None
    ) -> TransactionRecord:
        """Create exactly ``outputs`` (plus a remainder if needed)."""
        return await _send.send_outputs(self, outputs, options)

    async def prepare_transaction(
        self, outputs: Sequence[Output], options: TransactionOptions | None = None
    ) -> PreparedTransaction:
        """Select and reserve inputs and build the essence (sign it here or elsewhere)."""
        return await _prepare(self, outputs, options)

    async def sign_transaction(self, prepared: PreparedTransaction) -> SignedTransaction:
        """Sign a prepared transaction, check it and store it as pending."""
        return await _sign(self, prepared)

    async def submit_transaction(self, signed: SignedTransaction) -> bytes:
        """Post a signed transaction in a block; returns the block id."""
        return await _submit(self, signed)

    async def claim_outputs(
        self, output_ids: Sequence[bytes] | None = None, options: TransactionOptions | None = None
    ) -> TransactionRecord | None:
        """Claim outputs with return/expiration conditions (default: every claimable one)."""
        return await _claim.claim_outputs(self, output_ids, options)

    async def consolidate_outputs(
        self,
        *,
        threshold: int = _consolidate.DEFAULT_CONSOLIDATION_THRESHOLD,
        max_inputs: int = MAX_INPUTS,
        target: Address | None = None,
        options: TransactionOptions | None = None,
    ) -> list[TransactionRecord]:
        """Merge many small outputs into few (see ``operations.consolidate``)."""
        return await _consolidate.consolidate_outputs(
            self, threshold=threshold, max_inputs=max_inputs, target=target, options=options
        )

    async def retry_until_included(
        self, tx_id: bytes, interval: float = 1.0, max_attempts: int = 40
    ) -> TransactionRecord:
        """Track (and reattach when needed) until the transaction is confirmed or conflicting."""
        return await _tracking.retry_until_included(self, tx_id, interval, max_attempts)

    async def sync_pending_transactions(self) -> list[TransactionRecord]:
        """Check every pending transaction once."""
        return await _tracking.sync_pending_transactions(self)
