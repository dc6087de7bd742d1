"""Indexer (TIP-26) query builders: one frozen dataclass per route, each knowing exactly its filters.

Addresses are bech32 strings with the node's HRP; times are unix seconds; ``tag`` is raw bytes (sent as
``0x`` hex). ``to_params()`` emits the node's camelCase names in a fixed order, booleans as
``true``/``false``, and leaves unset filters out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Self

from tanglehub.errors import KeysError
from tanglehub.keys.bech32 import decode_address
from tanglehub.node.errors import NodeArgumentError

__all__ = [
    "AliasOutputQuery",
    "BasicOutputQuery",
    "FoundryOutputQuery",
    "NftOutputQuery",
    "OutputQuery",
]

_MAX_NATIVE_TOKENS = 64
_U32 = 0xFFFF_FFFF
_CURSOR = re.compile(r"^[\x21-\x7e]{1,256}$")

_ADDRESS_FIELDS = frozenset(
    {
        "address",
        "unlockable_by_address",
        "storage_deposit_return_address",
        "expiration_return_address",
        "sender",
        "issuer",
        "state_controller",
        "governor",
        "alias_address",
    }
)
_TIME_FIELDS = frozenset(
    {
        "created_before",
        "created_after",
        "timelocked_before",
        "timelocked_after",
        "expires_before",
        "expires_after",
    }
)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


_NAMES: dict[type, tuple[tuple[str, str], ...]] = {}


def _names(cls: type) -> tuple[tuple[str, str], ...]:
    """(field name, the node's camelCase name) of every filter of a query class, in declaration order."""
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple((f.name, _camel(f.name)) for f in fields(cls))
    return names


@lru_cache(maxsize=1 << 16)
def _address_problem(value: str) -> str | None:
    """Why ``value`` is not a bech32 address, or None (cached: a sync queries the same addresses each time)."""
    try:
        decode_address(value)
    except KeysError as exc:
        return str(exc)
    return None


def _check_address(name: str, value: str) -> None:
    problem = _address_problem(value)
    if problem is not None:
        raise NodeArgumentError(f"query filter {_camel(name)} is not a valid bech32 address: {problem}")


@dataclass(frozen=True, slots=True)
class _Query:
    """Filters every indexer list route accepts, plus paging."""

    has_native_tokens: bool | None = None
    min_native_token_count: int | None = None
    max_native_token_count: int | None = None
    created_before: int | None = None
    created_after: int | None = None
    page_size: int | None = None
    cursor: str | None = None

    def __post_init__(self) -> None:
        for name, _ in _names(type(self)):
            value = getattr(self, name)
            if value is None:
                continue
            self._check(name, value)

    @classmethod
    def trusted(cls, **values: object) -> Self:
        """The query with ``values`` set without checking them: only for values the caller made itself
        (a wallet's own derived addresses), where the checks would cost more than the request."""
        query = cls.__new__(cls)
        for name, _ in _names(cls):
            object.__setattr__(query, name, values.pop(name, None))
        if values:
            raise NodeArgumentError(f"{cls.__name__} has no filter {next(iter(values))!r}")
        return query

    def _check(self, name: str, value: object) -> None:
        label = _camel(name)
        if name in _ADDRESS_FIELDS:
            if not isinstance(value, str):
                raise NodeArgumentError(f"query filter {label} must be a bech32 string")
            _check_address(name, value)
        elif name.startswith("has_"):
            if not isinstance(value, bool):
                raise NodeArgumentError(f"query filter {label} must be true or false")
        elif name in ("min_native_token_count", "max_native_token_count"):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_NATIVE_TOKENS:
                raise NodeArgumentError(f"query filter {label} must be an integer in 0..{_MAX_NATIVE_TOKENS}")
        elif name in _TIME_FIELDS or name == "page_size":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _U32:
                raise NodeArgumentError(f"query filter {label} must be an integer in 0..{_U32}")
        elif name == "tag":
            if not isinstance(value, bytes) or not 1 <= len(value) <= 64:
                raise NodeArgumentError("query filter tag must be 1 to 64 bytes")
        elif name == "cursor" and (not isinstance(value, str) or not _CURSOR.match(value)):
            raise NodeArgumentError(f"indexer cursor must be the node's opaque cursor text, got {value!r}")

    def to_params(self) -> list[tuple[str, str]]:
        """The query string as ordered ``(name, value)`` pairs (unset filters omitted)."""
        params: list[tuple[str, str]] = []
        for name, camel in _names(type(self)):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, bytes):
                text = "0x" + value.hex()
            else:
                text = str(value)
            params.append((camel, text))
        return params

    def with_cursor(self, cursor: str | None) -> Self:
        """The same query starting at ``cursor`` (the node's ``cursor`` of the previous page)."""
        return replace(self, cursor=cursor)


@dataclass(frozen=True, slots=True)
class OutputQuery(_Query):
    """``GET /api/indexer/v1/outputs``: every output type, matched by any unlock condition."""

    unlockable_by_address: str | None = None


@dataclass(frozen=True, slots=True)
class BasicOutputQuery(_Query):
    """``GET /api/indexer/v1/outputs/basic``."""

    address: str | None = None
    unlockable_by_address: str | None = None
    has_storage_deposit_return: bool | None = None
    storage_deposit_return_address: str | None = None
    has_timelock: bool | None = None
    timelocked_before: int | None = None
    timelocked_after: int | None = None
    has_expiration: bool | None = None
    expires_before: int | None = None
    expires_after: int | None = None
    expiration_return_address: str | None = None
    sender: str | None = None
    tag: bytes | None = None


@dataclass(frozen=True, slots=True)
class NftOutputQuery(BasicOutputQuery):
    """``GET /api/indexer/v1/outputs/nft``: the basic filters plus ``issuer``."""

    issuer: str | None = None


@dataclass(frozen=True, slots=True)
class AliasOutputQuery(_Query):
    """``GET /api/indexer/v1/outputs/alias``."""

    state_controller: str | None = None
    governor: str | None = None
    unlockable_by_address: str | None = None
    issuer: str | None = None
    sender: str | None = None


@dataclass(frozen=True, slots=True)
class FoundryOutputQuery(_Query):
    """``GET /api/indexer/v1/outputs/foundry``."""

    alias_address: str | None = None
