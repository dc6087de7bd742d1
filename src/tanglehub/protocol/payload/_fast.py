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
from collections.abc import Callable
from types import MemberDescriptorType
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

__all__ = ["read_transaction_fast", "slot_setter"]

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


def slot_setter(cls: type, name: str) -> Callable[[object, object], None]:
    """The setter of slot ``name`` of ``cls`` (a frozen dataclass): it writes the field without the frozen
    ``__setattr__``, and costs about a third of ``object.__setattr__``, which looks the name up first."""
    for klass in cls.__mro__:
        slot = klass.__dict__.get(name)
        if slot is not None:
            if not isinstance(slot, MemberDescriptorType):
                raise TypeError(f"{cls.__name__}.{name} is not a slot")
            return slot.__set__
    raise TypeError(f"{cls.__name__} has no slot {name}")


_INPUT_TX_ID = slot_setter(UtxoInput, "transaction_id")
_INPUT_INDEX = slot_setter(UtxoInput, "output_index")
_ADDRESS_HASH = slot_setter(Ed25519Address, "pub_key_hash")
_CONDITION_ADDRESS = slot_setter(AddressUnlockCondition, "address")
_OUTPUT_AMOUNT = slot_setter(BasicOutput, "amount")
_OUTPUT_CONDITIONS = slot_setter(BasicOutput, "unlock_conditions")
_OUTPUT_TOKENS = slot_setter(BasicOutput, "native_tokens")
_OUTPUT_FEATURES = slot_setter(BasicOutput, "features")
_CACHED_BYTES = slot_setter(BasicOutput, "_cached_bytes")
_SIGNATURE_KEY = slot_setter(Ed25519Signature, "public_key")
_SIGNATURE_BYTES = slot_setter(Ed25519Signature, "signature")
_UNLOCK_SIGNATURE = slot_setter(SignatureUnlock, "signature")
_ESSENCE_NETWORK_ID = slot_setter(TransactionEssence, "network_id")
_ESSENCE_INPUTS = slot_setter(TransactionEssence, "inputs")
_ESSENCE_COMMITMENT = slot_setter(TransactionEssence, "inputs_commitment")
_ESSENCE_OUTPUTS = slot_setter(TransactionEssence, "outputs")
_ESSENCE_PAYLOAD = slot_setter(TransactionEssence, "payload")
_ESSENCE_CACHED = slot_setter(TransactionEssence, "_cached_bytes")
_PAYLOAD_ESSENCE = slot_setter(TransactionPayload, "essence")
_PAYLOAD_UNLOCKS = slot_setter(TransactionPayload, "unlocks")
_PAYLOAD_CACHED = slot_setter(TransactionPayload, "_cached_bytes")


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
    rows = list(_INPUT.iter_unpack(data[at:inputs_end]))
    if len(set(rows)) != n_in:  # the same output id twice
        return None
    inputs: list[UtxoInput] = []
    new, set_tx_id, set_index = _new, _INPUT_TX_ID, _INPUT_INDEX
    for input_kind, tx_id, index in rows:
        if input_kind != UtxoInput.KIND or index > MAX_OUTPUT_INDEX:
            return None
        made = new(UtxoInput)
        set_tx_id(made, tx_id)
        set_index(made, index)
        inputs.append(made)
    commitment = data[inputs_end : inputs_end + 32]
    n_out = _U16.unpack_from(data, inputs_end + 32)[0]
    if not 1 <= n_out <= MAX_OUTPUTS:
        return None
    at = inputs_end + 34
    outputs: list[Output] = []
    unpack_plain = _PLAIN.unpack_from
    set_hash, set_address, set_amount = _ADDRESS_HASH, _CONDITION_ADDRESS, _OUTPUT_AMOUNT
    set_conditions, set_tokens, set_features, set_cached = (
        _OUTPUT_CONDITIONS,
        _OUTPUT_TOKENS,
        _OUTPUT_FEATURES,
        _CACHED_BYTES,
    )
    for _ in range(n_out):
        if data[at] == 3 and at + _PLAIN_LENGTH <= end:
            _kind, amount, middle, key_hash, n_features = unpack_plain(data, at)
            if middle == _PLAIN_MIDDLE and n_features == 0 and amount:
                address = new(Ed25519Address)
                set_hash(address, key_hash)
                condition = new(AddressUnlockCondition)
                set_address(condition, address)
                output = new(BasicOutput)
                set_amount(output, amount)
                set_conditions(output, (condition,))
                set_tokens(output, ())
                set_features(output, ())
                set_cached(output, data[at : at + _PLAIN_LENGTH])
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
            signature = new(Ed25519Signature)
            _SIGNATURE_KEY(signature, key[1:33])
            _SIGNATURE_BYTES(signature, key[33:])
            unlock = new(SignatureUnlock)
            _UNLOCK_SIGNATURE(unlock, signature)
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
    essence = new(TransactionEssence)
    _ESSENCE_NETWORK_ID(essence, network_id)
    _ESSENCE_INPUTS(essence, tuple(inputs))
    _ESSENCE_COMMITMENT(essence, commitment)
    _ESSENCE_OUTPUTS(essence, tuple(outputs))
    _ESSENCE_PAYLOAD(essence, embedded)
    _ESSENCE_CACHED(essence, data[start + 4 : essence_end])
    payload = new(TransactionPayload)
    _PAYLOAD_ESSENCE(payload, essence)
    _PAYLOAD_UNLOCKS(payload, tuple(unlocks))
    _PAYLOAD_CACHED(payload, data[start:end])
    return payload
