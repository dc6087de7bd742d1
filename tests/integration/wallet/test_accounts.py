"""Accounts: unique aliases, indexes that count up, lookup by alias, index and address; both guide approaches."""

from __future__ import annotations

import pytest

from tanglehub.wallet import AccountAliasTakenError, AccountNotFoundError, WalletArgumentError


async def test_accounts_count_up_and_aliases_are_unique(wallet_factory) -> None:
    wallet = await wallet_factory(alias=None)
    alice = await wallet.create_account("alice")
    bob = await wallet.create_account("bob")
    assert (alice.index, bob.index) == (0, 1)
    with pytest.raises(AccountAliasTakenError, match="alice"):
        await wallet.create_account("alice")
    with pytest.raises(WalletArgumentError):
        await wallet.create_account("   ")
    carol = await wallet.create_account("carol")
    assert carol.index == 2
    assert [a.alias for a in await wallet.accounts()] == ["alice", "bob", "carol"]


async def test_find_account_by_alias_index_and_address(wallet_factory) -> None:
    wallet = await wallet_factory(alias=None)
    for alias in ("u1", "u2", "u3"):
        await wallet.create_account(alias)
    u2 = await wallet.get_account("u2")
    assert u2 == await wallet.get_account(1)
    change = await u2.generate_address(internal=True)
    first = (await u2.addresses(internal=False))[0]
    assert await wallet.find_account_by_address(first.bech32) == u2
    assert await wallet.find_account_by_address(change.bech32) == u2
    with pytest.raises(AccountNotFoundError):
        await wallet.get_account("nobody")
    with pytest.raises(AccountNotFoundError):
        await wallet.get_account(7)
    with pytest.raises(AccountNotFoundError, match="not an address"):
        await wallet.find_account_by_address("tst1notanaddress")
    other = await wallet_factory("other")
    foreign = (await (await other.get_account("main")).addresses())[0].bech32
    with pytest.raises(AccountNotFoundError, match="no account"):
        await wallet.find_account_by_address(foreign)


async def test_one_account_with_an_address_per_user(wallet_factory) -> None:
    wallet = await wallet_factory(alias="deposits")
    account = await wallet.get_account("deposits")
    records = await account.generate_addresses(200)
    by_user = {f"user-{i}": r.bech32 for i, r in enumerate(records)}
    for address in list(by_user.values())[::37]:
        found = await wallet.find_account_by_address(address)
        assert found == account
    assert len({r.bech32 for r in await account.addresses()}) == 201
