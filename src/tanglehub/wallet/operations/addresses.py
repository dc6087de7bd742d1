"""Address generation: public and internal (change) chains with independent key indexes, batched.

A batch asks the :class:`~tanglehub.vault.signer.Signer` for all public-key hashes at once (one parent node,
one worker-thread hop), encodes them as bech32 and stores them in one database transaction. Generation of
one wallet is serialized by a lock, so two concurrent calls never hand out the same key index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tanglehub.keys.bech32 import ED25519, encode_address
from tanglehub.wallet.checks import check_bool, check_int
from tanglehub.wallet.operations import discovery
from tanglehub.wallet.progress import ProgressStage, tracker
from tanglehub.wallet.storage_schema import AddressRecord

if TYPE_CHECKING:
    from tanglehub.wallet.account import Account

__all__ = ["ADDRESS_CHUNK", "MAX_ADDRESS_BATCH", "generate_addresses", "latest_unused_address", "list_addresses"]

MAX_ADDRESS_BATCH = 100_000
"""The most addresses one call may generate."""
ADDRESS_CHUNK = 10_000
"""Addresses derived and stored per step of a larger call (one signer call, one database transaction)."""


async def generate_addresses(account: Account, count: int, internal: bool = False) -> list[AddressRecord]:
    """Generate and store the next ``count`` addresses (1 to 100,000) of the public (or ``internal``)
    chain, in steps of at most :data:`ADDRESS_CHUNK`."""
    check_int(count, "address count", 1, MAX_ADDRESS_BATCH)
    check_bool(internal, "internal")
    wallet = account.wallet
    records: list[AddressRecord] = []
    chain = "internal" if internal else "public"
    progress = tracker(ProgressStage.ADDRESS_GENERATION, count, f"{account.alias} ({chain})")
    step = ADDRESS_CHUNK if progress is None else min(ADDRESS_CHUNK, max(500, count // 20))
    async with wallet.address_lock:
        start = await wallet.store.read(lambda tx: tx.next_key_index(account.index, internal))
        hrp = wallet.bech32_hrp
        for offset in range(0, count, step):
            first, n = start + offset, min(step, count - offset)
            hashes = await wallet.signer.ed25519_address_hashes(
                wallet.coin_type, account.index, internal, first, n
            )
            chunk = [
                AddressRecord(account.index, internal, first + i, h, encode_address(hrp, ED25519, h), False)
                for i, h in enumerate(hashes)
            ]
            await wallet.store.write(lambda tx, c=chunk: tx.insert_addresses(c))  # type: ignore[misc]
            wallet.remember_addresses(chunk)
            records += chunk
            if progress is not None:
                progress.advance(n)
    return records


async def list_addresses(account: Account, internal: bool | None = None) -> list[AddressRecord]:
    """The account's addresses: one chain, or both (public first) when ``internal`` is None."""
    return await account.wallet.store.read(lambda tx: tx.addresses(account.index, internal))


async def latest_unused_address(account: Account, internal: bool = False) -> AddressRecord:
    """The first address after the last used one on the chain; one is generated when none is left.

    An address counts as unused only once it has been checked against the ledger
    (:mod:`~tanglehub.wallet.operations.discovery`): a pending post-restore gap scan runs first, then every
    address not checked yet (including one generated here) is asked of the indexer, and what it holds is
    stored, which marks it used. So an address that already holds outputs is never handed out. When checks
    are due this waits for a running sync (it takes the wallet's sync lock) and raises the node's errors
    (for example :class:`~tanglehub.node.NoHealthyNode`) rather than answer unchecked.
    """
    wallet = account.wallet
    store = wallet.store
    if not await discovery.needs_checks(wallet):
        found = await store.read(lambda tx: tx.first_unused_address(account.index, internal))
        if found is not None:
            return found
    async with wallet.sync_lock:
        await discovery.scan_after_restore(wallet)
        while True:
            await discovery.check_new_addresses(wallet)
            found = await store.read(lambda tx: tx.first_unused_address(account.index, internal))
            if found is not None:
                return found
            await generate_addresses(account, 1, internal)
