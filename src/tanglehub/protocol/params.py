"""Protocol parameters (TIP-22 IOTA, TIP-32 Shimmer) and the rent structure (TIP-19), with presets.

Binary: ``u8 version | (u8)networkName | (u8)bech32Hrp | u32 minPowScore | u8 belowMaxDepth |
u32 vByteCost | u8 vByteFactorData | u8 vByteFactorKey | u64 tokenSupply`` (data factor before key factor).
JSON (node shape): ``{"version", "networkName", "bech32Hrp", "minPowScore", "belowMaxDepth",
"rentStructure": {"vByteCost", "vByteFactorData", "vByteFactorKey"}, "tokenSupply": "<decimal>"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from tanglehub.protocol.codec import Reader, Serializable, Writer
from tanglehub.protocol.errors import DecodeError, JsonShapeError
from tanglehub.protocol.ids import network_id as _network_id
from tanglehub.protocol.jsonutil import (
    JsonObject,
    get_field,
    int_from_dec,
    require_int,
    require_object,
    sub,
)
from tanglehub.protocol.validation_errors import InvalidProtocolParametersError

__all__ = [
    "DEVNET",
    "IOTA_MAINNET",
    "ProtocolParameters",
    "RentStructure",
    "SHIMMER_MAINNET",
    "SHIMMER_TESTNET",
]

_U8 = 0xFF
_U32 = 0xFFFF_FFFF
_U64 = (1 << 64) - 1


def _check_range(name: str, value: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= hi:
        raise InvalidProtocolParametersError(f"{name} must be an integer in 0..{hi}, got {value!r}")


@dataclass(frozen=True, slots=True)
class RentStructure:
    """The storage-deposit weights: cost per virtual byte and the data/key byte factors."""

    v_byte_cost: int
    v_byte_factor_data: int
    v_byte_factor_key: int

    def __post_init__(self) -> None:
        _check_range("vByteCost", self.v_byte_cost, _U32)
        _check_range("vByteFactorData", self.v_byte_factor_data, _U8)
        _check_range("vByteFactorKey", self.v_byte_factor_key, _U8)

    def to_json(self) -> JsonObject:
        """The node API's ``rentStructure`` object."""
        return {
            "vByteCost": self.v_byte_cost,
            "vByteFactorData": self.v_byte_factor_data,
            "vByteFactorKey": self.v_byte_factor_key,
        }

    @classmethod
    def from_json(cls, d: object, path: str = "") -> Self:
        """Parse a ``rentStructure`` object."""
        obj = require_object(d, path)
        return cls(
            v_byte_cost=require_int(get_field(obj, "vByteCost", path), sub(path, "vByteCost"), hi=_U32),
            v_byte_factor_data=require_int(
                get_field(obj, "vByteFactorData", path), sub(path, "vByteFactorData"), hi=_U8
            ),
            v_byte_factor_key=require_int(
                get_field(obj, "vByteFactorKey", path), sub(path, "vByteFactorKey"), hi=_U8
            ),
        )


def _read_string(r: Reader, what: str) -> str:
    at = r.offset
    raw = r.prefixed(1, what)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DecodeError(f"{what} is not valid UTF-8", at) from None


def _require_str(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise JsonShapeError(f"expected a string, got {type(value).__name__}", path)
    return value


@dataclass(frozen=True, slots=True)
class ProtocolParameters(Serializable):
    """The parameters a network runs with; ``network_id`` is derived from ``network_name``."""

    NAME: ClassVar[str] = "protocol parameters"

    version: int
    network_name: str
    bech32_hrp: str
    min_pow_score: int
    below_max_depth: int
    rent_structure: RentStructure
    token_supply: int

    def __post_init__(self) -> None:
        _check_range("version", self.version, _U8)
        _check_range("minPowScore", self.min_pow_score, _U32)
        _check_range("belowMaxDepth", self.below_max_depth, _U8)
        _check_range("tokenSupply", self.token_supply, _U64)
        for name, text in (("networkName", self.network_name), ("bech32Hrp", self.bech32_hrp)):
            if not isinstance(text, str) or not 1 <= len(text.encode("utf-8")) <= _U8:
                raise InvalidProtocolParametersError(f"{name} must be a string of 1..255 bytes")
        if not isinstance(self.rent_structure, RentStructure):
            raise InvalidProtocolParametersError("rent_structure must be a RentStructure")

    @property
    def network_id(self) -> int:
        """The network id: first 8 bytes of BLAKE2b-256(network name), little-endian."""
        return _network_id(self.network_name)

    def write_to(self, w: Writer) -> None:
        """Append the binary form (data factor before key factor)."""
        w.u8(self.version)
        w.prefixed(1, self.network_name.encode("utf-8"))
        w.prefixed(1, self.bech32_hrp.encode("utf-8"))
        w.u32(self.min_pow_score)
        w.u8(self.below_max_depth)
        w.u32(self.rent_structure.v_byte_cost)
        w.u8(self.rent_structure.v_byte_factor_data)
        w.u8(self.rent_structure.v_byte_factor_key)
        w.u64(self.token_supply)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read the binary form."""
        version = r.u8("protocol version")
        name = _read_string(r, "network name")
        hrp = _read_string(r, "bech32 HRP")
        min_pow = r.u32("min PoW score")
        depth = r.u8("below max depth")
        cost = r.u32("vByteCost")
        data = r.u8("vByteFactorData")
        key = r.u8("vByteFactorKey")
        supply = r.u64("token supply")
        return cls(version, name, hrp, min_pow, depth, RentStructure(cost, data, key), supply)

    def to_json(self) -> JsonObject:
        """The node API's ``protocol`` object."""
        return {
            "version": self.version,
            "networkName": self.network_name,
            "bech32Hrp": self.bech32_hrp,
            "minPowScore": self.min_pow_score,
            "belowMaxDepth": self.below_max_depth,
            "rentStructure": self.rent_structure.to_json(),
            "tokenSupply": str(self.token_supply),
        }

    @classmethod
    def from_json(cls, d: object, path: str = "") -> Self:
        """Parse the node API's ``protocol`` object."""
        obj: Mapping[str, Any] = require_object(d, path)
        name = _require_str(get_field(obj, "networkName", path), sub(path, "networkName"))
        hrp = _require_str(get_field(obj, "bech32Hrp", path), sub(path, "bech32Hrp"))
        for key, text in (("networkName", name), ("bech32Hrp", hrp)):
            if not 1 <= len(text.encode("utf-8")) <= _U8:
                raise JsonShapeError("must be 1..255 bytes long", sub(path, key))
        return cls(
            version=require_int(get_field(obj, "version", path), sub(path, "version"), hi=_U8),
            network_name=name,
            bech32_hrp=hrp,
            min_pow_score=require_int(get_field(obj, "minPowScore", path), sub(path, "minPowScore"), hi=_U32),
            below_max_depth=require_int(get_field(obj, "belowMaxDepth", path), sub(path, "belowMaxDepth"), hi=_U8),
            rent_structure=RentStructure.from_json(
                get_field(obj, "rentStructure", path), sub(path, "rentStructure")
            ),
            token_supply=int_from_dec(get_field(obj, "tokenSupply", path), sub(path, "tokenSupply")),
        )


_SHIMMER_RENT = RentStructure(v_byte_cost=100, v_byte_factor_data=1, v_byte_factor_key=10)
_SHIMMER_SUPPLY = 1_813_620_509_061_365

IOTA_MAINNET = ProtocolParameters(
    version=2,
    network_name="iota-mainnet",
    bech32_hrp="iota",
    min_pow_score=1500,
    below_max_depth=15,
    rent_structure=RentStructure(v_byte_cost=250, v_byte_factor_data=1, v_byte_factor_key=10),
    token_supply=4_600_000_000_000_000,
)
"""IOTA mainnet (TIP-22, October 2023 revision)."""

SHIMMER_MAINNET = ProtocolParameters(
    version=2,
    network_name="shimmer",
    bech32_hrp="smr",
    min_pow_score=1500,
    below_max_depth=15,
    rent_structure=_SHIMMER_RENT,
    token_supply=_SHIMMER_SUPPLY,
)
"""Shimmer mainnet (TIP-32)."""

SHIMMER_TESTNET = ProtocolParameters(
    version=2,
    network_name="testnet-1",
    bech32_hrp="rms",
    min_pow_score=1500,
    below_max_depth=15,
    rent_structure=_SHIMMER_RENT,
    token_supply=1_450_896_407_249_092,
)
"""The public Shimmer testnet."""

DEVNET = ProtocolParameters(
    version=2,
    network_name="tanglehub-devnet",
    bech32_hrp="tst",
    min_pow_score=0,
    below_max_depth=15,
    rent_structure=_SHIMMER_RENT,
    token_supply=_SHIMMER_SUPPLY,
)
"""The local tanglehub devnet: Shimmer's rent and supply, HRP ``tst``, no proof of work."""
