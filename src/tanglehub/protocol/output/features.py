"""Features (TIP-18): Sender (0), Issuer (1), Metadata (2, 1..8192 bytes), Tag (3, 1..64 bytes).

JSON: ``{"type": 0, "address": {...}}``, ``{"type": 1, "address": {...}}``, ``{"type": 2, "data": "0x.."}``,
``{"type": 3, "tag": "0x.."}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from tanglehub.errors import ProtocolValidationError
from tanglehub.protocol._values import byte_string
from tanglehub.protocol.address import Address
from tanglehub.protocol.codec import Reader, Serializable, Writer
from tanglehub.protocol.errors import DecodeError
from tanglehub.protocol.jsonutil import JsonObject, get_field, hex_from_bytes, hex_to_bytes
from tanglehub.protocol.output.common import AddressCarrier, expect_kind, json_kind, reject_unknown_kind, sub
from tanglehub.protocol.validation_errors import InvalidFeatureError

__all__ = [
    "FEATURE_TYPES",
    "Feature",
    "IssuerFeature",
    "MAX_METADATA_LENGTH",
    "MAX_TAG_LENGTH",
    "MetadataFeature",
    "SenderFeature",
    "TagFeature",
    "feature_from_json",
    "read_feature",
]

MAX_METADATA_LENGTH = 8192
"""Longest metadata feature (and alias state metadata)."""
MAX_TAG_LENGTH = 64
"""Longest tag feature."""


def _check_bytes(owner: Serializable, field_name: str, name: str, max_len: int) -> None:
    value = byte_string(getattr(owner, field_name), name, InvalidFeatureError)
    if not 1 <= len(value) <= max_len:
        raise InvalidFeatureError(f"{name} must be 1..{max_len} bytes long, got {len(value)}")
    object.__setattr__(owner, field_name, value)


class _AddressFeatureBase(AddressCarrier):
    """A feature whose body is one address."""

    __slots__ = ()
    INVALID: ClassVar[type[ProtocolValidationError]] = InvalidFeatureError


@dataclass(frozen=True, slots=True)
class SenderFeature(_AddressFeatureBase):
    """The address that sent the output; it must be unlocked in the creating transaction."""

    KIND: ClassVar[int] = 0
    NAME: ClassVar[str] = "Sender feature"

    address: Address

    def __post_init__(self) -> None:
        self._check()


@dataclass(frozen=True, slots=True)
class IssuerFeature(_AddressFeatureBase):
    """The address that minted an NFT or created an alias (immutable)."""

    KIND: ClassVar[int] = 1
    NAME: ClassVar[str] = "Issuer feature"

    address: Address

    def __post_init__(self) -> None:
        self._check()


@dataclass(frozen=True, slots=True)
class MetadataFeature(Serializable):
    """Arbitrary data, 1..8192 bytes."""

    KIND: ClassVar[int] = 2
    NAME: ClassVar[str] = "Metadata feature"

    data: bytes

    def __post_init__(self) -> None:
        _check_bytes(self, "data", "metadata", MAX_METADATA_LENGTH)

    def write_to(self, w: Writer) -> None:
        """Append ``2 || (u16)data``."""
        w.u8(self.KIND)
        w.prefixed(2, self.data)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read the binary form."""
        expect_kind(r, cls.KIND, cls.NAME)
        return cls(r.prefixed(2, "metadata", MAX_METADATA_LENGTH))

    def to_json(self) -> JsonObject:
        """``{"type": 2, "data": "0x.."}``."""
        return {"type": self.KIND, "data": hex_from_bytes(self.data)}

    @classmethod
    def from_json(cls, d: object, path: str = "") -> Self:
        """Parse ``{"type": 2, "data": "0x.."}``."""
        obj, _kind = json_kind(d, path)
        return cls(hex_to_bytes(get_field(obj, "data", path), sub(path, "data")))


@dataclass(frozen=True, slots=True)
class TagFeature(Serializable):
    """An indexation tag, 1..64 bytes."""

    KIND: ClassVar[int] = 3
    NAME: ClassVar[str] = "Tag feature"

    tag: bytes

    def __post_init__(self) -> None:
        _check_bytes(self, "tag", "tag", MAX_TAG_LENGTH)

    def write_to(self, w: Writer) -> None:
        """Append ``3 || (u8)tag``."""
        w.u8(self.KIND)
        w.prefixed(1, self.tag)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read the binary form."""
        expect_kind(r, cls.KIND, cls.NAME)
        return cls(r.prefixed(1, "tag", MAX_TAG_LENGTH))

    def to_json(self) -> JsonObject:
        """``{"type": 3, "tag": "0x.."}``."""
        return {"type": self.KIND, "tag": hex_from_bytes(self.tag)}

    @classmethod
    def from_json(cls, d: object, path: str = "") -> Self:
        """Parse ``{"type": 3, "tag": "0x.."}``."""
        obj, _kind = json_kind(d, path)
        return cls(hex_to_bytes(get_field(obj, "tag", path), sub(path, "tag")))


Feature = SenderFeature | IssuerFeature | MetadataFeature | TagFeature
"""Any feature."""

FEATURE_TYPES: dict[int, type[Feature]] = {
    cls.KIND: cls for cls in (SenderFeature, IssuerFeature, MetadataFeature, TagFeature)
}
"""Feature classes by type byte."""


def read_feature(r: Reader) -> Feature:
    """Read a feature of any type."""
    at = r.offset
    kind = r.peek_u8("feature type")
    cls = FEATURE_TYPES.get(kind)
    if cls is None:
        raise DecodeError(f"unknown feature type {kind}", at)
    return cls.read_from(r)


def feature_from_json(d: object, path: str = "") -> Feature:
    """Parse a feature of any type."""
    _obj, kind = json_kind(d, path)
    reject_unknown_kind(kind, FEATURE_TYPES, "feature", path)
    return FEATURE_TYPES[kind].from_json(d, path)
