"""Signatures and unlocks: layouts, JSON, dispatch and reference rules."""

from __future__ import annotations

import pytest

from tanglehub.protocol.codec import Reader
from tanglehub.protocol.errors import DecodeError, InvalidUnlockError, JsonShapeError
from tanglehub.protocol.unlock import (
    AliasUnlock,
    Ed25519Signature,
    NftUnlock,
    ReferenceUnlock,
    SignatureUnlock,
    read_unlock,
    unlock_from_json,
)

PK = bytes(range(32))
SIG = bytes(range(64))


def test_signature_unlock_layout() -> None:
    u = SignatureUnlock(Ed25519Signature(PK, SIG))
    assert u.to_bytes() == b"\x00\x00" + PK + SIG
    assert read_unlock(Reader(u.to_bytes())) == u


@pytest.mark.parametrize(("cls", "kind"), [(ReferenceUnlock, 1), (AliasUnlock, 2), (NftUnlock, 3)])
def test_referencing_unlocks_layout_and_json(cls: type[ReferenceUnlock], kind: int) -> None:
    u = cls(7)
    assert u.to_bytes() == bytes([kind, 7, 0])
    assert read_unlock(Reader(u.to_bytes())) == u
    assert u.to_json() == {"type": kind, "reference": 7}
    assert unlock_from_json(u.to_json()) == u


def test_signature_unlock_json() -> None:
    u = SignatureUnlock(Ed25519Signature(PK, SIG))
    assert u.to_json() == {
        "type": 0,
        "signature": {"type": 0, "publicKey": "0x" + PK.hex(), "signature": "0x" + SIG.hex()},
    }
    assert unlock_from_json(u.to_json()) == u


def test_wrong_key_and_signature_lengths() -> None:
    with pytest.raises(InvalidUnlockError, match="public key"):
        Ed25519Signature(PK[:31], SIG)
    with pytest.raises(InvalidUnlockError, match="signature is 64"):
        Ed25519Signature(PK, SIG + b"\x00")


def test_reference_out_of_range() -> None:
    with pytest.raises(InvalidUnlockError, match="out of range"):
        ReferenceUnlock(128)
    with pytest.raises(DecodeError) as info:
        read_unlock(Reader(b"\x01\x80\x00"))
    assert info.value.offset == 1


def test_unknown_unlock_and_signature_types() -> None:
    with pytest.raises(DecodeError, match="unknown unlock type 4"):
        read_unlock(Reader(b"\x04\x00\x00"))
    with pytest.raises(DecodeError, match="unknown signature type 1"):
        read_unlock(Reader(b"\x00\x01" + PK + SIG))
    with pytest.raises(JsonShapeError) as info:
        unlock_from_json({"type": 9}, "unlocks[2]")
    assert info.value.path == "unlocks[2].type"


def test_truncated_signature_reports_offset() -> None:
    data = SignatureUnlock(Ed25519Signature(PK, SIG)).to_bytes()
    for cut in range(len(data)):
        with pytest.raises(DecodeError) as info:
            SignatureUnlock.from_bytes(data[:cut])
        assert info.value.offset is not None
        assert info.value.offset <= cut


def test_bad_signature_json_names_field() -> None:
    with pytest.raises(JsonShapeError) as info:
        unlock_from_json({"type": 0, "signature": {"type": 0, "publicKey": "0x00", "signature": "0x"}}, "u")
    assert info.value.path == "u.signature.publicKey"
