"""Ed25519 signatures and unlocks (TIP-20).

Binary: signature ``u8 0 | [32] publicKey | [64] signature``; unlocks ``u8 kind`` followed by a signature
(kind 0) or a ``u16`` reference to an earlier unlock (kinds 1 Reference, 2 Alias, 3 NFT). JSON:
``{"type": 0, "signature": {"type": 0, "publicKey": "0x..", "signature": "0x.."}}`` and
``{"type": 1, "reference": 0}`` (Alias and NFT unlocks use the key ``reference`` too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from tanglehub.protocol._values import byte_string, uint
from tanglehub.protocol.codec import Reader, Serializable, Writer
from tanglehub.protocol.errors import DecodeError, InvalidUnlockError, JsonShapeError
from tanglehub.protocol.jsonutil import (
    JsonObject,
    get_field,
    hex_from_bytes,
    hex_to_bytes,
    require_int,
    require_object,
    sub,
)

__all__ = [
    "AliasUnlock",
    "Ed25519Signature",
    "MAX_UNLOCK_REFERENCE",
    "NftUnlock",
    "PUBLIC_KEY_LENGTH",
    "ReferenceUnlock",
    "SIGNATURE_LENGTH",
    "SignatureUnlock",
    "UNLOCK_KINDS",
    "Unlock",
    "read_unlock",
    "unlock_from_json",
]

PUBLIC_KEY_LENGTH = 32
"""Bytes in an Ed25519 public key."""
SIGNATURE_LENGTH = 64
"""Bytes in an Ed25519 signature."""
MAX_UNLOCK_REFERENCE = 127
"""A transaction has at most 128 inputs, so a reference names an unlock 0..127."""


@dataclass(frozen=True, slots=True)
class Ed25519Signature(Serializable):
    """An Ed25519 public key and a signature made with its private key."""

    KIND: ClassVar[int] = 0
    NAME: ClassVar[str] = "Ed25519 signature"

    public_key: bytes
    signature: bytes

    def __post_init__(self) -> None:
        pk = byte_string(self.public_key, "an Ed25519 public key", InvalidUnlockError, PUBLIC_KEY_LENGTH)
        if pk is not self.public_key:
            object.__setattr__(self, "public_key", pk)
        sig = byte_string(self.signature, "an Ed25519 signature", InvalidUnlockError, SIGNATURE_LENGTH)
        if sig is not self.signature:
            object.__setattr__(self, "signature", sig)

    def write_to(self, w: Writer) -> None:
        """Append ``u8 0 | publicKey | signature``."""
        w.u8(self.KIND)
        w.raw(self.public_key)
        w.raw(self.signature)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read one signature, type byte included."""
        at = r.offset
        kind = r.u8("signature type")
        if kind != cls.KIND:
            raise DecodeError(f"unknown signature type {kind} (only Ed25519, type 0, is supported)", at)
        pk = r.raw(PUBLIC_KEY_LENGTH, "public key")
        sig = r.raw(SIGNATURE_LENGTH, "signature")
        return cls(pk, sig)

    def to_json(self) -> JsonObject:
        """The node API's JSON shape."""
        return {
            "type": self.KIND,
            "publicKey": hex_from_bytes(self.public_key),
            "signature": hex_from_bytes(self.signature),
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any], path: str = "") -> Self:
        """Parse the node API's JSON shape; errors name the field."""
        obj = require_object(d, path)
        kind = require_int(get_field(obj, "type", path), sub(path, "type"), 0, 255)
        if kind != cls.KIND:
            raise JsonShapeError(
                f"unknown signature type {kind} (only Ed25519, type 0, is supported)", sub(path, "type")
            )
        pk = hex_to_bytes(get_field(obj, "publicKey", path), sub(path, "publicKey"), PUBLIC_KEY_LENGTH)
        sig = hex_to_bytes(get_field(obj, "signature", path), sub(path, "signature"), SIGNATURE_LENGTH)
        return cls(pk, sig)


@dataclass(frozen=True, slots=True)
class SignatureUnlock(Serializable):
    """Unlocks the inputs owned by the Ed25519 address of ``signature.public_key``."""

    KIND: ClassVar[int] = 0
    NAME: ClassVar[str] = "signature unlock"

    signature: Ed25519Signature

    def __post_init__(self) -> None:
        if not isinstance(self.signature, Ed25519Signature):
            raise InvalidUnlockError(
                f"a signature unlock needs an Ed25519Signature, got {type(self.signature).__name__}"
            )

    def write_to(self, w: Writer) -> None:
        """Append ``u8 0 | signature``."""
        w.u8(self.KIND)
        self.signature.write_to(w)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read one signature unlock, type byte included."""
        _expect_kind(r, cls.KIND)
        return cls(Ed25519Signature.read_from(r))

    def to_json(self) -> JsonObject:
        """The node API's JSON shape."""
        return {"type": self.KIND, "signature": self.signature.to_json()}

    @classmethod
    def from_json(cls, d: Mapping[str, Any], path: str = "") -> Self:
        """Parse the node API's JSON shape; errors name the field."""
        obj = require_object(d, path)
        _expect_json_kind(obj, cls.KIND, path)
        return cls(Ed25519Signature.from_json(get_field(obj, "signature", path), sub(path, "signature")))


@dataclass(frozen=True, slots=True)
class _ReferencingUnlock(Serializable):
    """Shared shape of the unlocks that point at an earlier unlock by index."""

    KIND: ClassVar[int] = -1

    reference: int

    def __post_init__(self) -> None:
        uint(self.reference, MAX_UNLOCK_REFERENCE, f"the {self.NAME} reference", InvalidUnlockError)

    def write_to(self, w: Writer) -> None:
        """Append ``u8 kind | u16 reference``."""
        w.u8(self.KIND)
        w.u16(self.reference)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read one unlock of this kind, type byte included."""
        _expect_kind(r, cls.KIND)
        at = r.offset
        ref = r.u16(f"{cls.NAME} reference")
        if ref > MAX_UNLOCK_REFERENCE:
            raise DecodeError(f"{cls.NAME} reference {ref} is out of range (0..{MAX_UNLOCK_REFERENCE})", at)
        return cls(ref)

    def to_json(self) -> JsonObject:
        """The node API's JSON shape."""
        return {"type": self.KIND, "reference": self.reference}

    @classmethod
    def from_json(cls, d: Mapping[str, Any], path: str = "") -> Self:
        """Parse the node API's JSON shape; errors name the field."""
        obj = require_object(d, path)
        _expect_json_kind(obj, cls.KIND, path)
        ref = require_int(get_field(obj, "reference", path), sub(path, "reference"), 0, MAX_UNLOCK_REFERENCE)
        return cls(ref)


@dataclass(frozen=True, slots=True)
class ReferenceUnlock(_ReferencingUnlock):
    """Reuses the signature unlock at index ``reference`` (same address, signed once)."""

    KIND: ClassVar[int] = 1
    NAME: ClassVar[str] = "reference unlock"


@dataclass(frozen=True, slots=True)
class AliasUnlock(_ReferencingUnlock):
    """Unlocks an input owned by the alias that input ``reference`` unlocks."""

    KIND: ClassVar[int] = 2
    NAME: ClassVar[str] = "alias unlock"


@dataclass(frozen=True, slots=True)
class NftUnlock(_ReferencingUnlock):
    """Unlocks an input owned by the NFT that input ``reference`` unlocks."""

    KIND: ClassVar[int] = 3
    NAME: ClassVar[str] = "NFT unlock"


Unlock = SignatureUnlock | ReferenceUnlock | AliasUnlock | NftUnlock
"""Any unlock."""

UNLOCK_KINDS: dict[int, type[Unlock]] = {
    SignatureUnlock.KIND: SignatureUnlock,
    ReferenceUnlock.KIND: ReferenceUnlock,
    AliasUnlock.KIND: AliasUnlock,
    NftUnlock.KIND: NftUnlock,
}
"""Unlock classes by their type byte."""


def _expect_kind(r: Reader, kind: int) -> None:
    at = r.offset
    got = r.u8("unlock type")
    if got != kind:
        raise DecodeError(f"expected unlock type {kind}, got {got}", at)


def _expect_json_kind(obj: Mapping[str, Any], kind: int, path: str) -> None:
    got = require_int(get_field(obj, "type", path), sub(path, "type"), 0, 255)
    if got != kind:
        raise JsonShapeError(f"expected unlock type {kind}, got {got}", sub(path, "type"))


def read_unlock(r: Reader) -> Unlock:
    """Read any unlock, dispatching on its type byte."""
    kind = r.peek_u8("unlock type")
    cls = UNLOCK_KINDS.get(kind)
    if cls is None:
        raise DecodeError(
            f"unknown unlock type {kind} (known: 0 signature, 1 reference, 2 alias, 3 NFT)", r.offset
        )
    return cls.read_from(r)


def unlock_from_json(d: Mapping[str, Any], path: str = "") -> Unlock:
    """Parse any unlock from the node API's JSON shape."""
    obj = require_object(d, path)
    kind = require_int(get_field(obj, "type", path), sub(path, "type"), 0, 255)
    cls = UNLOCK_KINDS.get(kind)
    if cls is None:
        raise JsonShapeError(
            f"unknown unlock type {kind} (known: 0 signature, 1 reference, 2 alias, 3 NFT)", sub(path, "type")
        )
    return cls.from_json(obj, path)
