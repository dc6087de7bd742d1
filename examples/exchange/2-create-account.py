"""Step 2 of the exchange guide: accounts for users, both approaches.

* **Multi-account approach**: one account per user, with the user's id as its unique alias. Accounts are
  numbered (index 0, 1, 2...) and can be found by alias, index or any of their addresses.
* **Single-account approach**: one account for the exchange and one address per user. The exchange's own
  database remembers which address belongs to which user, by the address's *key index*; here a small JSON
  table (``TANGLEHUB_USER_MAP``) plays that database. A new user gets the next key index nobody has; a
  known user keeps theirs, whatever order or subset of users a later run is given.

Extra variables: ``TANGLEHUB_USERS``, comma-separated user ids (default ``user-1,user-2``); the account of
the first user is the one the later steps use by default (``TANGLEHUB_ACCOUNT_ALIAS``).
``TANGLEHUB_USER_MAP``: the user -> key index table (default: ``<wallet dir>-users.json``). Running the
script again reuses accounts and addresses that already exist.

User ids are taken exactly as given, the same way in both approaches. The wallet compares aliases ignoring
case and accents (``user-1``, ``User-1`` and ``ÜSER-1`` are one alias), so two user ids that differ only that
way cannot both have an account: the script refuses such a clash (with the user ids given, or with an
existing account or address) instead of handing one user another user's account or address.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from _common import WALLET_DIR, fail, open_wallet, run

from tanglehub.wallet import Account, AccountNotFoundError, Wallet, alias_key

SINGLE_ACCOUNT_ALIAS = "exchange"
USER_MAP = Path(os.environ.get("TANGLEHUB_USER_MAP") or f"{WALLET_DIR}-users.json")


def clash_message(user: str, other: str, where: str) -> str:
    return (
        f"user id {user!r} and {where} {other!r} differ only in case or accents, which the wallet treats as the "
        "same alias; give each user an id that differs in more than that (nothing was created for it)"
    )


async def account_for(wallet: Wallet, alias: str) -> Account:
    """The account whose alias is exactly ``alias``, created if no account has it; an account whose alias
    differs only in case or accents belongs to another user and is refused."""
    try:
        account = await wallet.get_account(alias)
    except AccountNotFoundError:
        return await wallet.create_account(alias)
    if account.alias != alias:
        fail(clash_message(alias, account.alias, "the existing account"))
    return account


def check_distinct(users: list[str], known: list[str]) -> None:
    """Refuse user ids that clash (same alias key, different text) with each other or with ``known`` ids."""
    seen: dict[str, str] = {alias_key(k): k for k in known}
    for user in users:
        other = seen.setdefault(alias_key(user), user)
        if other != user:
            fail(clash_message(user, other, "the user id"))


def load_user_map() -> dict[str, int]:
    """user id -> key index of their deposit address in the shared account (your database's job)."""
    if not USER_MAP.exists():
        return {}
    try:
        data = json.loads(USER_MAP.read_text(encoding="utf-8"))
        return {str(user): int(index) for user, index in data.items()}
    except (ValueError, AttributeError, TypeError):
        fail(f"{USER_MAP} is not a user -> key index table; move it away to start a new one")


def save_user_map(mapping: dict[str, int]) -> None:
    """Write the table atomically (a crash leaves the old or the new one, never half of it)."""
    tmp = USER_MAP.with_name(USER_MAP.name + ".tmp")
    tmp.write_text(json.dumps(mapping, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(USER_MAP)


async def main() -> None:
    users = [u.strip() for u in os.environ.get("TANGLEHUB_USERS", "user-1,user-2").split(",") if u.strip()]
    check_distinct(users, [])
    async with await open_wallet() as wallet:
        mapping = load_user_map()
        check_distinct(users, [a.alias for a in await wallet.accounts()] + list(mapping))
        print("Multi-account approach: one account per user, the user id as alias.")
        for user in users:
            account = await account_for(wallet, user)
            first = (await account.addresses(internal=False))[0]
            print(f"  account {account.index} alias {account.alias!r}: first address {first.bech32}")

        print(f"Single-account approach: one account {SINGLE_ACCOUNT_ALIAS!r}, one address per user.")
        shared = await account_for(wallet, SINGLE_ACCOUNT_ALIAS)
        by_index = {a.key_index: a for a in await shared.addresses(internal=False)}
        taken = set(mapping.values())
        for user in users:
            if user not in mapping:  # a new user: the lowest key index no user has, generated if needed
                index = next(i for i in range(len(by_index) + len(users) + 1) if i not in taken)
                while index not in by_index:
                    record = await shared.generate_address()
                    by_index[record.key_index] = record
                mapping[user] = index
                taken.add(index)
                save_user_map(mapping)  # remember it before handing the address out
            address = by_index[mapping[user]]
            print(f"  user {user} -> {address.bech32} (key index {address.key_index})")

        print("Accounts in this wallet:")
        for account in await wallet.accounts():
            print(f"  {account.index}: {account.alias}")
        again = await wallet.get_account(0)
        print(f"Found by index 0: {again.alias!r}; by alias: {(await wallet.get_account(again.alias)).index}")


if __name__ == "__main__":
    run(main)
