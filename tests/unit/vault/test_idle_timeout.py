"""Idle timeout: an unlocked vault forgets its keys after a period without use."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from tanglehub.keys.slip10 import IOTA_COIN_TYPE, Bip44
from tanglehub.vault import VaultLockedError, VaultSigner, VaultStore

from .conftest import MNEMONIC, PASSWORD, FakeClock

CHAIN = Bip44(IOTA_COIN_TYPE)


def _store(make_store: Callable[..., VaultStore], clock: FakeClock, timeout: float | None = 60.0) -> VaultStore:
    store = make_store(idle_timeout=timeout, clock=clock)
    store.create(PASSWORD)
    store.store_mnemonic(MNEMONIC)
    return store


def test_each_use_refreshes_the_timer(make_store: Callable[..., VaultStore]) -> None:
    clock = FakeClock()
    store = _store(make_store, clock)
    for _ in range(5):
        clock.advance(59)
        store.sign_ed25519(b"tick", CHAIN)
    assert store.is_unlocked


def test_expiry_locks_and_signing_says_so(make_store: Callable[..., VaultStore]) -> None:
    clock = FakeClock()
    store = _store(make_store, clock)
    keychain = store._state.keychain if store._state else None
    clock.advance(60)
    with pytest.raises(VaultLockedError, match="without use"):
        store.sign_ed25519(b"late", CHAIN)
    assert keychain is not None
    assert keychain.wiped
    with pytest.raises(VaultLockedError, match="unlock it"):
        store.sign_ed25519(b"still locked", CHAIN)
    store.unlock(PASSWORD)
    assert store.sign_ed25519(b"again", CHAIN)


def test_is_unlocked_reports_expiry_without_refreshing(make_store: Callable[..., VaultStore]) -> None:
    clock = FakeClock()
    store = _store(make_store, clock)
    clock.advance(30)
    assert store.is_unlocked
    clock.advance(30)
    assert not store.is_unlocked


def test_no_timeout(make_store: Callable[..., VaultStore]) -> None:
    clock = FakeClock()
    store = _store(make_store, clock, timeout=None)
    clock.advance(10**9)
    assert store.sign_ed25519(b"forever", CHAIN)


async def test_asyncio_timer_locks_an_idle_vault(make_store: Callable[..., VaultStore]) -> None:
    clock = FakeClock()
    store = make_store(idle_timeout=0.05, clock=clock)
    await store.create_async(PASSWORD)
    store.store_mnemonic(MNEMONIC)
    await asyncio.sleep(0.1)
    assert store._state is not None  # the fake clock has not moved: the timer re-arms instead of locking
    clock.advance(1)
    for _ in range(100):
        await asyncio.sleep(0.02)
        if store._state is None:
            break
    assert store._state is None  # locked by the timer itself, not by a later use
    assert store._timer is None


async def test_lock_cancels_the_timer(make_store: Callable[..., VaultStore]) -> None:
    store = make_store(idle_timeout=3600)
    await store.create_async(PASSWORD)
    assert store._timer is not None
    store.lock()
    assert store._timer is None


async def test_signer_unlock_arms_the_timer(make_store: Callable[..., VaultStore]) -> None:
    clock = FakeClock()
    store = _store(make_store, clock)
    store.lock()
    signer = VaultSigner(store)
    await signer.unlock(PASSWORD)
    assert store._timer is not None
    clock.advance(61)
    with pytest.raises(VaultLockedError):
        await signer.sign_ed25519(b"late", CHAIN)
    assert store._timer is None
