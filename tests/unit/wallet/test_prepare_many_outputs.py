"""Input selection over many stored outputs: read largest first in batches, same choice as over all of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.offline_prepare import COLD, MIN, MNEMONIC, NOW, VIEW

from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput, TimelockUnlockCondition
from tanglehub.vault import MnemonicSigner
from tanglehub.wallet.operations.transaction import (
    AccountHandle,
    InsufficientFundsError,
    WalletHandle,
    prepare_transaction,
)
from tanglehub.wallet.operations.transaction.prepare import SELECTION_BATCH
from tanglehub.wallet.storage import WalletStore
from tanglehub.wallet.storage_schema import AddressRecord, OutputRecord

LOCKED = SELECTION_BATCH + 50
SMALL = 300


def _oid(i: int) -> bytes:
    return i.to_bytes(32, "big") + b"\x00\x00"


@pytest.fixture
async def account(tmp_path: Path):
    """More timelocked large outputs than one selection batch, then small spendable ones."""
    signer = MnemonicSigner(MNEMONIC)
    store = await WalletStore.open_async(tmp_path / "wallet.db", create=True)
    (h,) = await signer.ed25519_address_hashes(SHIMMER_COIN_TYPE, 0, False, 0, 1)
    me = Ed25519Address(h)

    def setup(tx) -> None:  # type: ignore[no-untyped-def]
        tx.create_account("main")
        tx.insert_addresses([AddressRecord(0, False, 0, h, me.to_bech32("tst"), False)])
        for i in range(LOCKED):
            out = BasicOutput(10 * MIN, (AddressUnlockCondition(me), TimelockUnlockCondition(NOW + 1000)))
            tx.insert_output(OutputRecord(_oid(i), 0, h, out, None, 1, NOW))
        for i in range(SMALL):
            out = BasicOutput(2 * MIN + i, (AddressUnlockCondition(me),))
            tx.insert_output(OutputRecord(_oid(LOCKED + i), 0, h, out, None, 1, NOW))

    await store.write(setup)
    yield AccountHandle(0, WalletHandle(SHIMMER_COIN_TYPE, store, None, signer))  # type: ignore[arg-type]
    await store.aclose()


async def test_selection_reads_past_unusable_outputs_and_takes_the_largest_spendable(account) -> None:
    prepared = await prepare_transaction(
        account, [BasicOutput(5 * MIN, (AddressUnlockCondition(COLD),))], view=VIEW
    )
    amounts = [i.output.amount for i in prepared.inputs]
    assert amounts == [2 * MIN + SMALL - 1, 2 * MIN + SMALL - 2, 2 * MIN + SMALL - 3]
    assert prepared.essence.outputs[1].amount == sum(amounts) - 5 * MIN


async def test_too_little_names_everything_spendable(account) -> None:
    spendable = sum(2 * MIN + i for i in range(SMALL))
    with pytest.raises(InsufficientFundsError) as info:
        await prepare_transaction(
            account, [BasicOutput(spendable + 1, (AddressUnlockCondition(COLD),))], view=VIEW
        )
    assert info.value.available == spendable
    assert info.value.missing == 1
