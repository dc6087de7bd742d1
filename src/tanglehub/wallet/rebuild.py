"""Rebuild a wallet's state database from its vault and the ledger, when ``wallet.db`` is missing, was never
finished, or is damaged (:class:`~tanglehub.wallet.layout.WalletState` ``STATE_MISSING``/``STATE_CORRUPT``).

The vault is only read (unlocked with the password: a wrong one changes nothing). Steps, under the
directory's lock:

1. whatever is left of the old ``wallet.db`` is renamed to ``wallet.db.damaged-<UTC time>`` (never deleted);
   what can still be read from it (account aliases and indexes, how many addresses each chain had, the coin
   type) is used below, best effort;
2. a new state database is created; the old accounts are recreated with their aliases and as many addresses
   as they had (addresses handed out but never funded are known again);
3. ``recover_accounts(account_gap, address_gap)`` scans the mnemonic's accounts and addresses on the ledger
   (accounts found beyond the old ones are named ``account-<index>``) and syncs them;
4. the settings are written last, as in ``Wallet.create``: a rebuild cut short is rebuilt again.

What cannot come back: transactions the wallet had signed but not yet seen confirmed (their outputs appear
once the ledger has them), event-log history and consumers' cursors, notes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tanglehub.node import NodePool, TransportFactory
from tanglehub.protocol.params import ProtocolParameters
from tanglehub.vault import VaultStore
from tanglehub.wallet.checks import check_int
from tanglehub.wallet.errors import (
    WalletArgumentError,
    WalletExistsError,
    WalletIncompleteError,
    WalletNotFoundError,
)
from tanglehub.wallet.layout import DB_FILE_NAME, VAULT_FILE_NAME, WalletState, check_state, move_state_aside
from tanglehub.wallet.lifecycle import release_parts
from tanglehub.wallet.lock import WalletLock
from tanglehub.wallet.operations.addresses import MAX_ADDRESS_BATCH
from tanglehub.wallet.settings import WalletSettings, check_paths, make_pool
from tanglehub.wallet.storage import StoreTx, WalletStore

if TYPE_CHECKING:
    from tanglehub.wallet.account import Account
    from tanglehub.wallet.wallet import Wallet

__all__ = ["OldState", "RebuildReport", "read_old_state", "rebuild_coin_type", "rebuild_wallet"]

log = logging.getLogger("tanglehub.wallet.rebuild")


@dataclass(frozen=True, slots=True)
class OldState:
    """What could be read from a damaged or unfinished state database (all empty when nothing could)."""

    accounts: tuple[tuple[int, str], ...] = ()
    """(index, alias) of the old accounts, contiguous from index 0."""
    address_counts: dict[tuple[int, bool], int] = field(default_factory=dict)
    """(account index, internal) -> addresses that chain had."""
    coin_type: int | None = None
    """The coin type stored in the old settings, if readable."""


@dataclass(frozen=True, slots=True)
class RebuildReport:
    """What ``Wallet.rebuild`` did (kept in ``Wallet.last_rebuild``)."""

    moved_aside: tuple[str, ...]
    """File names the old state database was renamed to (kept for inspection)."""
    accounts_from_old_state: int
    """Accounts recreated with their aliases from the old database."""
    accounts: int
    """Accounts the rebuilt wallet has."""


def _read(db: Path) -> OldState:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5.0)
    accounts: list[tuple[int, str]] = []
    counts: dict[tuple[int, bool], int] = {}
    coin_type: int | None = None
    try:
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'coin_type'").fetchone()
            coin_type = None if row is None else int(row[0])
        except (sqlite3.Error, ValueError):
            coin_type = None
        try:
            rows = conn.execute("SELECT idx, alias FROM accounts ORDER BY idx").fetchall()
            for expected, (idx, alias) in enumerate(rows):
                if idx != expected or not isinstance(alias, str):
                    break
                accounts.append((idx, alias))
        except sqlite3.Error:
            accounts = []
        try:
            sql = "SELECT account_idx, internal, max(key_index) + 1 FROM addresses GROUP BY account_idx, internal"
            for idx, internal, count in conn.execute(sql):
                counts[(int(idx), bool(internal))] = int(count)
        except sqlite3.Error:
            counts = {}
    finally:
        conn.close()
    return OldState(tuple(accounts), counts, coin_type)


def read_old_state(db: Path | None) -> OldState:
    """Best effort: what a damaged state database at ``db`` still tells (empty when unreadable)."""
    if db is None or not db.exists() or db.stat().st_size == 0:
        return OldState()
    try:
        return _read(db)
    except sqlite3.Error as exc:
        log.warning("nothing could be read from the old state database %s: %s", db, exc)
        return OldState()


def rebuild_coin_type(coin_type: int | None, old: OldState) -> int:
    """The coin type to rebuild with: the caller's, else the old database's; they must agree."""
    if coin_type is None:
        if old.coin_type is None:
            raise WalletArgumentError(
                "the old state database does not say which coin type the wallet used; pass coin_type "
                "(4218 for IOTA, 4219 for Shimmer)"
            )
        return old.coin_type
    check_int(coin_type, "coin type", 0, 0x7FFF_FFFF)
    if old.coin_type is not None and old.coin_type != coin_type:
        raise WalletArgumentError(
            f"the old state database says the wallet used coin type {old.coin_type}, not {coin_type}; "
            "rebuild with that coin type"
        )
    return coin_type


async def _generate(account: Account, count: int, internal: bool) -> None:
    for start in range(0, count, MAX_ADDRESS_BATCH):
        await account.generate_addresses(min(MAX_ADDRESS_BATCH, count - start), internal)


async def _recreate(wallet: Wallet, old: OldState) -> None:
    """The old accounts with their aliases and address counts (create_account gives one public address)."""
    for index, alias in old.accounts:
        account = await wallet.create_account(alias)
        if account.index != index:  # cannot happen in a fresh database; never mislabel an account
            raise WalletArgumentError(f"account {alias!r} was recreated with index {account.index}, not {index}")
        public = old.address_counts.get((index, False), 1)
        if public > 1:
            await _generate(account, public - 1, False)
        internal = old.address_counts.get((index, True), 0)
        if internal > 0:
            await _generate(account, internal, True)


async def rebuild_wallet(
    cls: type[Wallet],
    path: str | os.PathLike[str],
    *,
    password: str,
    coin_type: int | None,
    node_urls: Sequence[str] | None,
    pool: NodePool | None,
    account_gap: int,
    address_gap: int,
    idle_timeout: float | None,
    transport_factory: TransportFactory | None,
) -> Wallet:
    """``Wallet.rebuild`` (see the module docstring)."""
    directory = check_paths(path, password)
    if coin_type is not None:
        check_int(coin_type, "coin type", 0, 0x7FFF_FFFF)
    check_int(account_gap, "account_gap", 1, 1000)
    check_int(address_gap, "address_gap", 1, 1000)
    vault_path, db_path = directory / VAULT_FILE_NAME, directory / DB_FILE_NAME
    if not vault_path.exists():
        raise WalletNotFoundError(
            f"there is no {VAULT_FILE_NAME} in {directory}, so nothing to rebuild from; restore a backup "
            "(Wallet.restore) or recover from the mnemonic (Wallet.create with mnemonic=..., then "
            "recover_accounts)"
        )
    node, owns = make_pool(node_urls, pool, transport_factory)
    lock: WalletLock | None = None
    store: WalletStore | None = None
    try:
        lock = await asyncio.to_thread(WalletLock.acquire, directory)
        state, _ = await asyncio.to_thread(check_state, directory)
        if state is WalletState.COMPLETE:
            raise WalletExistsError(
                f"the wallet in {directory} is complete; open it (rebuild replaces only a missing or damaged "
                "state database)"
            )
        vault = VaultStore(vault_path, idle_timeout=idle_timeout)
        await vault.unlock_async(password)
        if not vault.has_mnemonic:
            raise WalletIncompleteError(
                f"the vault in {directory} holds no mnemonic, so there is nothing to rebuild; create the wallet "
                "again with Wallet.create"
            )
        old = await asyncio.to_thread(read_old_state, db_path)
        settings_coin_type = rebuild_coin_type(coin_type, old)
        info = await node.get_info()
        params = ProtocolParameters.from_json(info.protocol)
        settings = WalletSettings(settings_coin_type, info.network_name, info.bech32_hrp, params.network_id)
        moved = await asyncio.to_thread(move_state_aside, directory)
        store = await WalletStore.open_async(db_path, create=True)
    except BaseException:
        await release_parts(store, lock, node, owns)
        raise
    wallet = cls(
        path=directory,
        store=store,
        vault=vault,
        node=node,
        owns_node=owns,
        settings=settings,
        params=params,
        lock=lock,
    )

    def write_settings(tx: StoreTx) -> None:  # the completion marker, last (as in Wallet.create)
        for key, value in settings.to_meta().items():
            tx.set_meta(key, value)

    try:
        await _recreate(wallet, old)
        accounts = await wallet.recover_accounts(account_gap, address_gap, sync=True)
        await store.write(write_settings)
    except BaseException:
        await wallet.close()
        raise
    wallet.last_rebuild = RebuildReport(tuple(moved), len(old.accounts), len(accounts))
    log.warning(
        "rebuilt the state of wallet %s from its vault and the ledger: %d account(s) (%d with their old "
        "aliases); the old state database was kept as %s",
        directory,
        len(accounts),
        len(old.accounts),
        ", ".join(moved) or "(none: it was missing)",
    )
    return wallet
