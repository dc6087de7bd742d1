"""Addresses (TIP-18/31): Ed25519, Alias and NFT, each ``u8 kind || 32 bytes``.

JSON (node shape): ``{"type": 0, "pubKeyHash": "0x.."}``, ``{"type": 8, "aliasId": "0x.."}``,
``{"type": 16, "nftId": "0x.."}``. Bech32 text goes through :mod:`tanglehub.keys.bech32`.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from tanglehub.keys.bech32 import decode_address, encode_address
from tanglehub.protocol._values import byte_string
from tanglehub.protocol.codec import Reader, Serializable, Writer
from tanglehub.protocol.errors import DecodeError, JsonShapeError
from tanglehub.protocol.ids import blake2b256
from tanglehub.protocol.jsonutil import (
    JsonObject,
    get_field,
    hex_from_bytes,
    hex_to_bytes,
    require_int,
    require_object,
)
from tanglehub.protocol.validation_errors import InvalidAddressError

__all__ = [
    "ADDRESS_LENGTH",
    "ADDRESS_TYPES",
    "Address",
    "AliasAddress",
    "Ed25519Address",
    "NftAddress",
    "address_from_bech32",
    "address_from_bytes",
    "address_from_json",
    "read_address",
    "write_address",
]

ADDRESS_LENGTH = 33
"""Serialized length of every address kind: one kind byte plus 32 bytes."""
_BODY = 32


class _AddressBase(Serializable):
    """Shared behaviour of the three address kinds; ``body`` is the 32 bytes after the kind byte."""

    __slots__ = ()
    KIND: ClassVar[int]
    JSON_KEY: ClassVar[str]

    @property
    @abstractmethod
    def body(self) -> bytes:
        """The 32 bytes after the kind byte (key hash, alias id or NFT id)."""

    def _check(self, field_name: str) -> None:
        body = getattr(self, field_name)
        if type(body) is bytes and len(body) == _BODY:
            return
        if not isinstance(body, bytes | bytearray | memoryview) or len(body) != _BODY:
            raise InvalidAddressError(
                f"{type(self).__name__} needs {_BODY} bytes, got "
                f"{len(body) if isinstance(body, bytes | bytearray | memoryview) else type(body).__name__}"
            )
        object.__setattr__(self, field_name, bytes(body))  # bytes, so that the address stays hashable

    def write_to(self, w: Writer) -> None:
        """Append ``kind || body``."""
        w.u8(self.KIND)
        w.raw(self.body)

    def to_bytes(self) -> bytes:
        """The 33-byte serialized form."""
        return bytes((self.KIND,)) + self.body

    def to_bech32(self, hrp: str) -> str:
        """The bech32 text of this address with human-readable part ``hrp``."""
        return encode_address(hrp, self.KIND, self.body)

    def to_json(self) -> JsonObject:
        """The node API's address object."""
        return {"type": self.KIND, self.JSON_KEY: hex_from_bytes(self.body)}


@dataclass(frozen=True, slots=True)
class Ed25519Address(_AddressBase):
    """An address owned by an Ed25519 key: the BLAKE2b-256 hash of the public key."""

    KIND: ClassVar[int] = 0
    JSON_KEY: ClassVar[str] = "pubKeyHash"
    NAME: ClassVar[str] = "Ed25519 address"

    pub_key_hash: bytes

    def __post_init__(self) -> None:
        self._check("pub_key_hash")

    @property
    def body(self) -> bytes:
        """The public-key hash."""
        return self.pub_key_hash

    @classmethod
    def from_public_key(cls, public_key: bytes) -> Self:
        """The address of a 32-byte Ed25519 public key."""
        key = byte_string(public_key, "an Ed25519 public key", InvalidAddressError, _BODY)
        return cls(blake2b256(key))

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read ``0x00 || hash``."""
        _expect_kind(r, cls.KIND, cls.NAME)
        return cls(r.raw(_BODY, "Ed25519 public key hash"))


@dataclass(frozen=True, slots=True)
class AliasAddress(_AddressBase):
    """The address of an alias (controlled by whoever can transition the alias)."""

    KIND: ClassVar[int] = 8
    JSON_KEY: ClassVar[str] = "aliasId"
    NAME: ClassVar[str] = "alias address"

    alias_id: bytes

    def __post_init__(self) -> None:
        self._check("alias_id")

    @property
    def body(self) -> bytes:
        """The alias id."""
        return self.alias_id

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read ``0x08 || alias id``."""
        _expect_kind(r, cls.KIND, cls.NAME)
        return cls(r.raw(_BODY, "alias id"))


@dataclass(frozen=True, slots=True)
class NftAddress(_AddressBase):
    """The address of an NFT (controlled by whoever owns the NFT)."""

    KIND: ClassVar[int] = 16
    JSON_KEY: ClassVar[str] = "nftId"
    NAME: ClassVar[str] = "NFT address"

    nft_id: bytes

    def __post_init__(self) -> None:
        self._check("nft_id")

    @property
    def body(self) -> bytes:
        """The NFT id."""
        return self.nft_id

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read ``0x10 || NFT id``."""
        _expect_kind(r, cls.KIND, cls.NAME)
        return cls(r.raw(_BODY, "NFT id"))


Address = Ed25519Address | AliasAddress | NftAddress
"""Any address kind."""

ADDRESS_TYPES: dict[int, type[Ed25519Address] | type[AliasAddress] | type[NftAddress]] = {
    Ed25519Address.KIND: Ed25519Address,
    AliasAddress.KIND: AliasAddress,
    NftAddress.KIND: NftAddress,
}
"""Address classes by kind byte."""


def _expect_kind(r: Reader, kind: int, name: str) -> None:
    at = r.offset
    got = r.u8(f"{name} kind")
    if got != kind:
        raise DecodeError(f"expected {name} (kind {kind}), got kind {got}", at)


def read_address(r: Reader) -> Address:
    """Read an address of any kind."""
    at = r.offset
    kind = r.peek_u8("address kind")
    cls = ADDRESS_TYPES.get(kind)
    if cls is None:
        raise DecodeError(f"unknown address kind {kind} (expected 0, 8 or 16)", at)
    return cls.read_from(r)


def write_address(w: Writer, address: Address) -> None:
    """Append ``address`` to ``w``."""
    address.write_to(w)


def address_from_bytes(data: bytes) -> Address:
    """Decode exactly one 33-byte address of any kind."""
    r = Reader(data)
    address = read_address(r)
    r.expect_end("address")
    return address


def address_from_json(d: object, path: str = "") -> Address:
    """Parse the node API's address object."""
    obj: Mapping[str, Any] = require_object(d, path)
    type_path = f"{path}.type" if path else "type"
    kind = require_int(get_field(obj, "type", path), type_path, hi=255)
    cls = ADDRESS_TYPES.get(kind)
    if cls is None:
        raise JsonShapeError(f"unknown address type {kind} (expected 0, 8 or 16)", type_path)
    key_path = f"{path}.{cls.JSON_KEY}" if path else cls.JSON_KEY
    return cls(hex_to_bytes(get_field(obj, cls.JSON_KEY, path), key_path, _BODY))


def address_from_bech32(text: str, expected_hrp: str | None = None) -> Address:
    """Parse bech32 address text; with ``expected_hrp`` the network prefix must match."""
    _hrp, kind, body = decode_address(text, expected_hrp)
    cls = ADDRESS_TYPES.get(kind)
    if cls is None:
        raise InvalidAddressError(f"unknown address kind {kind} in {text!r}")
    return cls(body)
