"""A short decoding path for transaction payloads (TIP-20) of the shapes wallets read most, beside the general
reader (``TransactionPayload.read_from``), which stays the one that decides.

What the short path reads itself, with ``struct`` over the fixed layouts and without the constructors' checks
(it makes the same checks inline):

- the essence header (type 1, network id, 1..128 inputs), UTXO inputs (type 0, output index 0..127, no output
  id twice), the inputs commitment and the output count (1..128);
- a Basic output whose only unlock condition is an Address one on an Ed25519 address, with no native tokens
  and no features (46 bytes: ``u8 3 | u64 amount | 00 01 00 00 | [32] hash | 00``), amount above 0;
- signature unlocks (Ed25519, no two alike) and Reference/Alias/NFT unlocks pointing to an earlier unlock (a
  Reference unlock to a signature unlock), one unlock per input.

Any other output, and an embedded tagged data payload, is read in place by the general reader's own function
for it (so its checks and its errors are the general ones). Anything the short path does not accept makes it
return None, and the caller then runs the general reader over the whole value: the short path never raises and
never decides an input is invalid, so every malformed input fails in the general reader with its usual error.
A value the short path returns equals the general reader's (the same fields, and the same cached bytes on the
payload, its essence and its outputs), so ids and re-encoded bytes are the same.
"""

from __future__ import annotations

import struct
from typing import Final

from tanglehub.errors import TanglehubError
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.codec import Reader
from tanglehub.protocol.ids import MAX_OUTPUT_INDEX
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput, Output, read_output
from tanglehub.protocol.payload.essence import MAX_INPUTS, MAX_OUTPUTS, TransactionEssence
from tanglehub.protocol.payload.tagged_data import TaggedDataPayload
from tanglehub.protocol.payload.transaction import TransactionPayload
from tanglehub.protocol.unlock import (
    MAX_UNLOCK_REFERENCE,
    AliasUnlock,
    Ed25519Signature,
    NftUnlock,
    ReferenceUnlock,
    SignatureUnlock,
    Unlock,
)

__all__ = ["read_transaction_fast"]

_U16: Final = struct.Struct("<H")
_U32: Final = struct.Struct("<I")
_ESSENCE_HEAD: Final = struct.Struct("<IBQH")
"""Payload type 6, essence type 1, network id, input count."""
_INPUT: Final = struct.Struct("<B32sH")
"""UTXO input: type 0, transaction id, output index."""
_PLAIN: Final = struct.Struct("<BQI32sB")
"""The plain Basic output: type 3, amount, (0 native tokens, 1 unlock condition, Address condition type 0,
Ed25519 kind 0) as one little-endian u32, key hash, 0 features."""
_PLAIN_LENGTH: Final = _PLAIN.size
_PLAIN_MIDDLE: Final = 0x0000_0100
_SIGNATURE_UNLOCK_LENGTH: Final = 98
"""``u8 0 unlock | u8 0 Ed25519 | [32] public key | [64] signature``."""
_REFERENCING: Final[dict[int, tuple[Unlock, ...]]] = {
    cls.KIND: tuple(cls(i) for i in range(MAX_UNLOCK_REFERENCE + 1))
    for cls in (ReferenceUnlock, AliasUnlock, NftUnlock)
}
"""Every Reference/Alias/NFT unlock there can be (immutable values, shared by every decoded transaction)."""

_new = object.__new__
_set = object.__setattr__


def read_transaction_fast(data: bytes, start: int, end: int) -> TransactionPayload | None:
    """The transaction payload that is exactly ``data[start:end]`` (type prefix included), or None when the
    short path does not take it (another shape, or bytes that may not decode): the general reader decides then.
    """
    try:
        return _read(data, start, end)
    except (TanglehubError, struct.error, IndexError):
        return None


def _read(data: bytes, start: int, end: int) -> TransactionPayload | None:
    kind, essence_kind, network_id, n_in = _ESSENCE_HEAD.unpack_from(data, start)
    if kind != TransactionPayload.KIND or essence_kind != TransactionEssence.KIND or not 1 <= n_in <= MAX_INPUTS:
        return None
    at = start + _ESSENCE_HEAD.size
    inputs_end = at + _INPUT.size * n_in
    if inputs_end + 34 > end:
        return None
    inputs: list[UtxoInput] = []
    for input_kind, tx_id, index in _INPUT.iter_unpack(data[at:inputs_end]):
        if input_kind != UtxoInput.KIND or index > MAX_OUTPUT_INDEX:
            return None
        made = _new(UtxoInput)
        _set(made, "transaction_id", tx_id)
        _set(made, "output_index", index)
        inputs.append(made)
    if len({(i.transaction_id, i.output_index) for i in inputs}) != n_in:
        return None
    commitment = data[inputs_end : inputs_end + 32]
    n_out = _U16.unpack_from(data, inputs_end + 32)[0]
    if not 1 <= n_out <= MAX_OUTPUTS:
        return None
    at = inputs_end + 34
    outputs: list[Output] = []
    for _ in range(n_out):
        if data[at] == BasicOutput.KIND and at + _PLAIN_LENGTH <= end:
            _kind, amount, middle, key_hash, n_features = _PLAIN.unpack_from(data, at)
            if middle == _PLAIN_MIDDLE and n_features == 0 and amount:
                address = _new(Ed25519Address)
                _set(address, "pub_key_hash", key_hash)
                condition = _new(AddressUnlockCondition)
                _set(condition, "address", address)
                output = _new(BasicOutput)
                _set(output, "amount", amount)
                _set(output, "unlock_conditions", (condition,))
                _set(output, "native_tokens", ())
                _set(output, "features", ())
                _set(output, "_cached_bytes", data[at : at + _PLAIN_LENGTH])
                outputs.append(output)
                at += _PLAIN_LENGTH
                continue
        r = Reader(data, at)
        outputs.append(read_output(r))
        at = r.offset
    if at + 4 > end:
        return None
    payload_length = _U32.unpack_from(data, at)[0]
    at += 4
    embedded: TaggedDataPayload | None = None
    if payload_length:
        r = Reader(data, at)
        if r.peek_u32() != TaggedDataPayload.KIND:
            return None
        embedded = TaggedDataPayload.read_from(r)
        if r.offset - at != payload_length:
            return None
        at = r.offset
    essence_end = at
    if at + 2 > end or _U16.unpack_from(data, at)[0] != n_in:
        return None
    at += 2
    unlocks: list[Unlock] = []
    signatures: set[bytes] = set()
    is_signature: list[bool] = []
    for i in range(n_in):
        unlock_kind = data[at]
        if unlock_kind == SignatureUnlock.KIND:
            key = data[at + 1 : at + _SIGNATURE_UNLOCK_LENGTH]
            if data[at + 1] != Ed25519Signature.KIND or len(key) != 97 or key in signatures:
                return None
            signatures.add(key)
            signature = _new(Ed25519Signature)
            _set(signature, "public_key", key[1:33])
            _set(signature, "signature", key[33:])
            unlock = _new(SignatureUnlock)
            _set(unlock, "signature", signature)
            unlocks.append(unlock)
            is_signature.append(True)
            at += _SIGNATURE_UNLOCK_LENGTH
        else:
            table = _REFERENCING.get(unlock_kind)
            if table is None:
                return None
            reference = _U16.unpack_from(data, at + 1)[0]
            if reference >= i or (unlock_kind == ReferenceUnlock.KIND and not is_signature[reference]):
                return None
            unlocks.append(table[reference])
            is_signature.append(False)
            at += 3
    if at != end:
        return None
    essence = _new(TransactionEssence)
    _set(essence, "network_id", network_id)
    _set(essence, "inputs", tuple(inputs))
    _set(essence, "inputs_commitment", commitment)
    _set(essence, "outputs", tuple(outputs))
    _set(essence, "payload", embedded)
    _set(essence, "_cached_bytes", data[start + 4 : essence_end])
    payload = _new(TransactionPayload)
    _set(payload, "essence", essence)
    _set(payload, "unlocks", tuple(unlocks))
    _set(payload, "_cached_bytes", data[start:end])
    return payload
