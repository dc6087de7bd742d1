"""Token schemes (TIP-18): only the Simple Token Scheme (type 0).

Binary ``u8 0 | uint256 mintedTokens | uint256 meltedTokens | uint256 maximumSupply``; JSON
``{"type": 0, "mintedTokens": "0x..", "meltedTokens": "0x..", "maximumSupply": "0x.."}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from tanglehub.protocol.codec import Reader, Serializable, Writer
from tanglehub.protocol.errors import DecodeError, JsonShapeError
from tanglehub.protocol.jsonutil import (
    JsonObject,
    get_field,
    int_from_hex_u256,
    int_to_hex_u256,
    require_int,
    require_object,
)
from tanglehub.protocol.validation_errors import InvalidTokenSchemeError

__all__ = [
    "SimpleTokenScheme",
    "TokenScheme",
    "read_token_scheme",
    "token_scheme_from_json",
]

_U256_MAX = (1 << 256) - 1


@dataclass(frozen=True, slots=True)
class SimpleTokenScheme(Serializable):
    """Minted/melted counters and the maximum supply of a foundry's token."""

    KIND: ClassVar[int] = 0
    NAME: ClassVar[str] = "simple token scheme"

    minted_tokens: int
    melted_tokens: int
    maximum_supply: int

    def __post_init__(self) -> None:
        for name in ("minted_tokens", "melted_tokens", "maximum_supply"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _U256_MAX:
                raise InvalidTokenSchemeError(f"{name} must be an integer in 0..2^256-1, got {value!r}")
        if self.maximum_supply == 0:
            raise InvalidTokenSchemeError("maximum supply must be greater than zero")
        if self.melted_tokens > self.minted_tokens:
            raise InvalidTokenSchemeError(
                f"melted tokens ({self.melted_tokens}) exceed minted tokens ({self.minted_tokens})"
            )
        if self.minted_tokens - self.melted_tokens > self.maximum_supply:
            raise InvalidTokenSchemeError(
                f"circulating supply {self.minted_tokens - self.melted_tokens} exceeds the "
                f"maximum supply {self.maximum_supply}"
            )

    @property
    def circulating_supply(self) -> int:
        """Minted minus melted tokens."""
        return self.minted_tokens - self.melted_tokens

    def write_to(self, w: Writer) -> None:
        """Append the binary form."""
        w.u8(self.KIND)
        w.u256(self.minted_tokens)
        w.u256(self.melted_tokens)
        w.u256(self.maximum_supply)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read the binary form."""
        at = r.offset
        kind = r.u8("token scheme type")
        if kind != cls.KIND:
            raise DecodeError(f"unknown token scheme type {kind} (only 0 exists)", at)
        minted = r.u256("minted tokens")
        melted = r.u256("melted tokens")
        maximum = r.u256("maximum supply")
        return cls(minted, melted, maximum)

    def to_json(self) -> JsonObject:
        """The node API's token scheme object."""
        return {
            "type": self.KIND,
            "mintedTokens": int_to_hex_u256(self.minted_tokens),
            "meltedTokens": int_to_hex_u256(self.melted_tokens),
            "maximumSupply": int_to_hex_u256(self.maximum_supply),
        }

    @classmethod
    def from_json(cls, d: object, path: str = "") -> Self:
        """Parse the node API's token scheme object."""
        obj: Mapping[str, Any] = require_object(d, path)
        sub = (path + ".") if path else ""
        kind = require_int(get_field(obj, "type", path), sub + "type", hi=255)
        if kind != cls.KIND:
            raise JsonShapeError(f"unknown token scheme type {kind} (only 0 exists)", sub + "type")
        return cls(
            int_from_hex_u256(get_field(obj, "mintedTokens", path), sub + "mintedTokens"),
            int_from_hex_u256(get_field(obj, "meltedTokens", path), sub + "meltedTokens"),
            int_from_hex_u256(get_field(obj, "maximumSupply", path), sub + "maximumSupply"),
        )


TokenScheme = SimpleTokenScheme
"""Any token scheme (Stardust defines only the simple one)."""


def read_token_scheme(r: Reader) -> TokenScheme:
    """Read a token scheme of any type."""
    return SimpleTokenScheme.read_from(r)


def token_scheme_from_json(d: object, path: str = "") -> TokenScheme:
    """Parse a token scheme of any type."""
    return SimpleTokenScheme.from_json(d, path)
