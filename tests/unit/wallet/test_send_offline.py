"""Prepare and sign against a real state store and signer, without a node: the pre-flight check releases
reserved inputs on failure, concurrent prepares never share inputs, micro-amount outputs, options."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tests.offline_prepare import COLD, MIN, MNEMONIC, NOW, VIEW

from tanglehub.errors import ProtocolValidationError, WalletError
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    StorageDepositReturnUnlockCondition,
)
from tanglehub.protocol.params import DEVNET
from tanglehub.protocol.payload import TaggedDataPayload
from tanglehub.protocol.semantic import ConflictReason
from tanglehub.vault import MnemonicSigner
from tanglehub.wallet.operations.send import prepare_send
from tanglehub.wallet.operations.transaction import (
    AccountHandle,
    AmountBelowStorageDepositError,
    CustomAddress,
    InputNotUsableError,
    InputSelectionError,
    TransactionOptions,
    TransactionOptionsError,
    TransactionRejectedError,
    WalletHandle,
    prepare_transaction,
    recipient_output,
    sign_transaction,
)
from tanglehub.wallet.storage import WalletStore
from tanglehub.wallet.storage_schema import AddressRecord, OutputRecord

OTHER_MNEMONIC = " ".join(["abandon"] * 23 + ["art"])


async def make_account(tmp_path: Path, signer: MnemonicSigner, amounts: list[int]) -> AccountHandle:
    store = await WalletStore.open_async(tmp_path / "wallet.db", create=True)
    hashes = await MnemonicSigner(MNEMONIC).ed25519_address_hashes(SHIMMER_COIN_TYPE, 0, False, 0, 1)
    me = Ed25519Address(hashes[0])

    def setup(tx) -> None:  # type: ignore[no-untyped-def]
        tx.create_account("main")
        tx.insert_addresses([AddressRecord(0, False, 0, me.pub_key_hash, me.to_bech32("tst"), False)])
        for i, amount in enumerate(amounts):
            output = BasicOutput(amount, (AddressUnlockCondition(me),))
            tx.insert_output(
                OutputRecord(bytes([i + 1]) * 32 + b"\x00\x00", 0, me.pub_key_hash, output, None, 1, NOW)
            )

    await store.write(setup)
    return AccountHandle(0, WalletHandle(SHIMMER_COIN_TYPE, store, None, signer))  # type: ignore[arg-type]


async def test_sign_stores_a_valid_pending_transaction(tmp_path: Path) -> None:
    account = await make_account(tmp_path, MnemonicSigner(MNEMONIC), [3 * MIN, 3 * MIN])
    options = TransactionOptions(
        remainder=CustomAddress(COLD), tagged_data=TaggedDataPayload(b"t", b"d"), note="n"
    )
    prepared = await prepare_transaction(
        account, [BasicOutput(4 * MIN, (AddressUnlockCondition(COLD),))], options, view=VIEW
    )
    signed = await sign_transaction(account, prepared)
    # Two inputs of one address: one signature, one reference.
    assert [u.KIND for u in signed.payload.unlocks] == [0, 1]
    stored = await account.wallet.store.read(lambda tx: tx.transaction(signed.transaction_id))
    assert stored is not None
    assert (stored.state, stored.block_id, stored.note) == ("pending", None, "n")
    res = await account.wallet.store.read(lambda tx: tx.reservations())
    assert {r.tx_id for r in res} == {signed.transaction_id}
    await account.wallet.store.aclose()


async def test_a_failing_preflight_check_releases_the_inputs(tmp_path: Path) -> None:
    account = await make_account(tmp_path, MnemonicSigner(OTHER_MNEMONIC), [3 * MIN])
    outputs = [BasicOutput(3 * MIN, (AddressUnlockCondition(COLD),))]
    prepared = await prepare_transaction(account, outputs, view=VIEW)
    assert len(await account.wallet.store.read(lambda tx: tx.reservations())) == 1
    with pytest.raises(TransactionRejectedError) as info:
        await sign_transaction(account, prepared)
    assert info.value.reason is ConflictReason.INVALID_SIGNATURE
    assert await account.wallet.store.read(lambda tx: tx.reservations()) == []
    assert await account.wallet.store.read(lambda tx: tx.transactions()) == []
    await account.wallet.store.aclose()


async def test_concurrent_prepares_reserve_disjoint_inputs(tmp_path: Path) -> None:
    account = await make_account(tmp_path, MnemonicSigner(MNEMONIC), [2 * MIN] * 6)
    out = [BasicOutput(3 * MIN, (AddressUnlockCondition(COLD),))]
    opts = TransactionOptions(remainder=CustomAddress(COLD))
    results = await asyncio.gather(
        *(prepare_transaction(account, out, opts, view=VIEW) for _ in range(4)), return_exceptions=True
    )
    prepared = [r for r in results if not isinstance(r, BaseException)]
    assert len(prepared) == 3  # six outputs of 2*MIN pay three sends of 3*MIN (+ remainder)
    used = [i.output_id for p in prepared for i in p.inputs]
    assert len(used) == len(set(used)) == 6
    with pytest.raises(InputNotUsableError, match="reserved"):
        await prepare_transaction(
            account, out, TransactionOptions(remainder=CustomAddress(COLD), custom_inputs=(used[0],)), view=VIEW
        )
    await account.wallet.store.aclose()


def test_micro_amount_outputs_return_the_deposit_and_expire() -> None:
    rent = DEVNET.rent_structure
    with pytest.raises(AmountBelowStorageDepositError) as info:
        recipient_output(COLD, 10, rent)
    assert info.value.minimum == MIN
    back = Ed25519Address(b"\x01" * 32)
    for amount in (1, 10, MIN - 1):
        out = recipient_output(
            COLD, amount, rent, allow_micro_amount=True, return_address=back, expiration_time=NOW
        )
        out.validate(DEVNET)
        sdruc = out.unlock_condition(StorageDepositReturnUnlockCondition)
        expiration = out.unlock_condition(ExpirationUnlockCondition)
        assert sdruc is not None
        assert expiration is not None
        assert out.amount - sdruc.amount == amount
        assert (sdruc.return_address, expiration.return_address, expiration.unix_time) == (back, back, NOW)
    assert recipient_output(COLD, MIN, rent) == BasicOutput(MIN, (AddressUnlockCondition(COLD),))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"custom_inputs": (b"\x00" * 34,), "mandatory_inputs": (b"\x01" * 34,)}, "not both"),
        ({"custom_inputs": (b"\x00" * 33,)}, "34-byte"),
        ({"mandatory_inputs": (b"\x00" * 34, b"\x00" * 34)}, "twice"),
        ({"expiration": 0}, "positive"),
        ({"note": "x" * 1001}, "note"),
        ({"remainder": "change"}, "remainder"),
    ],
)
def test_bad_options_are_refused_with_a_reason(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(TransactionOptionsError, match=match):
        TransactionOptions(**kwargs)  # type: ignore[arg-type]


async def test_send_many_accepts_128_recipients_when_no_remainder_is_needed(tmp_path: Path) -> None:
    signer = MnemonicSigner(MNEMONIC)
    account = await make_account(tmp_path, signer, [128 * MIN])
    recipients = [(COLD.to_bech32("tst"), MIN)] * 128
    prepared = await prepare_send(account, recipients, view=VIEW)
    assert len(prepared.essence.outputs) == 128
    assert prepared.remainder_index is None
    signed = await sign_transaction(account, prepared)  # includes the semantic pre-flight check
    assert len(signed.payload.essence.outputs) == 128


async def test_send_many_says_when_128_recipients_leave_no_room_for_a_remainder(tmp_path: Path) -> None:
    account = await make_account(tmp_path, MnemonicSigner(MNEMONIC), [130 * MIN])
    recipients = [(COLD.to_bech32("tst"), MIN)] * 128
    with pytest.raises(InputSelectionError, match="at most 128"):
        await prepare_send(account, recipients, view=VIEW)


async def test_protocol_validation_errors_reach_the_caller_as_wallet_errors(tmp_path: Path) -> None:
    account = await make_account(tmp_path, MnemonicSigner(MNEMONIC), [3 * MIN])
    too_much = BasicOutput(DEVNET.token_supply + 1, (AddressUnlockCondition(COLD),))
    with pytest.raises(WalletError) as info:
        await prepare_transaction(account, [too_much], view=VIEW)
    assert isinstance(info.value, TransactionOptionsError)
    assert isinstance(info.value.__cause__, ProtocolValidationError)
