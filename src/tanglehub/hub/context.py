"""``HubContext``: what every part of a running hub shares, built by :func:`open_hub`, closed by ``aclose``.

:func:`open_hub` opens (and migrates) the database, takes the SQLite process lock, connects the node pool and
checks the node's network and bech32 HRP against the settings (a hub for one network refuses a node of
another), opens the signer and the address source, and sets the scanner's cursor on a new hub to the
milestone after the node's confirmed one.

Keys (:mod:`tanglehub.hub.signing`): with ``settings.signer_url`` the hub has NO vault: a
:class:`~tanglehub.signer.client.RemoteSigner` over mutual TLS signs and derives every address (deposit pool
and hot addresses; its network and coin type are checked at start when it answers). Otherwise the password
unlocks the local vault and an :class:`~tanglehub.hub.signing.InProcessSigner` runs the same policy checks in
process. Either way ``ctx.signer`` is also the address source, so every address the hub hands out is one the
signer recorded as its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tanglehub.hub.addresses.source import AddressSource
from tanglehub.hub.db import is_postgres, make_engine, make_sessionmaker, migrate
from tanglehub.hub.deposits.service import init_cursor
from tanglehub.hub.errors import HubArgumentError, HubKeysMismatch, HubNetworkMismatch
from tanglehub.hub.locks import ProcessLock
from tanglehub.hub.models.address import DepositAddress
from tanglehub.hub.reader import Reader, open_reader
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.signing import HubSigner, InProcessSigner, PoolDeadCheck, open_signer
from tanglehub.node import NodePool
from tanglehub.node.errors import NetworkMismatch
from tanglehub.node.pool import TransportFactory
from tanglehub.signer.client import RemoteSigner
from tanglehub.signer.errors import SignerUnavailable
from tanglehub.vault import VaultSigner, VaultStore

__all__ = ["VAULT_FILE", "HubContext", "open_hub", "vault_path"]

VAULT_FILE = "hub.vault"
"""The vault's file name inside the data directory (written by ``tanglehub hub init``)."""


def vault_path(settings: HubSettings) -> Path:
    """Where the hub's local vault lives: ``<data_dir>/hub.vault``."""
    return Path(settings.data_dir) / VAULT_FILE


@dataclass(slots=True)
class HubContext:
    """A running hub's shared parts (see the module docstring). ``clock`` returns Unix seconds."""

    settings: HubSettings
    engine: Engine
    sessionmaker: sessionmaker[Session]
    node: NodePool
    address_source: AddressSource
    reader: Reader
    """Autocommit single-statement reads for the hottest API routes (:mod:`tanglehub.hub.reader`)."""
    clock: Callable[[], float] = time.time
    process_lock: ProcessLock | None = None
    vault: VaultStore | None = field(default=None, repr=False)
    signer: HubSigner | None = None
    """Signs the hub's transactions (None: this hub can take deposits but pays nothing out)."""

    async def aclose(self) -> None:
        """Close the signer and the node pool, lock the vault, dispose of the engine, release the process lock."""
        if self.signer is not None:
            await self.signer.aclose()
        await self.node.aclose()
        if self.vault is not None:
            self.vault.lock()
        await self.reader.aclose()
        self.engine.dispose()
        if self.process_lock is not None:
            self.process_lock.release()


async def open_hub(
    settings: HubSettings,
    *,
    password: str | None = None,
    address_source: AddressSource | None = None,
    signer: HubSigner | None = None,
    transport_factory: TransportFactory | None = None,
    check_node: bool = True,
) -> HubContext:
    """Open a hub on ``settings`` (see the module docstring).

    ``signer`` (tests) replaces the one the settings name; without it, ``settings.signer_url`` opens the
    remote signer, else ``password`` unlocks the local vault for an in-process signer. ``address_source``
    defaults to the signer. ``transport_factory`` lets tests reach an in-process node. Raises
    :class:`HubInUse` (SQLite already used by another process), :class:`HubNetworkMismatch` (node or signer of
    another network), :class:`HubArgumentError` (no signer, address source or password),
    :class:`~tanglehub.signer.errors.SignerConfigError`, node and vault errors.
    """
    engine = make_engine(settings)
    lock: ProcessLock | None = None
    pool: NodePool | None = None
    vault: VaultStore | None = None
    reader: Reader | None = None
    try:
        if not is_postgres(engine):
            lock = ProcessLock(Path(settings.data_dir))
            lock.acquire()
        migrate(engine)
        sessions = make_sessionmaker(engine)
        pool = NodePool(
            list(settings.node_urls),
            transport_factory=transport_factory,
            network_name=settings.network_name,
            bech32_hrp=settings.bech32_hrp,
            max_milestone_age=None,
        )
        if signer is None and settings.signer_url is not None:
            signer = open_signer(settings)
            if check_node:
                await _check_remote_signer(settings, signer)
        elif signer is None and password is not None:
            vault = VaultStore(vault_path(settings), idle_timeout=None)
            await vault.unlock_async(password)
            signer = InProcessSigner(settings, VaultSigner(vault), dead_check=PoolDeadCheck(pool))
        if address_source is None:
            if signer is None:
                raise HubArgumentError("the hub needs its vault password (or a signing server) to start")
            address_source = signer
            await _check_keys_match(settings, sessions, address_source)
        if check_node:
            try:
                info = await pool.get_info()
            except NetworkMismatch as exc:
                raise HubNetworkMismatch(
                    f"the hub is configured for network {settings.network_name!r} (hrp {settings.bech32_hrp!r}) "
                    f"but the node does not serve it: {exc}"
                ) from exc
            with sessions() as session:
                init_cursor(session, info.status.confirmed_milestone.index + 1)
        reader = open_reader(settings)
        await reader.open()
        return HubContext(
            settings,
            engine,
            sessions,
            pool,
            address_source,
            reader,
            process_lock=lock,
            vault=vault,
            signer=signer,
        )
    except BaseException:
        if reader is not None:
            await reader.aclose()
        if signer is not None:
            await signer.aclose()
        if pool is not None:
            await pool.aclose()
        if vault is not None:
            vault.lock()
        engine.dispose()
        if lock is not None:
            lock.release()
        raise


KEYS_CHECK_TIMEOUT = 30.0
"""Seconds the start-up keys check may wait for the signer to derive one address."""


async def _check_keys_match(settings: HubSettings, sessions: sessionmaker[Session], source: AddressSource) -> None:
    """Refuse a database whose deposit addresses the signer did not derive: the lowest-indexed stored deposit
    address is derived again and compared (one derivation). A vault and a database of different ``hub init``
    runs would otherwise hand out addresses whose keys this hub does not hold. A signing server that does not
    answer now is not fatal (``/ready`` reports it; it is checked at the next start).

    Raises:
        HubKeysMismatch: the derived address differs from the stored one.
    """
    with sessions() as session:
        row = session.execute(
            select(DepositAddress.address_index, DepositAddress.address_hash)
            .order_by(DepositAddress.address_index)
            .limit(1)
        ).first()
    if row is None:
        return
    index, stored = int(row[0]), bytes(row[1])
    try:
        derived = await asyncio.wait_for(
            source.derive_addresses(settings.deposit_account, 0, index, 1), KEYS_CHECK_TIMEOUT
        )
    except (SignerUnavailable, TimeoutError):
        return
    if derived != [stored]:
        raise HubKeysMismatch(
            f"this hub's signer does not hold the keys of the database's deposit addresses (deposit address "
            f"index {index} differs): the vault (or signing server) and the database come from different "
            "'tanglehub hub init' runs; point --data-dir / TANGLEHUB_HUB_DATABASE_URL (or the signer settings) "
            "at the pair made together"
        )


async def _check_remote_signer(settings: HubSettings, signer: RemoteSigner) -> None:
    """Refuse a signing server of another network or coin type; an unreachable one is not fatal at start
    (``/ready`` reports it and payouts wait for it)."""
    try:
        info = await signer.health()
    except SignerUnavailable:
        return
    if info.get("networkName") != settings.network_name or info.get("coinType") != settings.coin_type:
        raise HubNetworkMismatch(
            f"the signing server at {settings.signer_url} signs for network {info.get('networkName')!r} "
            f"(coin type {info.get('coinType')}), but the hub is configured for {settings.network_name!r} "
            f"(coin type {settings.coin_type})"
        )
