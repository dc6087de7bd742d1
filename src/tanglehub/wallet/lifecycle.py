"""The steps behind ``Wallet.create`` and ``Wallet.open``: check the directory's state, take the lock, bind to
the node's network, create or unlock the vault and the state database, and undo every partial step on failure.

Each returns the keyword arguments of the :class:`~tanglehub.wallet.wallet.Wallet` constructor, so the class
stays a thin facade. A vault holding a mnemonic is never removed here (:mod:`tanglehub.wallet.layout`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

from tanglehub.node import NodePool, TransportFactory
from tanglehub.protocol.params import ProtocolParameters
from tanglehub.vault import KdfParams, VaultStore
from tanglehub.wallet.errors import (
    CoinTypeMismatchError,
    WalletNotFoundError,
    WalletOfflineUnavailableError,
    WalletRebuildNeededError,
)
from tanglehub.wallet.layout import VAULT_FILE_NAME, WalletState, check_state, remove_leftovers, state_error
from tanglehub.wallet.lock import WalletLock
from tanglehub.wallet.settings import (
    PROTOCOL_PARAMETERS_META_KEY,
    WalletSettings,
    check_coin_type,
    check_network,
    check_paths,
    make_directory,
    make_pool,
)
from tanglehub.wallet.storage import DB_FILE_NAME, StoreTx, WalletStore

__all__ = ["create_parts", "open_parts", "release_parts"]

log = logging.getLogger("tanglehub.wallet")


async def release_parts(
    store: WalletStore | None,
    lock: WalletLock | None,
    node: NodePool,
    owns_node: bool,
    *,
    before_unlock: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Undo the steps of a failed create, open or rebuild, in this order: close ``store`` (if opened), run
    ``before_unlock`` (cleanup that needs the directory still locked), release ``lock`` (if taken), close
    ``node`` (only when ``owns_node``: a caller's pool stays open)."""
    if store is not None:
        await store.aclose()
    if before_unlock is not None:
        await before_unlock()
    if lock is not None:
        lock.release()
    if owns_node:
        await node.aclose()


async def create_parts(
    path: str | os.PathLike[str],
    *,
    password: str,
    coin_type: int,
    node_urls: Sequence[str] | None,
    pool: NodePool | None,
    mnemonic: str | None,
    kdf: KdfParams,
    idle_timeout: float | None,
    transport_factory: TransportFactory | None,
) -> dict[str, Any]:
    """Create a wallet directory (see ``Wallet.create``); the constructor arguments of the new wallet."""
    check_coin_type(coin_type)
    directory = check_paths(path, password)
    state, reason = await asyncio.to_thread(check_state, directory)
    if state not in (WalletState.NONE, WalletState.INCOMPLETE):
        raise state_error(directory, state, reason, creating=True)
    vault_path, db_path = directory / VAULT_FILE_NAME, directory / DB_FILE_NAME
    node, owns = make_pool(node_urls, pool, transport_factory)
    lock: WalletLock | None = None
    store: WalletStore | None = None
    started = made_vault = False
    try:
        info = await node.get_info()
        params = ProtocolParameters.from_json(info.protocol)
        settings = WalletSettings(coin_type, info.network_name, info.bech32_hrp, params.network_id)
        make_directory(directory)
        lock = await asyncio.to_thread(WalletLock.acquire, directory)
        state, reason = await asyncio.to_thread(check_state, directory)
        if state not in (WalletState.NONE, WalletState.INCOMPLETE):
            raise state_error(directory, state, reason, creating=True)
        if state is WalletState.INCOMPLETE:  # no mnemonic in there (remove_leftovers checks it again)
            removed = await asyncio.to_thread(remove_leftovers, directory)
            log.warning("removed the leftovers of an interrupted create in %s: %s", directory, removed)
        started = True
        vault = VaultStore(vault_path, kdf=kdf, idle_timeout=idle_timeout)
        await vault.create_async(password)
        made_vault = True
        one_time = None
        if mnemonic is None:
            one_time = await asyncio.to_thread(vault.generate_mnemonic)
        else:
            await asyncio.to_thread(vault.store_mnemonic, mnemonic)
        store = await WalletStore.open_async(db_path, create=True)

        def write_settings(tx: StoreTx) -> None:  # the completion marker: the last step of create
            tx.set_meta(PROTOCOL_PARAMETERS_META_KEY, _canonical(info.protocol))
            for key, value in settings.to_meta().items():
                tx.set_meta(key, value)

        await store.write(write_settings)
    except BaseException:

        async def remove_own() -> None:  # only this call's own vault (never shown, or the caller's mnemonic)
            if started:
                with contextlib.suppress(WalletRebuildNeededError):
                    await asyncio.to_thread(partial(remove_leftovers, directory, own_vault=made_vault))

        await release_parts(store, lock, node, owns, before_unlock=remove_own)
        raise
    return {
        "path": directory,
        "store": store,
        "vault": vault,
        "node": node,
        "owns_node": owns,
        "settings": settings,
        "params": params,
        "new_mnemonic": one_time,
        "lock": lock,
    }


def _canonical(protocol: Any) -> str:
    return json.dumps(protocol, sort_keys=True, separators=(",", ":"))


async def open_parts(
    path: str | os.PathLike[str],
    *,
    password: str,
    node_urls: Sequence[str] | None,
    pool: NodePool | None,
    coin_type: int | None,
    idle_timeout: float | None,
    transport_factory: TransportFactory | None,
    offline: bool = False,
) -> dict[str, Any]:
    """Open a wallet directory (see ``Wallet.open``); the constructor arguments of the opened wallet.

    ``offline``: never ask the node; the protocol parameters are the ones stored by the last open with a node
    (:class:`WalletOfflineUnavailableError` when there are none yet) and the network is not checked."""
    directory = check_paths(path, password)
    vault_path, db_path = directory / VAULT_FILE_NAME, directory / DB_FILE_NAME
    if not vault_path.exists() and not db_path.exists():
        raise WalletNotFoundError(f"no wallet in {directory} (expected {VAULT_FILE_NAME} and {DB_FILE_NAME})")
    node, owns = make_pool(node_urls, pool, transport_factory)
    lock: WalletLock | None = None
    store: WalletStore | None = None
    try:
        lock = await asyncio.to_thread(WalletLock.acquire, directory)
        state, reason = await asyncio.to_thread(check_state, directory)
        if state is not WalletState.COMPLETE:
            raise state_error(directory, state, reason, creating=False)
        if not vault_path.exists():
            raise WalletNotFoundError(f"the wallet in {directory} has no {VAULT_FILE_NAME}; restore a backup")
        store = await WalletStore.open_async(db_path)
        meta = await store.read(lambda tx: tx.meta())
        settings = WalletSettings.from_meta(meta)
        if coin_type is not None and check_coin_type(coin_type) != settings.coin_type:
            raise CoinTypeMismatchError(
                f"the wallet in {directory} uses coin type {settings.coin_type}, not {coin_type}"
            )
        if offline:
            stored = meta.get(PROTOCOL_PARAMETERS_META_KEY)
            if stored is None:
                raise WalletOfflineUnavailableError(
                    f"the wallet in {directory} cannot be opened without a node yet: it has no stored protocol "
                    "parameters; open it once while its node is reachable"
                )
            params = ProtocolParameters.from_json(json.loads(stored))
        else:
            info = await node.get_info()
            check_network(settings, info)
            params = ProtocolParameters.from_json(info.protocol)
            latest = _canonical(info.protocol)
            if meta.get(PROTOCOL_PARAMETERS_META_KEY) != latest:
                await store.write(lambda tx: tx.set_meta(PROTOCOL_PARAMETERS_META_KEY, latest))
        vault = VaultStore(vault_path, idle_timeout=idle_timeout)
        await vault.unlock_async(password)
    except BaseException:
        await release_parts(store, lock, node, owns)
        raise
    return {
        "path": directory,
        "store": store,
        "vault": vault,
        "node": node,
        "owns_node": owns,
        "settings": settings,
        "params": params,
        "lock": lock,
    }
