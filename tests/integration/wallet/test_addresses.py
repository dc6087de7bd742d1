"""Addresses: independent public/internal chains, batches equal to the official SDK's, latest unused."""

from __future__ import annotations

import asyncio

import pytest
from tests.wallet_fixtures import MNEMONIC, Devnet

from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.wallet import WalletArgumentError

iota_sdk = pytest.importorskip("iota_sdk")


def _sdk_addresses(account: int, start: int, end: int, internal: bool) -> list[str]:
    manager = iota_sdk.SecretManager(iota_sdk.MnemonicSecretManager(MNEMONIC))
    return list(
        manager.generate_ed25519_addresses(
            coin_type=SHIMMER_COIN_TYPE,
            account_index=account,
            start=start,
            end=end,
            internal=internal,
            bech32_hrp="tst",
        )
    )


async def test_thousand_addresses_are_one_batch_and_equal_the_sdk(wallet_factory, monkeypatch) -> None:
    wallet = await wallet_factory(mnemonic=MNEMONIC, alias=None)
    await wallet.create_account("zero")
    account = await wallet.create_account("one")
    writes = 0
    store_write = wallet.store.write

    async def counting_write(fn):  # type: ignore[no-untyped-def]
        nonlocal writes
        writes += 1
        return await store_write(fn)

    monkeypatch.setattr(wallet.store, "write", counting_write)
    records = await account.generate_addresses(1000)
    # Derived as one batch and stored in one database transaction, not one commit per address.
    assert writes == 1
    ours = [r.bech32 for r in await account.addresses(internal=False)]
    assert ours == _sdk_addresses(1, 0, 1001, False)
    assert [r.key_index for r in records] == list(range(1, 1001))


async def test_internal_chain_has_its_own_indexes(wallet_factory) -> None:
    wallet = await wallet_factory(mnemonic=MNEMONIC)
    account = await wallet.get_account("main")
    change = await account.generate_addresses(3, internal=True)
    public = await account.generate_address()
    assert [r.key_index for r in change] == [0, 1, 2]
    assert public.key_index == 1
    assert [r.bech32 for r in change] == _sdk_addresses(0, 0, 3, True)
    assert [r.bech32 for r in await account.addresses(internal=True)] == [r.bech32 for r in change]
    assert len(await account.addresses()) == 5
    with pytest.raises(WalletArgumentError):
        await account.generate_addresses(0)


async def test_concurrent_generation_never_reuses_an_index(wallet_factory) -> None:
    wallet = await wallet_factory()
    account = await wallet.get_account("main")
    batches = await asyncio.gather(*(account.generate_addresses(20) for _ in range(5)))
    indexes = sorted(r.key_index for batch in batches for r in batch)
    assert indexes == list(range(1, 101))


async def test_latest_unused_address_moves_after_a_deposit(wallet_factory, devnet: Devnet) -> None:
    wallet = await wallet_factory()
    account = await wallet.get_account("main")
    first = await account.latest_unused_address()
    assert first.key_index == 0
    assert (await account.latest_unused_address()) == first
    await devnet.fund(first.bech32)
    await account.sync()
    second = await account.latest_unused_address()
    assert second.key_index == 1
    assert not second.used
