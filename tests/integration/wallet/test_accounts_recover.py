"""Recovering accounts and addresses from a mnemonic with gap limits."""

from __future__ import annotations

import pytest
from tests.wallet_fixtures import MNEMONIC, Devnet

from tanglehub.wallet import WalletArgumentError


async def test_recover_finds_used_accounts_and_addresses(wallet_factory, devnet: Devnet) -> None:
    original = await wallet_factory("original", mnemonic=MNEMONIC, alias=None)
    a0 = await original.create_account("a0")
    await original.create_account("a1")
    a2 = await original.create_account("a2")
    public = await a0.generate_addresses(4)
    change = await a2.generate_addresses(2, internal=True)
    await devnet.faucet(public[-1].bech32)  # key index 4 of account 0
    await devnet.faucet(change[-1].bech32)  # internal key index 1 of account 2
    await devnet.milestone()

    restored = await wallet_factory("restored", mnemonic=MNEMONIC, alias=None)
    accounts = await restored.recover_accounts(account_gap=2, address_gap=5)
    assert [a.index for a in accounts] == [0, 1, 2]
    r0, r1, r2 = accounts
    assert [r.bech32 for r in await r0.addresses(internal=False)] == [
        r.bech32 for r in await a0.addresses(internal=False)
    ]
    assert len(await r1.addresses()) == 1
    assert [r.bech32 for r in await r2.addresses(internal=True)] == [r.bech32 for r in change]
    assert (await r0.balance()).base_coin.total == devnet.faucet_amount
    assert (await r2.balance()).base_coin.total == devnet.faucet_amount
    again = await restored.recover_accounts(account_gap=2, address_gap=5)
    assert len(again) == 3
    assert len(await again[0].addresses()) == 5
    with pytest.raises(WalletArgumentError):
        await restored.recover_accounts(account_gap=0, address_gap=5)


async def test_addresses_beyond_the_gap_are_not_found(wallet_factory, devnet: Devnet) -> None:
    original = await wallet_factory("original", mnemonic=MNEMONIC, alias=None)
    far = (await (await original.create_account("a0")).generate_addresses(6))[-1]
    await devnet.fund(far.bech32)  # key index 6, behind six unused addresses
    restored = await wallet_factory("restored", mnemonic=MNEMONIC, alias=None)
    assert await restored.recover_accounts(account_gap=1, address_gap=3) == []
    [account] = await restored.recover_accounts(account_gap=1, address_gap=7)
    assert (await account.balance()).base_coin.total == devnet.faucet_amount
