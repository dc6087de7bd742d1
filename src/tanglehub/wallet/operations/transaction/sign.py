"""Sign a prepared transaction through the account's :class:`~tanglehub.vault.signer.Signer`.

One signature per distinct address (BIP44 chain), in input order; later inputs of the same address get a
reference unlock. The signed payload then passes the protocol's own syntactic and semantic checks
(:func:`tanglehub.protocol.syntax.validate_transaction`, :func:`tanglehub.protocol.semantic.verify_transaction`)
before it is stored. A failing check, or any error while signing, releases the reserved inputs and raises.

The signed payload is stored as ``pending`` (no block id yet) in the same database transaction that moves the
reservation from the essence hash to the transaction id: from then on the wallet only ever submits this
same payload for these inputs, even after a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from tanglehub.errors import ProtocolValidationError
from tanglehub.keys.slip10 import Bip44
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.ids import blake2b256
from tanglehub.protocol.jsonutil import JsonObject, get_field, require_int, require_list, require_object
from tanglehub.protocol.payload import TransactionPayload
from tanglehub.protocol.semantic import ConflictReason, verify_transaction
from tanglehub.protocol.syntax import validate_transaction
from tanglehub.vault.unlocks import build_unlocks, unique_chains
from tanglehub.wallet.events import ProgressStep, TransactionProgress
from tanglehub.wallet.operations.transaction.context import AccountContext
from tanglehub.wallet.operations.transaction.errors import TransactionOptionsError, TransactionRejectedError
from tanglehub.wallet.operations.transaction.prepare import (
    InputSigningData,
    PreparedTransaction,
    release_in_flight,
)
from tanglehub.wallet.operations.transaction.select_inputs import owner_at
from tanglehub.wallet.storage_queries import StoreTx

__all__ = ["SignedTransaction", "sign_transaction"]


@dataclass(frozen=True, slots=True)
class SignedTransaction:
    """A signed transaction payload with the inputs it consumes (stored in the wallet as pending)."""

    payload: TransactionPayload
    inputs: tuple[InputSigningData, ...]
    account_index: int
    note: str | None = None

    @property
    def transaction_id(self) -> bytes:
        """The transaction id (BLAKE2b-256 of the payload bytes)."""
        return self.payload.transaction_id()

    def to_json(self) -> JsonObject:
        """``{"payload", "inputs", "accountIndex", "note"?}``."""
        d: JsonObject = {
            "payload": self.payload.to_json(),
            "inputs": [i.to_json() for i in self.inputs],
            "accountIndex": self.account_index,
        }
        if self.note is not None:
            d["note"] = self.note
        return d

    @classmethod
    def from_json(cls, d: Mapping[str, Any], path: str = "") -> Self:
        """Parse :meth:`to_json`'s shape."""
        obj = require_object(d, path)
        p = f"{path}." if path else ""
        payload = TransactionPayload.from_json(get_field(obj, "payload", path), f"{p}payload")
        raw = require_list(get_field(obj, "inputs", path), f"{p}inputs")
        inputs = tuple(InputSigningData.from_json(v, f"{p}inputs[{i}]") for i, v in enumerate(raw))
        if tuple(i.output_id for i in inputs) != tuple(u.output_id for u in payload.essence.inputs):
            raise TransactionOptionsError("the signed transaction's inputs do not match its essence's inputs")
        note = obj.get("note")
        if note is not None and not isinstance(note, str):
            raise TransactionOptionsError(f"{p}note must be a string")
        account = require_int(get_field(obj, "accountIndex", path), f"{p}accountIndex", 0, 0x7FFF_FFFF)
        return cls(payload, inputs, account, note)


async def _sign(account: AccountContext, prepared: PreparedTransaction) -> TransactionPayload:
    chains = unique_chains([i.chain for i in prepared.inputs])
    message = prepared.essence_hash()
    answers = await account.wallet.signer.sign_ed25519_many(message, chains)
    if len(answers) != len(chains):
        raise TransactionRejectedError(ConflictReason.INVALID_SIGNATURE, "the signer returned too few signatures")
    expected: dict[Bip44, bytes] = {}
    for i in prepared.inputs:
        owner = owner_at(i.output, prepared.timestamp)
        if isinstance(owner, Ed25519Address):
            expected.setdefault(i.chain, owner.pub_key_hash)
    signatures = dict(zip(chains, answers, strict=True))
    for chain, (pk, _sig) in signatures.items():
        if expected.get(chain) != blake2b256(pk):
            raise TransactionRejectedError(
                ConflictReason.INVALID_SIGNATURE,
                f"the key at account {chain.account}, change {chain.change}, index {chain.address_index} "
                "does not own the input it should unlock (wrong mnemonic or coin type?)",
            )
    payload = TransactionPayload(prepared.essence, build_unlocks([i.chain for i in prepared.inputs], signatures))
    try:
        validate_transaction(payload, prepared.params)
    except ProtocolValidationError as exc:
        raise TransactionRejectedError(ConflictReason.SEMANTIC_VALIDATION_FAILED, str(exc)) from exc
    reason = verify_transaction(payload, [i.output for i in prepared.inputs], prepared.timestamp)
    if reason is not ConflictReason.NONE:
        raise TransactionRejectedError(reason)
    return payload


def store_signed(
    tx: StoreTx, payload: TransactionPayload, account_index: int, note: str | None, key: bytes | None
) -> None:
    """Store ``payload`` as pending and reserve its inputs under its transaction id (in one transaction);
    ``key`` is the provisional reservation to drop. Storing an already stored payload only re-reserves.
    A newly stored payload logs a ``SignedTransaction`` progress event in the same transaction."""
    tx_id = payload.transaction_id()
    if key is not None:
        tx.release_reservations(key)
    tx.reserve_outputs([u.output_id for u in payload.essence.inputs], tx_id, account_index)
    if tx.transaction(tx_id) is None:
        tx.insert_transaction(account_index, payload, note=note)
        tx.add_event(
            TransactionProgress(
                account_index,
                ProgressStep.SIGNED_TRANSACTION,
                transaction_id=tx_id,
                detail=f"{len(payload.unlocks)} unlock(s); stored as pending",
                essence_hash=payload.essence.hash(),
            )
        )


async def sign_transaction(account: AccountContext, prepared: PreparedTransaction) -> SignedTransaction:
    """Sign ``prepared``, check it, and store it as pending (see the module docstring)."""
    key = prepared.essence_hash()
    try:
        payload = await _sign(account, prepared)
        await account.wallet.store.write(
            lambda tx: store_signed(tx, payload, prepared.account_index, prepared.note, key)
        )
    except BaseException:
        await account.wallet.store.write(lambda tx: tx.release_reservations(key))
        raise
    finally:
        release_in_flight(key)
    return SignedTransaction(payload, prepared.inputs, prepared.account_index, prepared.note)
