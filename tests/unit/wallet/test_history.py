"""Which addresses a transaction touches (the ledger-history walk of recovery and the post-restore scan)."""

from __future__ import annotations

from tanglehub.keys.ed25519 import public_key, sign
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.ids import output_id
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput, ExpirationUnlockCondition
from tanglehub.protocol.payload import TransactionEssence, TransactionPayload, inputs_commitment
from tanglehub.protocol.unlock import Ed25519Signature, ReferenceUnlock, SignatureUnlock
from tanglehub.wallet.operations.history import transaction_addresses


def _key(n: int) -> bytes:
    return bytes([n]) * 32


def test_signers_owners_and_return_addresses_are_named_and_nothing_else() -> None:
    spender = _key(1)
    spent = BasicOutput(2_000_000, (AddressUnlockCondition(Ed25519Address.from_public_key(public_key(spender))),))
    owner, back = Ed25519Address(b"\x22" * 32), Ed25519Address(b"\x33" * 32)
    outputs = (
        BasicOutput(1_000_000, (AddressUnlockCondition(owner),)),
        BasicOutput(1_000_000, (AddressUnlockCondition(owner), ExpirationUnlockCondition(back, 1_800_000_000))),
    )
    inputs = (
        UtxoInput.from_output_id(output_id(b"\x44" * 32, 0)),
        UtxoInput.from_output_id(output_id(b"\x44" * 32, 1)),
    )
    essence = TransactionEssence(
        network_id=1, inputs=inputs, inputs_commitment=inputs_commitment([spent, spent]), outputs=outputs
    )
    signature = SignatureUnlock(Ed25519Signature(public_key(spender), sign(spender, essence.hash())))
    payload = TransactionPayload(essence, (signature, ReferenceUnlock(0)))

    found = transaction_addresses(payload)

    signer = Ed25519Address.from_public_key(public_key(spender)).pub_key_hash
    assert found == {signer, owner.pub_key_hash, back.pub_key_hash}
    assert Ed25519Address.from_public_key(public_key(_key(9))).pub_key_hash not in found
