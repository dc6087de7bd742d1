from __future__ import annotations

import json
from typing import Any

import nacl.bindings
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.reference import VECTORS

from tanglehub.keys import (
    KeyFormatError,
    derive_path,
    ed25519_address_hash,
    mnemonic_to_seed,
    public_key,
    sign,
    verify,
)
from tanglehub.keys._zip215 import GROUP_ORDER, verify_zip215


def load(relative: str) -> Any:
    return json.loads((VECTORS / relative).read_text())


TIP14 = load("iota.go/TestEd25519Signature_Valid.json")
EXTRA = load("extracted_vectors.json")["slip10_derivation_extra"]["vectors"]


def _sodium_accepts(pk: bytes, msg: bytes, sig: bytes) -> bool:
    try:
        nacl.bindings.crypto_sign_open(sig + msg, pk)
    except Exception:
        return False
    return True


@pytest.mark.parametrize("case", TIP14, ids=[f"tip14-{i}" for i in range(len(TIP14))])
def test_tip14_vectors_decide_as_published(case: dict[str, object]) -> None:
    pk, msg, sig = (bytes.fromhex(str(case[k])) for k in ("pub_key", "message", "signature"))
    address = bytes.fromhex(str(case["address"]))
    # A signature unlock is valid when the signature verifies AND the key hashes to the address.
    decided = verify(pk, msg, sig) and address == b"\x00" + ed25519_address_hash(pk)
    assert decided is case["valid"]


def test_tip14_vectors_exercise_the_exact_fallback_path() -> None:
    rejected_by_sodium_but_valid = [
        c
        for c in TIP14
        if c["valid"] and not _sodium_accepts(*(bytes.fromhex(c[k]) for k in ("pub_key", "message", "signature")))
    ]
    assert len(rejected_by_sodium_but_valid) >= 3


def test_sdk_signature_vector_is_reproduced_byte_for_byte() -> None:
    case = EXTRA[1]
    node = derive_path(mnemonic_to_seed(case["mnemonic"]), [44, 4218, 0, 0, 0])
    signature = sign(node.private_key, bytes.fromhex(case["message_hex"]))
    assert signature.hex() == case["ed25519_signature"]
    assert verify(public_key(node.private_key), bytes.fromhex(case["message_hex"]), signature)


def test_s_at_or_above_group_order_is_rejected() -> None:
    key = bytes(range(32))
    pk, msg = public_key(key), b"m"
    sig = sign(key, msg)
    s = int.from_bytes(sig[32:], "little")
    malleated = sig[:32] + (s + GROUP_ORDER).to_bytes(32, "little")
    assert verify(pk, msg, sig)
    assert not verify(pk, msg, malleated)
    assert not verify_zip215(pk, msg, malleated)


@settings(max_examples=60, deadline=None)
@given(key=st.binary(min_size=32, max_size=32), msg=st.binary(max_size=64), flip=st.integers(0, 64 * 8 - 1))
def test_exact_path_agrees_with_libsodium_on_honest_and_tampered_signatures(
    key: bytes, msg: bytes, flip: int
) -> None:
    pk, sig = public_key(key), sign(key, msg)
    assert verify_zip215(pk, msg, sig)
    tampered = bytearray(sig)
    tampered[flip // 8] ^= 1 << (flip % 8)
    assert verify(pk, msg, bytes(tampered)) is verify_zip215(pk, msg, bytes(tampered))
    assert not verify(pk, msg + b"x", sig)


@pytest.mark.parametrize(("pk", "sig"), [(bytes(31), bytes(64)), (bytes(32), bytes(63)), ("00" * 32, bytes(64))])
def test_wrong_lengths_are_format_errors(pk: object, sig: bytes) -> None:
    with pytest.raises(KeyFormatError):
        verify(pk, b"", sig)  # type: ignore[arg-type]


def test_private_key_must_be_32_bytes() -> None:
    with pytest.raises(KeyFormatError):
        public_key(bytes(64))
    with pytest.raises(KeyFormatError):
        sign(bytes(31), b"")
