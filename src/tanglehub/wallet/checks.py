"""Argument checks shared by the wallet's public entry points: each raises :class:`WalletArgumentError`
(or the given WalletError subclass) with a message that names the argument and the allowed values, so no
raw ``TypeError``/``ValueError``/``AttributeError`` escapes the public API."""

from __future__ import annotations

import unicodedata
from typing import TypeVar

from tanglehub.errors import WalletError
from tanglehub.wallet.errors import WalletArgumentError

__all__ = [
    "MAX_ALIAS_LENGTH",
    "alias_key",
    "check_alias",
    "check_amount",
    "check_bool",
    "check_bytes",
    "check_id",
    "check_instance",
    "check_int",
    "check_number",
    "check_optional_bool",
]

MAX_ALIAS_LENGTH = 64
"""The longest account alias, in characters."""

T = TypeVar("T")


def check_int(
    value: object,
    name: str,
    low: int | None = None,
    high: int | None = None,
    error: type[WalletError] = WalletArgumentError,
) -> int:
    """``value`` as an int (never a bool) within ``low..high`` (inclusive, each optional); the error names
    the range whatever is wrong with ``value``."""
    lo = "" if low is None else f" from {low}"
    hi = "" if high is None else f" to {high}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise error(f"{name} must be an integer{lo}{hi}, got {type(value).__name__}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise error(f"{name} must be an integer{lo}{hi}, got {value}")
    return value


def check_number(
    value: object, name: str, low: float = 0.0, error: type[WalletError] = WalletArgumentError
) -> float:
    """``value`` as a float (an int or float, not a bool, finite) of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise error(f"{name} must be a number of seconds, got {type(value).__name__}")
    number = float(value)
    if not low <= number < float("inf"):
        raise error(f"{name} must be a finite number of at least {low}, got {value!r}")
    return number


def check_bool(value: object, name: str) -> bool:
    """``value`` as a bool (True or False only)."""
    if not isinstance(value, bool):
        raise WalletArgumentError(f"{name} must be True or False, got {type(value).__name__}")
    return value


def check_optional_bool(value: object, name: str) -> bool | None:
    """``value`` as True, False or None."""
    return None if value is None else check_bool(value, name)


def check_bytes(value: object, name: str, length: int, error: type[WalletError] = WalletArgumentError) -> bytes:
    """``value`` as exactly ``length`` bytes."""
    if not isinstance(value, bytes | bytearray) or len(value) != length:
        raise error(f"{name} must be {length} bytes, got {type(value).__name__}")
    return bytes(value)


def check_id(value: object, name: str, length: int, error: type[WalletError] = WalletArgumentError) -> bytes:
    """An id of ``length`` bytes given as bytes or as hex text (``0x`` prefix optional, as the node API and
    explorers print ids)."""
    if isinstance(value, str):
        text = value[2:] if value[:2].lower() == "0x" else value
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise error(f"{name} must be {length} bytes or 0x-prefixed hex of {2 * length} digits") from None
        if len(raw) != length:
            raise error(f"{name} must be {length} bytes ({2 * length} hex digits), got {len(raw)} bytes")
        return raw
    if not isinstance(value, bytes | bytearray) or len(value) != length:
        raise error(f"{name} must be {length} bytes or 0x-prefixed hex, got {type(value).__name__}")
    return bytes(value)


def check_instance(value: object, cls: type[T], name: str, error: type[WalletError] = WalletArgumentError) -> T:
    """``value`` if it is a ``cls``."""
    if not isinstance(value, cls):
        raise error(f"{name} must be a {cls.__name__}, got {type(value).__name__}")
    return value


def check_alias(alias: object) -> str:
    """An account alias: non-empty printable text of at most 64 characters, no surrounding whitespace."""
    if not isinstance(alias, str):
        raise WalletArgumentError(f"an account alias must be text, got {type(alias).__name__}")
    if not alias:
        raise WalletArgumentError("an account alias must not be empty")
    if len(alias) > MAX_ALIAS_LENGTH:
        raise WalletArgumentError(
            f"an account alias has at most {MAX_ALIAS_LENGTH} characters, this one has {len(alias)}"
        )
    if alias != alias.strip():
        raise WalletArgumentError(f"an account alias must not start or end with whitespace: {alias!r}")
    if not alias.isprintable():
        raise WalletArgumentError(f"an account alias must be printable text (no control characters): {alias!r}")
    if alias.isdigit() or unicodedata.normalize("NFKC", alias).isdigit():
        raise WalletArgumentError(
            f"an account alias must not be all digits ({alias!r} would read as an account index on the command "
            "line); add a letter, e.g. 'user-" + alias + "'"
        )
    return alias


def alias_key(alias: str) -> str:
    """The form in which two aliases are compared: NFKC, case-folded, accents (combining marks) removed, so
    ``ALİCE``, ``Alice``, ``alice`` and the full-width (U+FF41...) form are one alias (as wallet.rs, aliases
    are unique ignoring case; tanglehub also ignores the other ways a user can type the same name)."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", alias).casefold())
    return unicodedata.normalize("NFKC", "".join(c for c in folded if not unicodedata.combining(c)))


def check_amount(amount: object, supply: int, error: type[WalletError] = WalletArgumentError) -> int:
    """An amount of the smallest unit: an int (not a bool) from 1 to the network's token ``supply``."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise error(f"an amount must be an integer of the smallest unit, got {type(amount).__name__}")
    if amount <= 0:
        raise error(f"an amount must be positive, got {amount}")
    if amount > supply:
        raise error(f"amount {amount} exceeds the network's total token supply {supply}")
    return amount
