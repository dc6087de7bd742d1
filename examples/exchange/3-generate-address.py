"""Step 3 of the exchange guide: generate a deposit address for a user.

Generates the next public address of the account ``TANGLEHUB_ACCOUNT_ALIAS`` and lists the account's
addresses (public ones for deposits; internal "change" addresses, with their own index, receive remainders).

Extra variable: ``TANGLEHUB_FAUCET=1`` asks the devnet faucet (``/api/plugins/faucet/v1/enqueue`` on the
node) to pay the new address, so that step 4 has something to show. Only devnets and testnets have a faucet.
"""

from __future__ import annotations

import os

from _common import ACCOUNT_ALIAS, open_wallet, run


async def main() -> None:
    async with await open_wallet() as wallet:
        account = await wallet.get_account(ACCOUNT_ALIAS)
        address = await account.generate_address()
        print(f"Account {account.alias!r}: new deposit address (key index {address.key_index}):")
        print(f"Deposit address: {address.bech32}")
        print("All addresses of the account:")
        for record in await account.addresses():
            kind = "internal" if record.internal else "public"
            print(f"  {kind:8} {record.key_index:3}  {record.bech32}  used={record.used}")
        if os.environ.get("TANGLEHUB_FAUCET") == "1":
            await wallet.node.request_faucet_funds(address.bech32)
            print(f"Asked the devnet faucet to fund {address.bech32}.")
            print("The funds arrive with the next milestone; run step 4 to see them.")


if __name__ == "__main__":
    run(main)
