"""Native tokens (TIP-18): ``ByteArray[38] tokenId | uint256 amount``.

JSON: ``{"id": "0x..", "amount": "0x.."}`` (the amount is 0x hex of the number).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from tanglehub.protocol._values import byte_string
from tanglehub.protocol.codec import Reader, Serializable, Writer
from tanglehub.protocol.errors import DecodeError
from tanglehub.protocol.ids import FOUNDRY_ID_LENGTH
from tanglehub.protocol.jsonutil import (
    JsonObject,
    get_field,
    hex_from_bytes,
    hex_to_bytes,
    int_from_hex_u256,
    int_to_hex_u256,
    require_object,
)
from tanglehub.protocol.validation_errors import InvalidNativeTokenError

__all__ = [
    "MAX_NATIVE_TOKENS",
    "NativeToken",
    "TOKEN_ID_LENGTH",
    "U256_MAX",
    "check_native_tokens",
    "read_native_tokens",
    "write_native_tokens",
]

TOKEN_ID_LENGTH = FOUNDRY_ID_LENGTH
"""A token id is the 38-byte id of the foundry that controls the token."""
MAX_NATIVE_TOKENS = 64
"""At most 64 distinct native tokens per output (and per transaction)."""
U256_MAX = (1 << 256) - 1
"""The largest uint256."""


@dataclass(frozen=True, slots=True)
class NativeToken(Serializable):
    """An amount (1..2^256-1) of the native token with id ``token_id``."""

    NAME: ClassVar[str] = "native token"

    token_id: bytes
    amount: int

    def __post_init__(self) -> None:
        token_id = byte_string(self.token_id, "a native token id", InvalidNativeTokenError, TOKEN_ID_LENGTH)
        if token_id is not self.token_id:
            object.__setattr__(self, "token_id", token_id)
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise InvalidNativeTokenError("a native token amount must be an integer")
        if not 0 < self.amount <= U256_MAX:
            raise InvalidNativeTokenError(f"native token amount must be between 1 and 2^256-1, got {self.amount}")

    def write_to(self, w: Writer) -> None:
        """Append ``tokenId || uint256 amount``."""
        w.raw(self.token_id)
        w.u256(self.amount)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read one native token."""
        token_id = r.raw(TOKEN_ID_LENGTH, "native token id")
        return cls(token_id, r.u256("native token amount"))

    def to_json(self) -> JsonObject:
        """The node API's native token object (amount as 0x hex of the number)."""
        return {"id": hex_from_bytes(self.token_id), "amount": int_to_hex_u256(self.amount)}

    @classmethod
    def from_json(cls, d: object, path: str = "") -> Self:
        """Parse ``{"id": "0x..", "amount": "0x.."}``."""
        obj: Mapping[str, Any] = require_object(d, path)
        sub = (path + ".") if path else ""
        token_id = hex_to_bytes(get_field(obj, "id", path), sub + "id", TOKEN_ID_LENGTH)
        amount = int_from_hex_u256(get_field(obj, "amount", path), sub + "amount")
        if amount == 0:
            raise InvalidNativeTokenError(f"{sub}amount: native token amount must not be zero")
        return cls(token_id, amount)


def check_native_tokens(tokens: Iterable[NativeToken]) -> tuple[NativeToken, ...]:
    """Check a native-token list: at most 64, sorted strictly ascending by token id (so unique)."""
    items = tuple(tokens)
    if len(items) > MAX_NATIVE_TOKENS:
        raise InvalidNativeTokenError(
            f"{len(items)} native tokens in one output, at most {MAX_NATIVE_TOKENS} are allowed"
        )
    for i, token in enumerate(items):
        if not isinstance(token, NativeToken):
            raise InvalidNativeTokenError(f"native token {i} is a {type(token).__name__}")
        if i and items[i - 1].token_id >= token.token_id:
            what = "duplicated" if items[i - 1].token_id == token.token_id else "not sorted by token id"
            raise InvalidNativeTokenError(
                f"native tokens are {what} (token {i}: {hex_from_bytes(token.token_id)})"
            )
    return items


def write_native_tokens(w: Writer, tokens: tuple[NativeToken, ...]) -> None:
    """Append ``u8 count`` and the tokens."""
    w.u8(len(tokens))
    for token in tokens:
        token.write_to(w)


def read_native_tokens(r: Reader) -> tuple[NativeToken, ...]:
    """Read ``u8 count`` and the tokens, rejecting a count above 64."""
    at = r.offset
    count = r.u8("native token count")
    if count > MAX_NATIVE_TOKENS:
        raise DecodeError(f"{count} native tokens, at most {MAX_NATIVE_TOKENS} are allowed", at)
    return tuple(NativeToken.read_from(r) for _ in range(count))
