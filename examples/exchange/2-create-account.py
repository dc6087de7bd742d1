"""Step 2 of the exchange guide: accounts for users, both approaches.

* **Multi-account approach**: one account per user, with the user's id as its unique alias. Accounts are
  numbered (index 0, 1, 2...) and can be found by alias, index or any of their addresses.
* **Single-account approach**: one account for the exchange and one address per user; the exchange's own
  database remembers which address belongs to which user.

Extra variable: ``TANGLEHUB_USERS``, comma-separated user ids (default ``user-1,user-2``). The account of the
first user is the one the later steps use by default (``TANGLEHUB_ACCOUNT_ALIAS``). Running the script again
reuses accounts that already exist.
"""

from __future__ import annotations

import os

from _common import open_wallet, run

from tanglehub.wallet import Account, AccountNotFoundError, Wallet

SINGLE_ACCOUNT_ALIAS = "exchange"


async def account_for(wallet: Wallet, alias: str) -> Account:
    """The account with ``alias``, created if it does not exist yet."""
    try:
        return await wallet.get_account(alias)
    except AccountNotFoundError:
        return await wallet.create_account(alias)


async def main() -> None:
    users = [u.strip() for u in os.environ.get("TANGLEHUB_USERS", "user-1,user-2").split(",") if u.strip()]
    async with await open_wallet() as wallet:
        print("Multi-account approach: one account per user, the user id as alias.")
        for user in users:
            account = await account_for(wallet, user)
            first = (await account.addresses(internal=False))[0]
            print(f"  account {account.index} alias {account.alias!r}: first address {first.bech32}")

        print(f"Single-account approach: one account {SINGLE_ACCOUNT_ALIAS!r}, one address per user.")
        shared = await account_for(wallet, SINGLE_ACCOUNT_ALIAS)
        have = await shared.addresses(internal=False)
        if len(have) < len(users):
            await shared.generate_addresses(len(users) - len(have))
        for user, address in zip(users, await shared.addresses(internal=False), strict=False):
            print(f"  user {user} -> {address.bech32} (key index {address.key_index})")

        print("Accounts in this wallet:")
        for account in await wallet.accounts():
            print(f"  {account.index}: {account.alias}")
        again = await wallet.get_account(0)
        print(f"Found by index 0: {again.alias!r}; by alias: {(await wallet.get_account(again.alias)).index}")


if __name__ == "__main__":
    run(main)
