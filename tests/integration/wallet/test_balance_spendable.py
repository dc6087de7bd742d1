"""Balances on the devnet: "available" means "can be spent now" (issue 7, section 2).

The devnet runs on a clock the test moves, so expirations pass without waiting: a micro payment from
account ``hot`` to account ``user-1`` of the same wallet that nobody claims comes back to ``hot`` after its
expiration, in both sync modes; balances are computed from stored data when the node is down; and a send
that finds the funds held by a pending transaction names it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tests.wallet_fixtures import MNEMONIC, Devnet, address_of, private_key_of, wallet_factory  # noqa: F401

from tanglehub.devnet import DevnetConfig, DevnetNode, create_app
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.ids import output_id
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    StorageDepositReturnUnlockCondition,
)
from tanglehub.protocol.rent import min_deposit_basic, storage_deposit
from tanglehub.wallet import SyncMode, SyncOptions, TransactionOptions
from tanglehub.wallet.operations.transaction import InsufficientFundsError

EXPIRATION = 300
COLD = Ed25519Address(b"\x42" * 32).to_bech32("tst")


class Clock:
    """A clock the test moves forward."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def clock() -> Clock:
    return Clock()


@pytest.fixture
async def devnet(clock: Clock) -> AsyncIterator[Devnet]:
    """An in-memory devnet with manual milestones on the test's clock."""
    node = DevnetNode(DevnetConfig(milestone_interval=0), clock=clock)
    d = Devnet(node, create_app(node=node))
    yield d
    for pool in d.pools:
        await pool.aclose()
    node.close()


@pytest.mark.parametrize("mode", [SyncMode.LEDGER, SyncMode.INDEXER])
async def test_unclaimed_micro_payment_comes_back_to_the_sending_account(
    wallet_factory,  # noqa: F811
    devnet: Devnet,
    clock: Clock,
    mode: SyncMode,
) -> None:
    wallet = await wallet_factory(alias="hot", funded=1)
    hot = await wallet.get_account("hot")
    user = await wallet.create_account("user-1")
    options = SyncOptions(mode)
    await wallet.sync(options)
    funded = devnet.faucet_amount
    to_user = (await user.addresses())[0].bech32
    record = await hot.send(1, to_user, TransactionOptions(allow_micro_amount=True, expiration=EXPIRATION))
    outputs = record.payload.essence.outputs
    index = next(i for i, o in enumerate(outputs) if o.amount < funded // 2)
    micro, micro_id = outputs[index], output_id(record.tx_id, index)
    await devnet.milestone()
    await wallet.sync(options)

    # Before expiry: user-1 may claim it but the sender can take it back: potentially locked, not counted.
    before_user = await user.balance()
    assert (before_user.base_coin.total, before_user.base_coin.available) == (0, 0)
    assert [e.unlockable_now for e in before_user.potentially_locked_outputs] == [True]
    before_hot = await hot.balance()
    assert before_hot.base_coin.total == before_hot.base_coin.available == funded - micro.amount
    assert [e.unlockable_now for e in before_hot.potentially_locked_outputs] == [False]

    # Nobody claims it; after the expiration it is hot's again, and spendable.
    clock.now += EXPIRATION + 10
    await devnet.milestone()
    await wallet.sync(options)
    after_hot = await hot.balance()
    assert (after_hot.base_coin.total, after_hot.base_coin.available) == (funded, funded)
    assert after_hot.potentially_locked_outputs == ()
    assert micro_id in {r.output_id for r in await hot.unspent_outputs()}
    after_user = await user.balance()
    assert (after_user.base_coin.total, after_user.potentially_locked_outputs) == (0, ())
    sent = await hot.send(funded, COLD)
    assert len(sent.payload.essence.inputs) == 2
    await devnet.milestone()
    await wallet.sync(options)
    assert (await hot.balance()).base_coin.total == 0


async def test_balance_is_computed_from_stored_data_when_the_node_is_down(
    wallet_factory,  # noqa: F811
    devnet: Devnet,
) -> None:
    wallet = await wallet_factory(funded=2)
    account = await wallet.get_account("main")
    online = await account.balance()
    await devnet._post("/api/devnet/v1/faults", {"errorRate": 1.0})  # type: ignore[dict-item]
    offline = await account.balance()
    assert (
        offline.base_coin
        == online.base_coin
        == type(online.base_coin)(2 * devnet.faucet_amount, 2 * devnet.faucet_amount)
    )


async def test_insufficient_funds_names_the_pending_transaction_and_what_it_holds(
    wallet_factory,  # noqa: F811
    devnet: Devnet,
) -> None:
    wallet = await wallet_factory(funded=1)
    account = await wallet.get_account("main")
    funded = devnet.faucet_amount
    pending = await account.send(1_000_000, COLD)  # not confirmed: its input stays reserved
    with pytest.raises(InsufficientFundsError) as info:
        await account.send(1_000_000, COLD)
    err = info.value
    assert err.pending == {pending.tx_id: funded}
    assert f"0x{pending.tx_id.hex()} holds {funded}" in str(err)


async def test_send_of_the_whole_available_balance_succeeds_beside_an_unclaimed_micro_amount(
    wallet_factory,  # noqa: F811
    devnet: Devnet,
) -> None:
    wallet = await wallet_factory(funded=1)
    account = await wallet.get_account("main")
    me = Ed25519Address((await account.addresses())[0].hash)
    sender_key = private_key_of(MNEMONIC, 3)
    sender = address_of(sender_key)
    await devnet.fund(sender.to_bech32("tst"))
    [funding] = devnet.unspent_of(sender)
    rent = wallet.protocol_parameters.rent_structure
    expires = devnet.node.latest_timestamp + EXPIRATION
    ucs = (
        AddressUnlockCondition(me),
        StorageDepositReturnUnlockCondition(sender, min_deposit_basic(rent)),
        ExpirationUnlockCondition(sender, expires),
    )
    micro = BasicOutput(storage_deposit(BasicOutput(1, ucs), rent) + 1, ucs)
    rest = BasicOutput(devnet.faucet_amount - micro.amount, (AddressUnlockCondition(sender),))
    await devnet.transact(sender_key, [funding], [micro, rest])
    await account.sync()
    balance = await account.balance()
    assert (balance.base_coin.total, balance.base_coin.available) == (devnet.faucet_amount,) * 2
    record = await account.send(balance.base_coin.available, COLD)  # raised InsufficientFundsError before
    assert [o.amount for o in record.payload.essence.outputs] == [devnet.faucet_amount]
