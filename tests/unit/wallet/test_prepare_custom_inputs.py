"""Custom and mandatory inputs: each is read with its reservation mark and its owner in one query, and every
input that may not be spent is refused by name (unknown, spent, reserved, another account's, locked)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.offline_prepare import COLD, MIN, MNEMONIC, NOW, VIEW

from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE, Bip44
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput, TimelockUnlockCondition
from tanglehub.vault import MnemonicSigner
from tanglehub.wallet.operations.transaction import (
    AccountHandle,
    InputNotUsableError,
    TransactionOptions,
    WalletHandle,
    prepare_transaction,
)
from tanglehub.wallet.storage import WalletStore
from tanglehub.wallet.storage_schema import AddressRecord, OutputRecord

PAY = BasicOutput(MIN, (AddressUnlockCondition(COLD),))


def _oid(i: int) -> bytes:
    return i.to_bytes(32, "big") + b"\x00\x00"


PUBLIC, CHANGE, OTHER_ACCOUNT, SPENT, RESERVED, LOCKED, UNKNOWN = (_oid(i) for i in range(1, 8))


@pytest.fixture
async def account(tmp_path: Path):
    """Account 0 with a public address (key 0) and a change address (key 3), account 1 with one address;
    outputs on each, one spent, one reserved, one timelocked."""
    signer = MnemonicSigner(MNEMONIC)
    store = await WalletStore.open_async(tmp_path / "wallet.db", create=True)
    (pub,) = await signer.ed25519_address_hashes(SHIMMER_COIN_TYPE, 0, False, 0, 1)
    (change,) = await signer.ed25519_address_hashes(SHIMMER_COIN_TYPE, 0, True, 3, 1)
    (other,) = await signer.ed25519_address_hashes(SHIMMER_COIN_TYPE, 1, False, 0, 1)

    def setup(tx) -> None:  # type: ignore[no-untyped-def]
        tx.create_account("main")
        tx.create_account("other")
        tx.insert_addresses(
            [
                AddressRecord(0, False, 0, pub, Ed25519Address(pub).to_bech32("tst"), False),
                AddressRecord(0, True, 3, change, Ed25519Address(change).to_bech32("tst"), False),
                AddressRecord(1, False, 0, other, Ed25519Address(other).to_bech32("tst"), False),
            ]
        )
        for oid, account, h in (
            (PUBLIC, 0, pub),
            (CHANGE, 0, change),
            (OTHER_ACCOUNT, 1, other),
            (SPENT, 0, pub),
            (RESERVED, 0, pub),
        ):
            out = BasicOutput(2 * MIN, (AddressUnlockCondition(Ed25519Address(h)),))
            tx.insert_output(OutputRecord(oid, account, h, out, None, 1, NOW))
        locked = BasicOutput(
            2 * MIN, (AddressUnlockCondition(Ed25519Address(pub)), TimelockUnlockCondition(NOW + 1000))
        )
        tx.insert_output(OutputRecord(LOCKED, 0, pub, locked, None, 1, NOW))
        tx.mark_output_spent(SPENT, tx_id=b"\x09" * 32, milestone_index=2, timestamp=NOW)
        tx.reserve_outputs([RESERVED], b"\x0a" * 32, 0)

    await store.write(setup)
    yield AccountHandle(0, WalletHandle(SHIMMER_COIN_TYPE, store, None, signer))  # type: ignore[arg-type]
    await store.aclose()


async def test_custom_inputs_are_signed_by_the_chains_of_their_addresses(account) -> None:
    prepared = await prepare_transaction(
        account,
        [BasicOutput(4 * MIN, (AddressUnlockCondition(COLD),))],
        TransactionOptions(custom_inputs=(CHANGE, PUBLIC)),
        view=VIEW,
    )
    assert [i.output_id for i in prepared.inputs] == [CHANGE, PUBLIC]
    assert [i.chain for i in prepared.inputs] == [
        Bip44(SHIMMER_COIN_TYPE, 0, 1, 3),
        Bip44(SHIMMER_COIN_TYPE, 0, 0, 0),
    ]
    reserved = await account.wallet.store.read(lambda tx: tx.reserved_output_ids())
    assert reserved == {CHANGE, PUBLIC, RESERVED}


@pytest.mark.parametrize(
    ("oid", "why"),
    [
        (UNKNOWN, "is not a known output of this account"),
        (OTHER_ACCOUNT, "is not a known output of this account"),
        (SPENT, "is already spent"),
        (RESERVED, "is reserved by another unfinished transaction"),
        (LOCKED, "cannot be spent now: timelocked until unix time"),
    ],
)
@pytest.mark.parametrize("option", ["custom_inputs", "mandatory_inputs"])
async def test_an_input_that_may_not_be_spent_is_refused_by_name(
    account, oid: bytes, why: str, option: str
) -> None:
    options = TransactionOptions(**{option: (PUBLIC, oid)})
    with pytest.raises(InputNotUsableError, match=f"output 0x{oid.hex()} {why}"):
        await prepare_transaction(account, [PAY], options, view=VIEW)
    reserved = await account.wallet.store.read(lambda tx: tx.reserved_output_ids())
    assert reserved == {RESERVED}  # nothing was reserved
