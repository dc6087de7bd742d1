"""``Wallet``: the AccountManager role. A directory with an encrypted vault and a state database.

Layout of a wallet directory (mode 0700)::

    wallet.vault   the mnemonic, encrypted (tanglehub.vault; Argon2id + XChaCha20-Poly1305, mode 0600)
    wallet.db      accounts, addresses, outputs, transactions, events (tanglehub.wallet.storage, mode 0600)
    wallet.lock    held (flock) by the one process that has the wallet open (tanglehub.wallet.lock)

``await Wallet.create(path, password=..., node_urls=[...], coin_type=...)`` makes a new wallet (a new
mnemonic is generated unless one is given, and can be read once with :meth:`Wallet.take_new_mnemonic`);
``await Wallet.open(path, password=..., node_urls=[...])`` opens it again. Both check the node's network
against the wallet's and refuse a mismatch. Use ``async with`` or :meth:`close`.

Only one process (and one ``Wallet`` object) may have a directory open: a second ``create``/``open`` fails at
once with :class:`WalletInUseError`. ``create`` is crash-safe: the database's settings are written last
(:mod:`tanglehub.wallet.layout`). A vault holding a mnemonic is never deleted or replaced: beside a missing,
unfinished or damaged ``wallet.db`` it makes ``create``/``open`` raise :class:`WalletRebuildNeededError`
(or :class:`WalletStateCorruptError`), and :meth:`Wallet.rebuild` recreates the state from it and the ledger.
``open`` runs :func:`~tanglehub.wallet.operations.tracking.recover_after_restart` for every account (unless
``recover=False``): reservations of never-submitted transactions are released, signed but unposted payloads
are posted (the same payload), inputs the ledger shows spent are marked spent.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from tanglehub.errors import KeysError
from tanglehub.keys.bech32 import ED25519, decode_address
from tanglehub.node import NodePool, TransportFactory
from tanglehub.protocol.params import ProtocolParameters
from tanglehub.vault import DEFAULT_IDLE_TIMEOUT, KdfParams, OneTimeMnemonic, VaultSigner, VaultStore
from tanglehub.vault.errors import MnemonicAlreadyRevealedError
from tanglehub.wallet.account import Account
from tanglehub.wallet.backup import restore_backup, write_backup
from tanglehub.wallet.checks import check_alias, check_bool, check_instance
from tanglehub.wallet.errors import (
    AccountNotFoundError,
    WalletArgumentError,
)
from tanglehub.wallet.events import EventBus
from tanglehub.wallet.layout import VAULT_FILE_NAME
from tanglehub.wallet.lifecycle import create_parts, open_parts
from tanglehub.wallet.lock import WalletLock
from tanglehub.wallet.operations import discovery
from tanglehub.wallet.operations.recover import recover_accounts
from tanglehub.wallet.operations.sync_indexer import SyncResult, sync_account_indexer
from tanglehub.wallet.operations.tracking import RecoveryReport, recover_wallet
from tanglehub.wallet.options import SyncMode, SyncOptions
from tanglehub.wallet.progress import ProgressCallback, progress_scope
from tanglehub.wallet.rebuild import RebuildReport, rebuild_wallet
from tanglehub.wallet.settings import (
    WalletSettings,
    check_coin_type,
    check_paths,
)
from tanglehub.wallet.storage import StoreTx, WalletStore
from tanglehub.wallet.storage_schema import AccountRecord, AddressRecord

__all__ = ["VAULT_FILE_NAME", "Wallet", "WalletSettings"]

log = logging.getLogger("tanglehub.wallet")


def _accounts_with_work(tx: StoreTx) -> list[AccountRecord]:
    busy = {r.account_index for r in tx.reservations()} | {
        t.account_index for t in tx.transactions(state="pending")
    }
    return [a for a in tx.accounts() if a.index in busy]


class Wallet:
    """A wallet: vault + state store + node pool + event bus. Build it with :meth:`create` or :meth:`open`."""

    def __init__(
        self,
        *,
        path: Path,
        store: WalletStore,
        vault: VaultStore,
        node: NodePool,
        owns_node: bool,
        settings: WalletSettings,
        params: ProtocolParameters,
        new_mnemonic: OneTimeMnemonic | None = None,
        lock: WalletLock | None = None,
    ) -> None:
        self._path = path
        self._lock = lock
        self.store = store
        """The state database."""
        self.vault = vault
        self.signer = VaultSigner(vault)
        """Derives addresses and signs; the only way to the keys."""
        self.node = node
        """The node pool every operation uses."""
        self._owns_node = owns_node
        self.settings = settings
        self.protocol_parameters = params
        """The network's protocol parameters (from the node at open time)."""
        self._new_mnemonic = new_mnemonic
        self.events = EventBus(store)
        """Callbacks and durable streams of wallet events."""
        self.address_lock = asyncio.Lock()
        """Serializes address generation (key indexes are handed out once)."""
        self.sync_lock = asyncio.Lock()
        """Serializes syncs (the ledger cursor only moves forward)."""
        self._address_map: dict[bytes, int] | None = None
        self._closed = False
        self.last_recovery: dict[int, RecoveryReport] = {}
        """What the recovery run by :meth:`open` (or :meth:`recover_after_restart`) did, by account index."""
        self.last_rebuild: RebuildReport | None = None
        self.offline = False
        """True when opened with ``offline=True`` (the node is never asked)."""
        """What :meth:`rebuild` did (None for a wallet that was created, opened or restored)."""

    def __repr__(self) -> str:
        return f"Wallet({str(self._path)!r}, network={self.network_name!r}, coin_type={self.coin_type})"

    # -- construction ---------------------------------------------------------------------------------------

    @classmethod
    async def create(
        cls,
        path: str | os.PathLike[str],
        *,
        password: str,
        coin_type: int,
        node_urls: Sequence[str] | None = None,
        pool: NodePool | None = None,
        mnemonic: str | None = None,
        kdf: KdfParams = KdfParams.MODERATE,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        transport_factory: TransportFactory | None = None,
    ) -> Wallet:
        """Create a wallet in directory ``path`` bound to the node's network and ``coin_type``.

        Without ``mnemonic`` a 24-word one is generated inside the vault; read it once with
        :meth:`take_new_mnemonic` and write it down.
        """
        parts = await create_parts(
            path,
            password=password,
            coin_type=coin_type,
            node_urls=node_urls,
            pool=pool,
            mnemonic=mnemonic,
            kdf=kdf,
            idle_timeout=idle_timeout,
            transport_factory=transport_factory,
        )
        return cls(**parts)

    @classmethod
    async def open(
        cls,
        path: str | os.PathLike[str],
        *,
        password: str,
        node_urls: Sequence[str] | None = None,
        pool: NodePool | None = None,
        coin_type: int | None = None,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        transport_factory: TransportFactory | None = None,
        recover: bool = True,
        offline: bool = False,
    ) -> Wallet:
        """Open the wallet in ``path``; the node must serve the wallet's network (and ``coin_type`` match).

        With ``recover`` (the default) every account is recovered after a possible crash (see the module
        docstring; the result is in :attr:`last_recovery` and one log line per account that needed it).
        ``offline=True`` never asks the node (for reading stored state: accounts, addresses, balances,
        events): the protocol parameters stored by the last open with a node are used, the network is not
        checked and nothing is recovered; :class:`WalletOfflineUnavailableError` if none are stored yet.
        """
        parts = await open_parts(
            path,
            password=password,
            node_urls=node_urls,
            pool=pool,
            coin_type=coin_type,
            idle_timeout=idle_timeout,
            transport_factory=transport_factory,
            offline=check_bool(offline, "offline"),
        )
        wallet = cls(**parts)
        wallet.offline = offline
        if recover and not offline:
            try:
                await wallet.recover_after_restart()
            except BaseException:
                await wallet.close()
                raise
        return wallet

    @classmethod
    async def rebuild(
        cls,
        path: str | os.PathLike[str],
        *,
        password: str,
        coin_type: int | None = None,
        node_urls: Sequence[str] | None = None,
        pool: NodePool | None = None,
        account_gap: int = 3,
        address_gap: int = 20,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        transport_factory: TransportFactory | None = None,
        progress: ProgressCallback | None = None,
    ) -> Wallet:
        """Rebuild a missing, unfinished or damaged ``wallet.db`` from the vault (only read, with
        ``password``) and the ledger; returns the open wallet (report in :attr:`last_rebuild`). Details,
        gap limits and what cannot come back: :mod:`tanglehub.wallet.rebuild`. ``progress`` is called as
        addresses are checked (:mod:`tanglehub.wallet.progress`)."""
        with progress_scope(progress):
            return await rebuild_wallet(
                cls,
                path,
                password=password,
                coin_type=coin_type,
                node_urls=node_urls,
                pool=pool,
                account_gap=account_gap,
                address_gap=address_gap,
                idle_timeout=idle_timeout,
                transport_factory=transport_factory,
            )

    async def recover_after_restart(self) -> dict[int, RecoveryReport]:
        """Run the crash recovery (``operations.tracking.recover_after_restart``) of every account that has
        reserved inputs or pending transactions (one query finds them, so opening a wallet with many idle
        accounts stays cheap); returns (and keeps in :attr:`last_recovery`) those accounts' reports."""
        async with self.sync_lock:
            reports = await recover_wallet(
                self, [Account(self, r) for r in await self.store.read(_accounts_with_work)]
            )
        self.last_recovery = reports
        return reports

    def take_new_mnemonic(self) -> str:
        """The mnemonic generated by :meth:`create`, exactly once; write it down and keep it offline."""
        if self._new_mnemonic is None:
            raise MnemonicAlreadyRevealedError(
                "this wallet has no freshly generated mnemonic to show (it was given, or already shown once)"
            )
        words = self._new_mnemonic.reveal()
        self._new_mnemonic = None
        return words

    async def unlock(self, password: str) -> None:
        """Unlock the vault again after its idle timeout locked it."""
        await self.signer.unlock(password)

    # -- properties -----------------------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The wallet directory."""
        return self._path

    @property
    def coin_type(self) -> int:
        """The BIP44 coin type of every account."""
        return self.settings.coin_type

    @property
    def network_name(self) -> str:
        """The network this wallet belongs to."""
        return self.settings.network_name

    @property
    def bech32_hrp(self) -> str:
        """The bech32 HRP of the wallet's addresses."""
        return self.settings.bech32_hrp

    @property
    def network_id(self) -> int:
        """The network id transactions of this wallet carry."""
        return self.settings.network_id

    # -- accounts -------------------------------------------------------------------------------------------

    async def create_account(self, alias: str) -> Account:
        """Create an account with the next index and a unique ``alias``; it starts with one public address."""
        check_alias(alias)
        record = await self.store.write(lambda tx: tx.create_account(alias))
        account = Account(self, record)
        await account.generate_address()
        return account

    async def get_account(self, alias_or_index: str | int) -> Account:
        """The account with this alias (str) or index (int)."""
        key = alias_or_index
        record: AccountRecord | None
        if isinstance(key, int) and not isinstance(key, bool):
            record = await self.store.read(lambda tx: tx.account(key))
        elif isinstance(key, str):
            record = await self.store.read(lambda tx: tx.account_by_alias(key))
        else:
            raise WalletArgumentError("an account is looked up by its alias (text) or its index (integer)")
        if record is None:
            what = f"index {key}" if isinstance(key, int) else f"alias {key!r}"
            raise AccountNotFoundError(f"this wallet has no account with {what}")
        return Account(self, record)

    async def accounts(self) -> list[Account]:
        """Every account, by index."""
        return [Account(self, r) for r in await self.store.read(lambda tx: tx.accounts())]

    async def find_account_by_address(self, bech32: str) -> Account:
        """The account owning the address ``bech32`` (one indexed lookup)."""
        if not isinstance(bech32, str):
            raise AccountNotFoundError(f"an address is bech32 text, got {type(bech32).__name__}")
        try:
            _, kind, body = decode_address(bech32, self.bech32_hrp)
        except KeysError as exc:
            raise AccountNotFoundError(
                f"{bech32!r} is not an address of network {self.network_name}: {exc}"
            ) from exc
        if kind != ED25519:
            raise AccountNotFoundError(f"{bech32} is not an Ed25519 address, so no account owns it")
        record = await self.store.read(lambda tx: tx.address_by_hash(body))
        if record is None:
            raise AccountNotFoundError(f"no account of this wallet has the address {bech32}")
        return await self.get_account(record.account_index)

    async def recover_accounts(
        self,
        account_gap: int,
        address_gap: int,
        *,
        sync: bool = True,
        history: bool = True,
        progress: ProgressCallback | None = None,
    ) -> list[Account]:
        """Scan accounts and addresses of the mnemonic with gap limits (see ``operations.recover``): an
        address with any ledger history the node keeps counts as used (``history=False``: only unspent);
        ``progress`` is called as addresses are checked (:mod:`tanglehub.wallet.progress`)."""
        with progress_scope(progress):
            async with self.sync_lock:
                return await recover_accounts(self, account_gap, address_gap, sync=sync, history=history)

    # -- address index --------------------------------------------------------------------------------------

    async def address_map(self) -> dict[bytes, int]:
        """Every address hash of the wallet mapped to its account (loaded once, kept up to date)."""
        if self._address_map is None:
            self._address_map = await self.store.read(lambda tx: tx.address_hashes())
        return self._address_map

    def remember_addresses(self, records: Sequence[AddressRecord]) -> None:
        """Add freshly stored addresses to the in-memory address index."""
        if self._address_map is not None:
            for r in records:
                self._address_map[r.hash] = r.account_index

    # -- sync -----------------------------------------------------------------------------------------------

    async def sync(
        self, options: SyncOptions | None = None, *, progress: ProgressCallback | None = None
    ) -> SyncResult:
        """Sync every account: ledger mode once for all, or indexer mode account by account; ``progress`` is
        called as addresses are queried and milestones read (:mod:`tanglehub.wallet.progress`).

        Both modes first run the gap scan that follows a restore; ledger mode then checks addresses stored
        since the last check (see ``operations.discovery``)."""
        opts = check_instance(options or SyncOptions(), SyncOptions, "options")
        with progress_scope(progress):
            return await self._sync(opts)

    async def _sync(self, opts: SyncOptions) -> SyncResult:
        async with self.sync_lock:
            if opts.mode is SyncMode.LEDGER:
                return await discovery.ledger_sync(self, opts)
            await discovery.scan_after_restore(self, concurrency=opts.concurrency)
            rowid, _ = await discovery.unchecked_addresses(self)
            result = SyncResult()
            for account in await self.accounts():
                result = result.merged(await sync_account_indexer(account, opts))
            if opts.internal and rowid:
                await discovery.mark_checked(self, rowid)
            return result

    # -- backup ---------------------------------------------------------------------------------------------

    async def backup(
        self,
        dest_path: str | os.PathLike[str],
        backup_password: str,
        *,
        kdf: KdfParams | None = None,
        overwrite: bool = False,
    ) -> Path:
        """Write one encrypted backup file (vault + state snapshot) to ``dest_path`` (the vault must be
        unlocked). ``kdf`` sets the Argon2id cost of the backup password (default: the vault's own, so a
        backup is never weaker than the vault). An existing file is refused (:class:`BackupExistsError`)
        unless ``overwrite=True``."""
        dest = check_paths(dest_path, backup_password)
        if kdf is not None:
            check_instance(kdf, KdfParams, "kdf")
        return await write_backup(
            self, dest, backup_password, kdf=kdf, overwrite=check_bool(overwrite, "overwrite")
        )

    async def change_password(self, old_password: str, new_password: str, *, kdf: KdfParams | None = None) -> None:
        """Re-encrypt the vault under ``new_password`` (atomically; ``old_password`` stops working).

        The vault keeps its Argon2id strength (its stored parameters) unless ``kdf`` is given. A wrong
        ``old_password`` raises :class:`~tanglehub.vault.WrongPasswordError` and changes nothing. Backups
        made earlier keep the password they were made with."""
        check_paths(self._path, old_password)
        check_paths(self._path, new_password)
        if new_password == old_password:
            raise WalletArgumentError("the new password is the current password; nothing was changed")
        if kdf is not None:
            check_instance(kdf, KdfParams, "kdf")
        await self.vault.change_password_async(old_password, new_password, kdf=kdf)

    @classmethod
    async def restore(
        cls,
        backup_path: str | os.PathLike[str],
        dest_dir: str | os.PathLike[str],
        backup_password: str,
        *,
        coin_type: int,
        node_urls: Sequence[str] | None = None,
        pool: NodePool | None = None,
        network_name: str | None = None,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        transport_factory: TransportFactory | None = None,
    ) -> Wallet:
        """Restore a backup into the new wallet directory ``dest_dir`` (its password is ``backup_password``)."""
        check_coin_type(coin_type)
        await restore_backup(
            check_paths(backup_path, backup_password),
            check_paths(dest_dir, backup_password),
            backup_password,
            coin_type=coin_type,
            node_urls=node_urls,
            pool=pool,
            network_name=network_name,
            transport_factory=transport_factory,
        )
        return await cls.open(
            dest_dir,
            password=backup_password,
            node_urls=node_urls,
            pool=pool,
            coin_type=coin_type,
            idle_timeout=idle_timeout,
            transport_factory=transport_factory,
        )

    # -- closing --------------------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._closed

    async def close(self) -> None:
        """Stop event delivery, close the database, lock the vault and (if owned) the node pool."""
        if self._closed:
            return
        self._closed = True
        try:
            await self.events.close()
            await self.store.aclose()
            self.vault.lock()
            if self._owns_node:
                await self.node.aclose()
        finally:
            if self._lock is not None:
                self._lock.release()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
