"""Step 6 of the exchange guide: a withdrawal, i.e. send an amount to an address and wait for confirmation.

Usage: ``6-send-amount.py [ADDRESS]``, or the address in ``TANGLEHUB_SEND_TO``. Extra variables:
``TANGLEHUB_SEND_AMOUNT`` (smallest units, default 1000000; at least the storage deposit of an output) and
``TANGLEHUB_CONFIRM_ATTEMPTS`` (checks one second apart before giving up waiting, default 60; the
transaction stays tracked either way).

The remainder of the inputs goes to an internal (change) address of the account, the default strategy.
Before it is signed, the transaction is checked by the same validation the node runs.
"""

from __future__ import annotations

import os
import sys

from _common import ACCOUNT_ALIAS, env_int, fail, open_wallet, run


async def main() -> None:
    recipient = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TANGLEHUB_SEND_TO", "")
    if not recipient:
        fail("give the recipient address as the first argument or in TANGLEHUB_SEND_TO")
    amount = env_int("TANGLEHUB_SEND_AMOUNT", 1_000_000)
    async with await open_wallet() as wallet:
        account = await wallet.get_account(ACCOUNT_ALIAS)
        await account.sync()
        before = await account.balance()
        print(f"Account {account.alias!r} has {before.base_coin.available} available.")
        print(f"Sending {amount} to {recipient}...")
        record = await account.send(amount, recipient)
        block = f"0x{record.block_id.hex()}" if record.block_id is not None else "(not posted yet)"
        print(f"Transaction 0x{record.tx_id.hex()} sent in block {block}; waiting for confirmation...")
        attempts = env_int("TANGLEHUB_CONFIRM_ATTEMPTS", 60)
        final = await account.retry_until_included(record.tx_id, interval=1.0, max_attempts=attempts)
        if final.state != "confirmed":
            fail(f"transaction 0x{final.tx_id.hex()} is {final.state} (conflict reason {final.conflict_reason})")
        print(f"Transaction 0x{final.tx_id.hex()} confirmed by milestone {final.inclusion_index}.")
        await account.sync()
        print(f"Available now: {(await account.balance()).base_coin.available}")


if __name__ == "__main__":
    run(main)
