"""Milestone payload (TIP-29): the coordinator's signed checkpoint of the ledger.

Binary: ``u32 7 | essence | u8 signatureCount | Ed25519Signature[]``; the essence is
``u32 index | u32 timestamp | u8 protocolVersion | [32] previousMilestoneId | u8 parentCount | [32] parents[] |
[32] inclusionMerkleRoot | [32] appliedMerkleRoot | (u16)metadata | u8 optionCount | options[]``.
The milestone id is BLAKE2b-256 of the essence bytes, and every signature signs that same hash.
Only the Protocol Parameters option (type 1) is supported; Receipts (type 0, legacy migration) are rejected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, ClassVar, Self

from tanglehub.protocol._values import U8_MAX, U16_MAX, U32_MAX, byte_string, typed_tuple, uint
from tanglehub.protocol.codec import CachedSerializable, Reader, Serializable, Writer, read_cached
from tanglehub.protocol.errors import DecodeError, InvalidMilestoneError, JsonShapeError
from tanglehub.protocol.jsonutil import (
    JsonObject,
    get_field,
    hex_from_bytes,
    hex_to_bytes,
    optional_list,
    require_int,
    require_list,
    require_object,
)
from tanglehub.protocol.payload._common import (
    BLOCK_ID_LENGTH,
    MAX_PARENTS,
    blake2b256,
    check_parents,
    expect_json_payload_kind,
    expect_payload_kind,
    ids_from_json,
    sub,
)
from tanglehub.protocol.unlock import Ed25519Signature

__all__ = [
    "MAX_MILESTONE_SIGNATURES",
    "MAX_PARAMS_LENGTH",
    "MilestoneEssence",
    "MilestonePayload",
    "ProtocolParamsMilestoneOption",
]

MAX_PARAMS_LENGTH = 8192
"""Longest binary protocol parameters a Protocol Parameters option may carry."""
MAX_MILESTONE_SIGNATURES = 255
"""Most signatures a milestone may carry."""
MAX_TARGET_DISTANCE = 30
"""A parameter change may be announced at most 30 milestones ahead."""
RECEIPT_OPTION_KIND = 0


@dataclass(frozen=True, slots=True)
class ProtocolParamsMilestoneOption(Serializable):
    """Announces new protocol parameters (binary ``params``) from ``target_milestone_index`` on."""

    KIND: ClassVar[int] = 1
    NAME: ClassVar[str] = "protocol parameters milestone option"

    target_milestone_index: int
    protocol_version: int
    params: bytes

    def __post_init__(self) -> None:
        err = InvalidMilestoneError
        uint(self.target_milestone_index, U32_MAX, "the target milestone index", err)
        uint(self.protocol_version, U8_MAX, "the protocol version", err)
        params = byte_string(self.params, "protocol parameters", err, max_length=MAX_PARAMS_LENGTH)
        if params is not self.params:
            object.__setattr__(self, "params", params)

    def write_to(self, w: Writer) -> None:
        """Append ``u8 1 | u32 target | u8 version | (u16)params``."""
        w.u8(self.KIND)
        w.u32(self.target_milestone_index)
        w.u8(self.protocol_version)
        w.prefixed(2, self.params)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read one option, type byte included."""
        at = r.offset
        kind = r.u8("milestone option type")
        if kind == RECEIPT_OPTION_KIND:
            raise DecodeError("receipt milestone options (legacy migration) are not supported", at)
        if kind != cls.KIND:
            raise DecodeError(f"unknown milestone option type {kind}", at)
        target = r.u32("target milestone index")
        version = r.u8("protocol version")
        params = r.prefixed(2, "protocol parameters", MAX_PARAMS_LENGTH)
        return cls(target, version, params)

    def to_json(self) -> JsonObject:
        """The node API's JSON shape."""
        return {
            "type": self.KIND,
            "targetMilestoneIndex": self.target_milestone_index,
            "protocolVersion": self.protocol_version,
            "params": hex_from_bytes(self.params),
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any], path: str = "") -> Self:
        """Parse the node API's JSON shape; errors name the field."""
        obj = require_object(d, path)
        kind = require_int(get_field(obj, "type", path), sub(path, "type"), 0, 255)
        if kind == RECEIPT_OPTION_KIND:
            raise JsonShapeError(
                "receipt milestone options (legacy migration) are not supported", sub(path, "type")
            )
        if kind != cls.KIND:
            raise JsonShapeError(f"unknown milestone option type {kind}", sub(path, "type"))
        target = require_int(
            get_field(obj, "targetMilestoneIndex", path), sub(path, "targetMilestoneIndex"), 0, U32_MAX
        )
        version = require_int(get_field(obj, "protocolVersion", path), sub(path, "protocolVersion"), 0, 255)
        params = hex_to_bytes(get_field(obj, "params", path), sub(path, "params"))
        if len(params) > MAX_PARAMS_LENGTH:
            raise JsonShapeError(f"protocol parameters are at most {MAX_PARAMS_LENGTH} bytes", sub(path, "params"))
        return cls(target, version, params)


@dataclass(frozen=True, slots=True)
class MilestoneEssence(CachedSerializable):
    """The signed part of a milestone."""

    NAME: ClassVar[str] = "milestone essence"

    index: int
    timestamp: int
    protocol_version: int
    previous_milestone_id: bytes
    parents: tuple[bytes, ...]
    inclusion_merkle_root: bytes
    applied_merkle_root: bytes
    metadata: bytes = b""
    options: tuple[ProtocolParamsMilestoneOption, ...] = ()

    def __post_init__(self) -> None:
        err = InvalidMilestoneError
        set_ = object.__setattr__
        uint(self.index, U32_MAX, "the milestone index", err)
        uint(self.timestamp, U32_MAX, "the milestone timestamp", err)
        uint(self.protocol_version, U8_MAX, "the protocol version", err)
        for field_name, label in (
            ("previous_milestone_id", "the previous milestone id"),
            ("inclusion_merkle_root", "the inclusion Merkle root"),
            ("applied_merkle_root", "the applied Merkle root"),
        ):
            set_(self, field_name, byte_string(getattr(self, field_name), label, err, BLOCK_ID_LENGTH))
        set_(self, "parents", check_parents(self.parents, "milestone parents", err))
        set_(self, "metadata", byte_string(self.metadata, "milestone metadata", err, max_length=U16_MAX))
        set_(self, "options", typed_tuple(self.options, ProtocolParamsMilestoneOption, "milestone options", err))
        if len(self.options) > 1:
            raise InvalidMilestoneError("a milestone carries each option kind at most once")
        for opt in self.options:
            if not self.index < opt.target_milestone_index <= self.index + MAX_TARGET_DISTANCE:
                raise InvalidMilestoneError(
                    f"protocol parameters target milestone {opt.target_milestone_index} must be after milestone "
                    f"{self.index} and at most {MAX_TARGET_DISTANCE} milestones ahead"
                )

    def write_to(self, w: Writer) -> None:
        """Append the essence bytes (no type prefix)."""
        w.u32(self.index)
        w.u32(self.timestamp)
        w.u8(self.protocol_version)
        w.raw(self.previous_milestone_id)
        w.u8(len(self.parents))
        for p in self.parents:
            w.raw(p)
        w.raw(self.inclusion_merkle_root)
        w.raw(self.applied_merkle_root)
        w.prefixed(2, self.metadata)
        w.u8(len(self.options))
        for opt in self.options:
            opt.write_to(w)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read the essence bytes."""
        index = r.u32("milestone index")
        timestamp = r.u32("milestone timestamp")
        version = r.u8("milestone protocol version")
        previous = r.raw(BLOCK_ID_LENGTH, "previous milestone id")
        at = r.offset
        count = r.u8("milestone parent count")
        if not 1 <= count <= MAX_PARENTS:
            raise DecodeError(f"a milestone has 1..{MAX_PARENTS} parents, got {count}", at)
        parents = tuple(r.raw(BLOCK_ID_LENGTH, f"milestone parent {i}") for i in range(count))
        inclusion = r.raw(BLOCK_ID_LENGTH, "inclusion Merkle root")
        applied = r.raw(BLOCK_ID_LENGTH, "applied Merkle root")
        metadata = r.prefixed(2, "milestone metadata")
        n_opts = r.u8("milestone option count")
        options = tuple(ProtocolParamsMilestoneOption.read_from(r) for _ in range(n_opts))
        return cls(index, timestamp, version, previous, parents, inclusion, applied, metadata, options)

    def hash(self) -> bytes:
        """BLAKE2b-256 of the essence bytes: the milestone id and the message every signature signs."""
        return blake2b256(self.to_bytes())

    def json_fields(self) -> JsonObject:
        """The essence's fields in the node's milestone JSON (empty metadata/options omitted)."""
        out: JsonObject = {
            "index": self.index,
            "timestamp": self.timestamp,
            "protocolVersion": self.protocol_version,
            "previousMilestoneId": hex_from_bytes(self.previous_milestone_id),
            "parents": [hex_from_bytes(p) for p in self.parents],
            "inclusionMerkleRoot": hex_from_bytes(self.inclusion_merkle_root),
            "appliedMerkleRoot": hex_from_bytes(self.applied_merkle_root),
        }
        if self.metadata:
            out["metadata"] = hex_from_bytes(self.metadata)
        if self.options:
            out["options"] = [o.to_json() for o in self.options]
        return out

    @classmethod
    def from_json_fields(cls, obj: Mapping[str, Any], path: str = "") -> Self:
        """Parse the essence fields out of a milestone payload's JSON."""

        def field(key: str) -> Any:
            return get_field(obj, key, path)

        index = require_int(field("index"), sub(path, "index"), 0, U32_MAX)
        timestamp = require_int(field("timestamp"), sub(path, "timestamp"), 0, U32_MAX)
        version = require_int(field("protocolVersion"), sub(path, "protocolVersion"), 0, 255)
        previous = hex_to_bytes(field("previousMilestoneId"), sub(path, "previousMilestoneId"), BLOCK_ID_LENGTH)
        parents = ids_from_json(field("parents"), sub(path, "parents"))
        inclusion = hex_to_bytes(field("inclusionMerkleRoot"), sub(path, "inclusionMerkleRoot"), BLOCK_ID_LENGTH)
        applied = hex_to_bytes(field("appliedMerkleRoot"), sub(path, "appliedMerkleRoot"), BLOCK_ID_LENGTH)
        meta_v = obj.get("metadata")
        metadata = b"" if meta_v is None else hex_to_bytes(meta_v, sub(path, "metadata"))
        opts_path = sub(path, "options")
        options = tuple(
            ProtocolParamsMilestoneOption.from_json(o, f"{opts_path}[{i}]")
            for i, o in enumerate(optional_list(obj, "options", path))
        )
        return cls(index, timestamp, version, previous, parents, inclusion, applied, metadata, options)


@dataclass(frozen=True, slots=True)
class MilestonePayload(CachedSerializable):
    """A milestone: its essence and the coordinator's signatures over the essence hash."""

    KIND: ClassVar[int] = 7
    NAME: ClassVar[str] = "milestone payload"

    essence: MilestoneEssence
    signatures: tuple[Ed25519Signature, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.essence, MilestoneEssence):
            raise InvalidMilestoneError(
                f"a milestone payload needs a MilestoneEssence, got {type(self.essence).__name__}"
            )
        sigs = typed_tuple(self.signatures, Ed25519Signature, "milestone signatures", InvalidMilestoneError)
        object.__setattr__(self, "signatures", sigs)
        if not 1 <= len(self.signatures) <= MAX_MILESTONE_SIGNATURES:
            raise InvalidMilestoneError(
                f"a milestone carries 1..{MAX_MILESTONE_SIGNATURES} signatures, got {len(self.signatures)}"
            )
        keys = [s.public_key for s in self.signatures]
        if any(a >= b for a, b in pairwise(keys)):
            raise InvalidMilestoneError("milestone signatures must be sorted by public key without duplicates")

    def essence_hash(self) -> bytes:
        """The 32-byte message each signature signs (BLAKE2b-256 of the essence)."""
        return self.essence.hash()

    def milestone_id(self) -> bytes:
        """The milestone id: BLAKE2b-256 of the essence (signatures excluded)."""
        return self.essence.hash()

    def write_to(self, w: Writer) -> None:
        """Append ``u32 7 | essence | u8 count | signatures``."""
        w.u32(self.KIND)
        w.raw(self.essence.to_bytes())  # cached on the essence
        w.u8(len(self.signatures))
        for s in self.signatures:
            s.write_to(w)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read one milestone payload, type included."""
        expect_payload_kind(r, cls.KIND, "milestone")
        essence = read_cached(r, MilestoneEssence.read_from)
        at = r.offset
        count = r.u8("milestone signature count")
        if count == 0:
            raise DecodeError("a milestone needs at least one signature", at)
        sigs = tuple(Ed25519Signature.read_from(r) for _ in range(count))
        return cls(essence, sigs)

    def to_json(self) -> JsonObject:
        """The node API's JSON shape (essence fields inline)."""
        out: JsonObject = {"type": self.KIND, **self.essence.json_fields()}
        out["signatures"] = [s.to_json() for s in self.signatures]
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any], path: str = "") -> Self:
        """Parse the node API's JSON shape; errors name the field."""
        obj = require_object(d, path)
        expect_json_payload_kind(obj, cls.KIND, "milestone", path)
        essence = MilestoneEssence.from_json_fields(obj, path)
        sigs_path = sub(path, "signatures")
        sigs = require_list(get_field(obj, "signatures", path), sigs_path)
        return cls(essence, tuple(Ed25519Signature.from_json(s, f"{sigs_path}[{i}]") for i, s in enumerate(sigs)))
