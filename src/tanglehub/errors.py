"""The root of every error tanglehub raises.

Each error class carries a stable machine ``code`` (SCREAMING_SNAKE, never reused) that the CLI maps to a
message and the REST API renders as RFC 9457 problem+json. Each layer has one base class here; the layer's
own ``errors`` module subclasses it::

    TanglehubError                       TANGLEHUB_ERROR
    +-- KeysError                        KEYS_ERROR        keys/errors.py   (mnemonic, derivation, bech32)
    +-- CodecError                       CODEC_ERROR       protocol/errors.py (bytes/JSON that do not parse)
    +-- ProtocolValidationError          PROTOCOL_INVALID  protocol/errors.py (syntactic/semantic rules)
    +-- NodeError                        NODE_ERROR        node/errors.py   (unreachable, timeout, rejected)
    +-- DevnetError                      DEVNET_ERROR      devnet/errors.py
    +-- VaultError                       VAULT_ERROR       vault/errors.py  (wrong password, locked, exists)
    +-- WalletError                      WALLET_ERROR      wallet/errors.py (insufficient funds, unknown account)
    +-- HubError                         HUB_ERROR         hub/errors.py
    +-- SignerError                      SIGNER_ERROR      signer/errors.py (signing server, policy, audit)
    +-- ConfigError                      CONFIG_ERROR

Messages must never contain secrets (mnemonics, seeds, passwords, private keys).
"""

from __future__ import annotations

import re
from typing import ClassVar

__all__ = [
    "CODES",
    "CodecError",
    "ConfigError",
    "DevnetError",
    "HubError",
    "KeysError",
    "NodeError",
    "ProtocolValidationError",
    "SignerError",
    "TanglehubError",
    "VaultError",
    "WalletError",
    "hide_secret_like",
]

CODES: dict[str, type[TanglehubError]] = {}
"""Every registered error code and the class that owns it (filled as classes are defined)."""

_QUOTED = re.compile(r"(?<!\w)'([^'\n]*)'(?!\w)|(?<!\w)\"([^\"\n]*)\"(?!\w)")
_MIN_SECRET_WORDS = 2


def _secret_like(value: str) -> bool:
    from tanglehub.keys.bip39 import is_bip39_word  # noqa: PLC0415 - lazily: keys imports this module

    words = value.split()
    hits = sum(1 for w in words if is_bip39_word(w.strip(".,;:")))
    return hits >= _MIN_SECRET_WORDS and hits * 2 >= len(words)


def hide_secret_like(text: str) -> str:
    """``text`` with every quoted value (``'...'`` or ``"..."``, as ``repr`` and error messages quote user
    input) that could be (part of) a mnemonic replaced by its length: a value of several words, at least two
    and at least half of them English BIP39 words, becomes ``<hidden: N words, M characters>``. A mnemonic
    typed in the wrong place (as an address, an alias, a file name) is therefore never echoed."""

    def replace(match: re.Match[str]) -> str:
        value = match.group(1) if match.group(1) is not None else match.group(2)
        if not _secret_like(value):
            return match.group(0)
        return f"<hidden: {len(value.split())} words, {len(value)} characters>"

    return _QUOTED.sub(replace, text)


class TanglehubError(Exception):
    """Base of all tanglehub errors: a human message plus a stable machine ``code``."""

    code: ClassVar[str] = "TANGLEHUB_ERROR"
    http_status: ClassVar[int] = 500

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            raise TypeError(f"{cls.__name__} must define its own stable 'code'")
        owner = CODES.get(cls.code)
        if owner is not None and owner.__qualname__ != cls.__qualname__:
            raise TypeError(f"error code {cls.code} is already used by {owner.__name__}")
        CODES[cls.code] = cls

    def __init__(self, message: str) -> None:
        message = hide_secret_like(message)
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return hide_secret_like(self.message)


CODES[TanglehubError.code] = TanglehubError


class KeysError(TanglehubError):
    """Mnemonic, key derivation or address encoding problem."""

    code = "KEYS_ERROR"
    http_status = 400


class CodecError(TanglehubError):
    """Bytes or JSON that do not decode into a protocol object."""

    code = "CODEC_ERROR"
    http_status = 400


class ProtocolValidationError(TanglehubError):
    """An object that decodes but breaks a protocol rule."""

    code = "PROTOCOL_INVALID"
    http_status = 400


class NodeError(TanglehubError):
    """A node could not be reached or refused a request."""

    code = "NODE_ERROR"
    http_status = 502


class DevnetError(TanglehubError):
    """The local devnet node could not do what was asked."""

    code = "DEVNET_ERROR"
    http_status = 400


class VaultError(TanglehubError):
    """The secret store refused or failed an operation."""

    code = "VAULT_ERROR"
    http_status = 400


class WalletError(TanglehubError):
    """A wallet operation could not be carried out."""

    code = "WALLET_ERROR"
    http_status = 400


class HubError(TanglehubError):
    """A hub service operation could not be carried out."""

    code = "HUB_ERROR"
    http_status = 400


class SignerError(TanglehubError):
    """The signing server (or its client) could not carry out a request, or refused it by policy."""

    code = "SIGNER_ERROR"
    http_status = 400


class ConfigError(TanglehubError):
    """A configuration value is missing or invalid."""

    code = "CONFIG_ERROR"
    http_status = 500
