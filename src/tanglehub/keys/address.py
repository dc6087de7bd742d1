"""Ed25519 address derivation in bulk: BIP44 chain node once, then one hardened SLIP-10 step per address.

The chain node ``m/44'/coin'/account'/change'`` is derived once per batch; each address then costs one
HMAC-SHA512 (with the HMAC key pads precomputed), one libsodium seed-to-public-key, one BLAKE2b-256 and a
share of the vectorised bech32 encoding. :func:`derive_addresses_parallel` spreads a large range over
worker processes; only the chain node (never the seed) is sent to them.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import nacl.bindings

try:  # the raw libsodium binding PyNaCl ships with: saves the wrapper's checks on the hot path
    from nacl._sodium import ffi as _ffi
    from nacl._sodium import lib as _lib
except ImportError:  # pragma: no cover - PyNaCl always ships it today
    _ffi = _lib = None

from tanglehub.keys.bech32 import ED25519, check_hrp, encode_many
from tanglehub.keys.errors import DerivationError
from tanglehub.keys.slip10 import HARDENED, ExtendedKey, derive_path

__all__ = [
    "MAX_INDEX",
    "chain_node",
    "derive_address_hashes",
    "derive_addresses",
    "derive_addresses_parallel",
    "derive_keypairs",
    "ed25519_address_hash",
]

MAX_INDEX = HARDENED - 1
"""Largest account or address index (indexes are hardened, so below 2**31)."""

_PARALLEL_MIN_CHUNK = 2_000


def _seed_keypair_fn() -> Callable[[bytes], bytes]:
    """Return the fastest available "32-byte seed -> 32-byte public key" function (libsodium).

    The function writes into output buffers of its own and cffi releases the GIL while libsodium runs, so
    one function must never be shared between threads: take a fresh one per batch.
    """
    if _ffi is None or _lib is None:  # pragma: no cover
        return lambda seed: bytes(nacl.bindings.crypto_sign_seed_keypair(seed)[0])
    pk = _ffi.new("unsigned char[32]")
    sk = _ffi.new("unsigned char[64]")
    keypair = _lib.crypto_sign_seed_keypair
    buffer = _ffi.buffer(pk)

    def seed_to_public(seed: bytes) -> bytes:
        keypair(pk, sk, seed)
        return bytes(buffer)

    return seed_to_public


def ed25519_address_hash(public_key: bytes) -> bytes:
    """Return the Ed25519 address body: BLAKE2b-256 of the 32-byte public key (bytes as given)."""
    if not isinstance(public_key, bytes | bytearray) or len(public_key) != 32:
        raise DerivationError("an Ed25519 public key must be 32 bytes")
    return hashlib.blake2b(public_key, digest_size=32).digest()


def _check_index(name: str, value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_INDEX:
        raise DerivationError(f"{name} must be an integer from 0 to {MAX_INDEX}, got {value!r}")
    return value


def _check_range(start: int, count: int) -> None:
    _check_index("start index", start)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise DerivationError(f"count must be a non-negative integer, got {count!r}")
    if start + count - 1 > MAX_INDEX:
        raise DerivationError(f"address indexes must stay below {HARDENED}: start + count is too large")


def chain_node(seed: bytes, coin_type: int, account: int, internal: bool) -> ExtendedKey:
    """Return the node ``m/44'/coin_type'/account'/change'`` (change 1 when ``internal``)."""
    _check_index("coin type", coin_type)
    _check_index("account index", account)
    return derive_path(seed, (44, coin_type, account, 1 if internal else 0))


def _child_private_keys(node: ExtendedKey, start: int, count: int) -> list[bytes]:
    """Private keys of the hardened children ``start .. start+count-1`` of ``node``."""
    key = node.chain_code.ljust(128, b"\x00")
    inner = hashlib.sha512(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha512(bytes(b ^ 0x5C for b in key))
    inner.update(b"\x00" + node.private_key)
    keys: list[bytes] = []
    append = keys.append
    for index in range(start + HARDENED, start + count + HARDENED):
        h = inner.copy()
        h.update(index.to_bytes(4, "big"))
        o = outer.copy()
        o.update(h.digest())
        append(o.digest()[:32])
    return keys


def _hashes_from_node(node: ExtendedKey, start: int, count: int) -> list[bytes]:
    blake = hashlib.blake2b
    to_public = _seed_keypair_fn()
    return [blake(to_public(k), digest_size=32).digest() for k in _child_private_keys(node, start, count)]


def derive_address_hashes(  # noqa: PLR0917 - positional order is the agreed API
    seed: bytes, coin_type: int, account: int, internal: bool, start: int, count: int
) -> list[bytes]:
    """Ed25519 address bodies for indexes ``start .. start+count-1`` of one account chain."""
    _check_range(start, count)
    return _hashes_from_node(chain_node(seed, coin_type, account, internal), start, count)


def derive_keypairs(  # noqa: PLR0917 - positional order is the agreed API
    seed: bytes, coin_type: int, account: int, internal: bool, start: int, count: int
) -> list[tuple[bytes, bytes]]:
    """(private key, public key) pairs for indexes ``start .. start+count-1`` of one account chain."""
    _check_range(start, count)
    node = chain_node(seed, coin_type, account, internal)
    to_public = _seed_keypair_fn()
    return [(k, to_public(k)) for k in _child_private_keys(node, start, count)]


def derive_addresses(  # noqa: PLR0917 - positional order is the agreed API
    seed: bytes, coin_type: int, account: int, internal: bool, start: int, count: int, hrp: str
) -> list[str]:
    """Bech32 Ed25519 addresses for indexes ``start .. start+count-1`` on one core."""
    check_hrp(hrp)
    return encode_many(hrp, ED25519, derive_address_hashes(seed, coin_type, account, internal, start, count))


def _worker(private_key: bytes, chain_code: bytes, start: int, count: int, hrp: str) -> list[str]:
    node = ExtendedKey(private_key, chain_code)
    return encode_many(hrp, ED25519, _hashes_from_node(node, start, count))


def derive_addresses_parallel(  # noqa: PLR0917 - positional order is the agreed API
    seed: bytes,
    coin_type: int,
    account: int,
    internal: bool,
    start: int,
    count: int,
    hrp: str,
    workers: int | None = None,
) -> list[str]:
    """Like :func:`derive_addresses` but spread over ``workers`` processes (default: all CPUs).

    Small ranges, or ``workers == 1``, run in this process; the result is identical either way.
    """
    check_hrp(hrp)
    _check_range(start, count)
    if workers is None:
        workers = os.cpu_count() or 1
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise DerivationError(f"workers must be a positive integer, got {workers!r}")
    node = chain_node(seed, coin_type, account, internal)
    if workers == 1 or count < 2 * _PARALLEL_MIN_CHUNK:
        return encode_many(hrp, ED25519, _hashes_from_node(node, start, count))
    chunks = min(workers * 4, max(workers, count // _PARALLEL_MIN_CHUNK))
    size = -(-count // chunks)
    bounds = [(s, min(size, start + count - s)) for s in range(start, start + count, size)]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=min(workers, len(bounds)), mp_context=context) as pool:
        futures = [pool.submit(_worker, node.private_key, node.chain_code, s, n, hrp) for s, n in bounds]
        result: list[str] = []
        for future in futures:
            result.extend(future.result())
    return result
