"""In-memory key derivation from a BIP39 seed, shared by the vault and the mnemonic signers.

A :class:`Keychain` holds the 64-byte seed in a ``bytearray`` and caches the SLIP-10 parent node
``m/44'/coin'/account'/change'`` per (coin, account, change), so signing with many addresses of one account
costs one HMAC-SHA512 per address instead of five. :meth:`Keychain.wipe` zeroes the seed and drops the cache.
Address batches go through :func:`tanglehub.keys.address.derive_address_hashes` (its batched HMAC path).
Nothing here returns a seed or a private key; only public keys, address hashes and signatures leave it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar

from tanglehub.keys.address import derive_address_hashes
from tanglehub.keys.bip39 import mnemonic_to_seed, validate_mnemonic
from tanglehub.keys.ed25519 import public_key, sign
from tanglehub.keys.slip10 import Bip44, ExtendedKey, master_key
from tanglehub.vault.errors import InvalidSigningRequestError, VaultLockedError

__all__ = ["INLINE_LIMIT", "MAX_BATCH", "Keychain", "run_sized"]

MAX_BATCH = 100_000
"""The largest number of addresses or chains one request may ask for."""

INLINE_LIMIT = 4
"""Signer requests for at most this many addresses or chains run on the event loop thread (microseconds with
a cached parent node); larger ones go to a worker thread."""

_PURPOSE = 44
_INDEX_LIMIT = 0x8000_0000

P = ParamSpec("P")
R = TypeVar("R")


async def run_sized(size: object, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """``fn(*args, **kwargs)`` inline when ``size`` is an int of at most :data:`INLINE_LIMIT`, else in a thread."""
    if isinstance(size, int) and size <= INLINE_LIMIT:
        return fn(*args, **kwargs)
    return await asyncio.to_thread(fn, *args, **kwargs)


def _check_index(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < _INDEX_LIMIT:
        raise InvalidSigningRequestError(f"{name} must be an integer from 0 to 2^31-1, got {value!r}")
    return value


def _check_message(message: object) -> bytes:
    if not isinstance(message, bytes | bytearray | memoryview):
        raise InvalidSigningRequestError("the message to sign must be bytes")
    return bytes(message)


class Keychain:
    """Derive Ed25519 keys along BIP44 chains from a seed held in memory (thread-safe)."""

    __slots__ = ("_lock", "_nodes", "_seed")

    def __init__(self, seed: bytes | bytearray) -> None:
        self._seed: bytearray | None = bytearray(seed)
        self._nodes: dict[tuple[int, int, int], ExtendedKey] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_mnemonic(cls, mnemonic: str, passphrase: str = "") -> Keychain:
        """Validate ``mnemonic`` (raising the keys layer's MnemonicError) and build a keychain from its seed."""
        normalized = validate_mnemonic(mnemonic)
        return cls(mnemonic_to_seed(normalized, passphrase))

    def __repr__(self) -> str:
        state = "wiped" if self._seed is None else f"{len(self._nodes)} cached parent nodes"
        return f"<Keychain {state}>"

    @property
    def wiped(self) -> bool:
        """True once :meth:`wipe` has run."""
        return self._seed is None

    def wipe(self) -> None:
        """Zero the seed and forget every cached node; the keychain is unusable afterwards."""
        with self._lock:
            if self._seed is not None:
                self._seed[:] = bytes(len(self._seed))
                self._seed = None
            self._nodes.clear()

    def _parent(self, coin_type: int, account: int, change: int) -> ExtendedKey:
        key = (coin_type, account, change)
        with self._lock:
            if self._seed is None:
                raise VaultLockedError("the vault is locked; unlock it with the password first")
            node = self._nodes.get(key)
            if node is None:
                node = master_key(bytes(self._seed))
                for index in (_PURPOSE, coin_type, account, change):
                    node = node.child(index)
                self._nodes[key] = node
            return node

    def address_hashes(self, coin_type: int, account: int, internal: bool, start: int, count: int) -> list[bytes]:
        """Return the BLAKE2b-256 public-key hashes of ``count`` addresses from index ``start``."""
        _check_index("coin_type", coin_type)
        _check_index("account", account)
        _check_index("start", start)
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_BATCH:
            raise InvalidSigningRequestError(f"count must be an integer from 0 to {MAX_BATCH}, got {count!r}")
        if start + count > _INDEX_LIMIT:
            raise InvalidSigningRequestError("start + count runs past the last address index 2^31-1")
        with self._lock:
            if self._seed is None:
                raise VaultLockedError("the vault is locked; unlock it with the password first")
            seed = bytes(self._seed)
        return derive_address_hashes(seed, coin_type, account, internal, start, count)

    def sign(self, message: bytes, chain: Bip44) -> tuple[bytes, bytes]:
        """Sign ``message`` with the key at ``chain``; return (public key, 64-byte signature)."""
        return self.sign_many(message, [chain])[0]

    def sign_many(self, message: bytes, chains: Sequence[Bip44]) -> list[tuple[bytes, bytes]]:
        """Sign one ``message`` with each chain's key, in the order given."""
        data = _check_message(message)
        if len(chains) > MAX_BATCH:
            raise InvalidSigningRequestError(f"at most {MAX_BATCH} chains can be signed in one request")
        results: list[tuple[bytes, bytes]] = []
        for chain in chains:
            if not isinstance(chain, Bip44):
                raise InvalidSigningRequestError("each chain must be a tanglehub.keys.slip10.Bip44")
            parent = self._parent(
                _check_index("coin_type", chain.coin_type),
                _check_index("account", chain.account),
                _check_index("change", chain.change),
            )
            private = parent.child(_check_index("address_index", chain.address_index)).private_key
            results.append((public_key(private), sign(private, data)))
            del private
        return results
