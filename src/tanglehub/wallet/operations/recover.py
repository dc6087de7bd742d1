"""Recover accounts and addresses of a wallet made from an existing mnemonic, with gap limits.

Accounts are scanned from index 0. In each account both chains are scanned in windows of ``address_gap``
addresses. An address is **used** when it has any ledger history the node can tell: the indexer lists an
output it can unlock, or the node's kept milestone history shows it receiving an output or signing a spend
(:mod:`~tanglehub.wallet.operations.history`; read once per call, so a run of spent change addresses does
not end the scan). A chain ends after ``address_gap`` consecutive unused addresses. An account is in use when
any address of it is used; the scan ends after ``account_gap`` consecutive unused accounts. Accounts up to
the last used one are created (indexes are contiguous) with the addresses up to the last used one of each
chain (at least one public address); stored addresses with history are marked used, and each account is
synced through the indexer. Existing accounts and addresses are kept.

``history=False`` skips the milestone walk (cheaper on a node that keeps a long history), and then only
addresses holding unspent outputs count as used, as in the official SDK.
"""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING

from tanglehub.keys.bech32 import ED25519, encode_address
from tanglehub.node import OutputQuery
from tanglehub.node.routes_indexer import fetch_concurrently
from tanglehub.wallet.checks import check_bool, check_int
from tanglehub.wallet.operations.history import addresses_with_history
from tanglehub.wallet.operations.sync_indexer import sync_account_indexer
from tanglehub.wallet.options import SyncOptions
from tanglehub.wallet.progress import ProgressStage, report
from tanglehub.wallet.storage import StoreTx

if TYPE_CHECKING:
    from tanglehub.wallet.account import Account
    from tanglehub.wallet.wallet import Wallet

__all__ = ["mark_history_used", "recover_accounts", "scan_chain"]


async def scan_chain(
    wallet: Wallet,
    account_index: int,
    internal: bool,
    gap: int,
    concurrency: int,
    *,
    start: int = 0,
    history: Container[bytes] = frozenset(),
) -> int:
    """The number of addresses the chain needs: last used key index + 1 (``start`` when none from ``start``
    on is used). An address is used when the indexer lists an output for it or its hash is in ``history``;
    the scan ends after ``gap`` consecutive unused key indexes."""
    needed = start
    hrp = wallet.bech32_hrp
    chain = "internal" if internal else "public"

    async def used(h: bytes) -> bool:
        if h in history:
            return True
        page = await wallet.node.output_ids(OutputQuery(unlockable_by_address=encode_address(hrp, ED25519, h)))
        return bool(page.items)

    while True:
        hashes = await wallet.signer.ed25519_address_hashes(wallet.coin_type, account_index, internal, start, gap)
        hits = [start + i for i, u in enumerate(await fetch_concurrently(used, hashes, concurrency)) if u]
        report(ProgressStage.ACCOUNT_RECOVERY, start + gap, None, f"account {account_index}, {chain} addresses")
        if not hits:
            return needed
        needed = hits[-1] + 1
        start += gap


async def mark_history_used(wallet: Wallet, history: Container[bytes]) -> None:
    """Mark every stored address whose hash is in ``history`` as used (one database transaction)."""

    def mark(tx: StoreTx) -> None:
        for _, address in tx.addresses_after(0):
            if not address.used and address.hash in history:
                tx.mark_address_used(address.hash)

    await wallet.store.write(mark)


async def recover_accounts(
    wallet: Wallet,
    account_gap: int,
    address_gap: int,
    *,
    concurrency: int = 16,
    sync: bool = True,
    history: bool = True,
) -> list[Account]:
    """Find used accounts and addresses (see the module docstring); return every account afterwards.

    Raises :class:`~tanglehub.wallet.WalletArgumentError` for a gap outside 1..1000 and the node's errors.
    """
    check_int(account_gap, "account_gap", 1, 1000)
    check_int(address_gap, "address_gap", 1, 1000)
    check_bool(history, "history")
    seen: set[bytes] = await addresses_with_history(wallet, 0, concurrency) if history else set()
    needs: dict[int, tuple[int, int]] = {}
    index = 0
    unused_run = 0
    last_used = -1
    while unused_run < account_gap:
        public = await scan_chain(wallet, index, False, address_gap, concurrency, history=seen)
        internal = await scan_chain(wallet, index, True, address_gap, concurrency, history=seen)
        needs[index] = (public, internal)
        if public or internal:
            last_used = index
            unused_run = 0
        else:
            unused_run += 1
        index += 1
    existing = {a.index: a for a in await wallet.accounts()}
    for i in range(last_used + 1):
        account = existing.get(i)
        if account is None:
            account = await wallet.create_account(f"account-{i}")
        public, internal = needs[i]
        have_public = len(await account.addresses(internal=False))
        have_internal = len(await account.addresses(internal=True))
        if max(public, 1) > have_public:
            await account.generate_addresses(max(public, 1) - have_public)
        if internal > have_internal:
            await account.generate_addresses(internal - have_internal, internal=True)
    await mark_history_used(wallet, seen)
    accounts = await wallet.accounts()
    if sync:
        for account in accounts:
            await sync_account_indexer(account, SyncOptions(concurrency=concurrency))
    return accounts
