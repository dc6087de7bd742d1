"""Recover accounts and addresses of a wallet made from an existing mnemonic, with gap limits.

Accounts are scanned from index 0. In each account both chains are scanned in windows of ``address_gap``
addresses: the indexer is asked whether each address can unlock any output, and a chain ends after
``address_gap`` consecutive addresses without outputs. An account is in use when any address of it has
outputs; the scan ends after ``account_gap`` consecutive unused accounts. Accounts up to the last used one
are created (indexes are contiguous) with the addresses up to the last used one of each chain (at least one
public address), then each is synced through the indexer. Existing accounts and addresses are kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tanglehub.keys.bech32 import ED25519, encode_address
from tanglehub.node import OutputQuery
from tanglehub.node.routes_indexer import fetch_concurrently
from tanglehub.wallet.checks import check_int
from tanglehub.wallet.operations.sync_indexer import sync_account_indexer
from tanglehub.wallet.options import SyncOptions
from tanglehub.wallet.progress import ProgressStage, report

if TYPE_CHECKING:
    from tanglehub.wallet.account import Account
    from tanglehub.wallet.wallet import Wallet

__all__ = ["recover_accounts", "scan_chain"]


async def scan_chain(wallet: Wallet, account_index: int, internal: bool, gap: int, concurrency: int) -> int:
    """The number of addresses the chain needs: last key index with outputs + 1 (0 when none has any)."""
    needed = 0
    start = 0
    hrp = wallet.bech32_hrp
    chain = "internal" if internal else "public"

    async def has_outputs(h: bytes) -> bool:
        page = await wallet.node.output_ids(OutputQuery(unlockable_by_address=encode_address(hrp, ED25519, h)))
        return bool(page.items)

    while True:
        hashes = await wallet.signer.ed25519_address_hashes(wallet.coin_type, account_index, internal, start, gap)
        used = await fetch_concurrently(has_outputs, hashes, concurrency)
        hits = [start + i for i, u in enumerate(used) if u]
        report(ProgressStage.ACCOUNT_RECOVERY, start + gap, None, f"account {account_index}, {chain} addresses")
        if not hits:
            return needed
        needed = hits[-1] + 1
        start += gap


async def recover_accounts(
    wallet: Wallet, account_gap: int, address_gap: int, *, concurrency: int = 16, sync: bool = True
) -> list[Account]:
    """Find used accounts and addresses (see the module docstring); return every account afterwards."""
    check_int(account_gap, "account_gap", 1, 1000)
    check_int(address_gap, "address_gap", 1, 1000)
    needs: dict[int, tuple[int, int]] = {}
    index = 0
    unused_run = 0
    last_used = -1
    while unused_run < account_gap:
        public = await scan_chain(wallet, index, False, address_gap, concurrency)
        internal = await scan_chain(wallet, index, True, address_gap, concurrency)
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
    accounts = await wallet.accounts()
    if sync:
        for account in accounts:
            await sync_account_indexer(account, SyncOptions(concurrency=concurrency))
    return accounts
