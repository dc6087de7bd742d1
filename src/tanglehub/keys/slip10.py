"""SLIP-10 key derivation for Ed25519 (hardened children only) and the BIP44 path IOTA wallets use.

``m/44'/coin_type'/account'/change'/address_index'``: every segment is hardened; coin type 4218 is IOTA,
4219 Shimmer; change 0 is the public chain, 1 the internal (remainder) chain.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field

from tanglehub.keys.errors import DerivationError

__all__ = [
    "HARDENED",
    "IOTA_COIN_TYPE",
    "SHIMMER_COIN_TYPE",
    "SUPPORTED_COIN_TYPES",
    "Bip44",
    "ExtendedKey",
    "check_coin_type",
    "derive_path",
    "hardened",
    "master_key",
]

HARDENED = 0x8000_0000
"""Bit that marks a hardened path segment."""
IOTA_COIN_TYPE = 4218
"""SLIP-44 coin type of IOTA."""
SHIMMER_COIN_TYPE = 4219
"""SLIP-44 coin type of Shimmer."""
SUPPORTED_COIN_TYPES: tuple[int, ...] = (IOTA_COIN_TYPE, SHIMMER_COIN_TYPE)
"""The coin types tanglehub derives keys for (IOTA and Shimmer, as the official IOTA wallets)."""

_MASTER_KEY = b"ed25519 seed"
_MAX_SEGMENT = 0xFFFF_FFFF


def check_coin_type(coin_type: object, name: str = "coin type") -> int:
    """``coin_type`` if it is one of :data:`SUPPORTED_COIN_TYPES`, else :class:`DerivationError`.

    The one rule for every entry point (``tanglehub keys derive --coin-type``, ``Wallet.create``): a coin type
    of another chain (60 is Ethereum) would derive keys no IOTA wallet finds again.
    """
    if isinstance(coin_type, bool) or not isinstance(coin_type, int) or coin_type not in SUPPORTED_COIN_TYPES:
        shown = coin_type if isinstance(coin_type, int) else type(coin_type).__name__
        raise DerivationError(f"{name} must be 4218 (IOTA) or 4219 (Shimmer), got {shown}")
    return coin_type


def hardened(index: int) -> int:
    """Return ``index`` as a hardened segment (an index already hardened is kept); reject out-of-range."""
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index <= _MAX_SEGMENT:
        raise DerivationError(f"a path segment must be an integer from 0 to {_MAX_SEGMENT}, got {index!r}")
    return index | HARDENED


@dataclass(frozen=True, slots=True)
class ExtendedKey:
    """A SLIP-10 Ed25519 node: the 32-byte private key (RFC 8032 seed) and the 32-byte chain code.

    Neither field appears in ``repr`` so that a node never leaks into a log.
    """

    private_key: bytes = field(repr=False)
    chain_code: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.private_key, bytes) or len(self.private_key) != 32:
            raise DerivationError("an extended key needs a 32-byte private key")
        if not isinstance(self.chain_code, bytes) or len(self.chain_code) != 32:
            raise DerivationError("an extended key needs a 32-byte chain code")

    def child(self, index: int) -> ExtendedKey:
        """Derive the hardened child ``index`` (Ed25519 has no public derivation, so always hardened)."""
        segment = hardened(index)
        digest = hmac.digest(self.chain_code, b"\x00" + self.private_key + segment.to_bytes(4, "big"), "sha512")
        return ExtendedKey(digest[:32], digest[32:])


def master_key(seed: bytes) -> ExtendedKey:
    """Return the SLIP-10 Ed25519 master node of ``seed`` (16 to 64 bytes, e.g. a BIP39 seed)."""
    if not isinstance(seed, bytes | bytearray) or not 16 <= len(seed) <= 64:
        raise DerivationError("a seed must be 16 to 64 bytes long")
    digest = hmac.digest(_MASTER_KEY, bytes(seed), "sha512")
    return ExtendedKey(digest[:32], digest[32:])


def derive_path(seed: bytes, path: Sequence[int]) -> ExtendedKey:
    """Derive the node at ``path`` (segments are hardened if they are not already) from ``seed``."""
    if isinstance(path, str | bytes) or not isinstance(path, Sequence):
        raise DerivationError(f"a derivation path must be a sequence of integers, got {type(path).__name__}")
    node = master_key(seed)
    for index in path:
        node = node.child(index)
    return node


@dataclass(frozen=True, slots=True)
class Bip44:
    """A BIP44 location ``m/44'/coin_type'/account'/change'/address_index'`` (all hardened)."""

    coin_type: int
    account: int = 0
    change: int = 0
    address_index: int = 0

    def __post_init__(self) -> None:
        for name in ("coin_type", "account", "change", "address_index"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < HARDENED:
                raise DerivationError(f"BIP44 {name} must be an integer from 0 to {HARDENED - 1}, got {value!r}")

    @property
    def path(self) -> tuple[int, ...]:
        """The five hardened path segments."""
        return tuple(i | HARDENED for i in (44, self.coin_type, self.account, self.change, self.address_index))
