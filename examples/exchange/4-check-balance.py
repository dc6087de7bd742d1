"""Step 4 of the exchange guide: sync the account with the ledger and show its balance.

Extra variables: ``TANGLEHUB_SYNC_MODE`` = ``indexer`` (default: ask the indexer about each address) or
``ledger`` (follow confirmed milestones from a stored cursor; its cost does not grow with the number of
addresses); ``TANGLEHUB_WAIT_FOR_FUNDS`` = seconds to keep syncing until the balance is above zero (default 0:
sync once), handy right after asking the faucet in step 3.
"""

from __future__ import annotations

import asyncio
import os
import time

from _common import ACCOUNT_ALIAS, env_float, fail, open_wallet, run

from tanglehub.wallet import Balance, SyncMode, SyncOptions


def show(balance: Balance) -> None:
    """Print a balance (amounts in the smallest unit)."""
    print(f"Total: {balance.base_coin.total}")
    print(f"Available: {balance.base_coin.available}")
    print(f"Required storage deposit: {balance.required_storage_deposit.total}")
    for token in balance.native_tokens:
        print(f"Native token 0x{token.token_id.hex()}: {token.total} ({token.available} available)")
    print(f"NFTs: {len(balance.nfts)}, aliases: {len(balance.aliases)}, foundries: {len(balance.foundries)}")
    for locked in balance.potentially_locked_outputs:
        when = f", changes at unix time {locked.changes_at}" if locked.changes_at is not None else ""
        state = "unlockable now" if locked.unlockable_now else "locked now"
        reasons = ", ".join(locked.reasons)
        print(f"Potentially locked: 0x{locked.output_id.hex()} {locked.amount} ({reasons}; {state}{when})")


async def main() -> None:
    mode_name = os.environ.get("TANGLEHUB_SYNC_MODE", "indexer")
    if mode_name not in {m.value for m in SyncMode}:
        fail(f"TANGLEHUB_SYNC_MODE must be 'indexer' or 'ledger', got {mode_name!r}")
    mode = SyncMode(mode_name)
    deadline = time.monotonic() + env_float("TANGLEHUB_WAIT_FOR_FUNDS", 0.0)
    async with await open_wallet() as wallet:
        account = await wallet.get_account(ACCOUNT_ALIAS)
        while True:
            result = await account.sync(SyncOptions(mode=mode))
            balance = await account.balance()
            if balance.base_coin.total > 0 or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.5)
        print(
            f"Synced account {account.alias!r} ({mode.value} mode): {len(result.new_output_ids)} new and "
            f"{len(result.spent_output_ids)} spent outputs"
        )
        show(balance)


if __name__ == "__main__":
    run(main)
