"""Balance: totals, storage deposit, reserved outputs, and potentially locked outputs with their times."""

from __future__ import annotations

from tests.wallet_fixtures import MNEMONIC, Devnet, address_of, private_key_of

from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
)
from tanglehub.protocol.rent import min_deposit_basic, storage_deposit
from tanglehub.wallet import OutputFilter


async def test_conditional_outputs_are_reported_with_reasons_and_times(wallet_factory, devnet: Devnet) -> None:
    wallet = await wallet_factory()
    account = await wallet.get_account("main")
    main = (await account.addresses())[0]
    me = Ed25519Address(main.hash)
    sender_key = private_key_of(MNEMONIC, 3)
    sender = address_of(sender_key)
    await devnet.fund(sender.to_bech32("tst"))
    [funding] = devnet.unspent_of(sender)
    total = devnet.faucet_amount
    now = devnet.node.latest_timestamp
    deposit = min_deposit_basic(wallet.protocol_parameters.rent_structure)
    later = now + 10_000
    timelocked = BasicOutput(
        amount=2_000_000,
        unlock_conditions=(AddressUnlockCondition(me), TimelockUnlockCondition(later)),
    )
    conditions = (
        AddressUnlockCondition(me),
        StorageDepositReturnUnlockCondition(sender, deposit),
        ExpirationUnlockCondition(sender, later + 5),
    )
    shape = BasicOutput(amount=deposit, unlock_conditions=conditions)
    micro = BasicOutput(
        amount=storage_deposit(shape, wallet.protocol_parameters.rent_structure) + 1, unlock_conditions=conditions
    )
    plain = BasicOutput(amount=3_000_000, unlock_conditions=(AddressUnlockCondition(me),))
    rest = total - timelocked.amount - micro.amount - plain.amount
    remainder = BasicOutput(amount=rest, unlock_conditions=(AddressUnlockCondition(sender),))
    await devnet.transact(sender_key, [funding], [timelocked, micro, plain, remainder])
    await account.sync()

    balance = await account.balance()
    # The micro amount is not counted until it is claimed: its sender can take it back (issue 7).
    assert balance.base_coin.total == plain.amount
    assert balance.base_coin.available == plain.amount
    locked = {entry.reasons: entry for entry in balance.potentially_locked_outputs}
    assert set(locked) == {("timelock",), ("expiration", "storage_deposit_return")}
    tl = locked[("timelock",)]
    assert (tl.unlockable_now, tl.changes_at, tl.amount) == (False, later, 2_000_000)
    sdr = next(e for r, e in locked.items() if "storage_deposit_return" in r)
    assert (sdr.unlockable_now, sdr.changes_at, sdr.return_amount) == (True, later + 5, deposit)

    after = await account.balance(now=later)
    assert after.base_coin.total == plain.amount + timelocked.amount
    expired = await account.balance(now=later + 5)
    assert expired.base_coin.total == plain.amount + timelocked.amount
    assert len(await account.unspent_outputs(OutputFilter(output_type=3))) == 3


async def test_reserved_outputs_are_not_available(wallet_factory, devnet: Devnet) -> None:
    wallet = await wallet_factory(funded=2)
    account = await wallet.get_account("main")
    outputs = await account.unspent_outputs()
    await wallet.store.write(lambda tx: tx.reserve_outputs([outputs[0].output_id], b"\x01" * 32, account.index))
    balance = await account.balance()
    assert balance.base_coin.total == 2 * devnet.faucet_amount
    assert balance.base_coin.available == devnet.faucet_amount
    # As the official SDK reports it: every basic output's deposit, although none of it is bound.
    minimum = min_deposit_basic(wallet.protocol_parameters.rent_structure)
    assert balance.required_storage_deposit.basic == 2 * minimum
