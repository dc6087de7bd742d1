"""Key derivation and authenticated encryption for vault files (libsodium through PyNaCl).

* Password -> key: Argon2id v1.3 (``crypto_pwhash`` with ``ALG_ARGON2ID13``), 32-byte output, 16-byte random
  salt; the cost parameters travel in the file header so they can be raised later without breaking old files.
* Encryption: XChaCha20-Poly1305 (IETF construction), 24-byte random nonce, the serialized header as associated
  data, so any change to the header makes decryption fail.
* Key check: a 16-byte keyed BLAKE2b tag of the derived key, stored in the header. It tells "wrong password"
  apart from "damaged ciphertext"; it gives an attacker nothing the ciphertext does not already give (both
  let a password guess be tested only after paying the Argon2id cost).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from typing import ClassVar

import nacl.bindings
import nacl.exceptions
import nacl.utils
from nacl.pwhash import argon2id

from tanglehub.vault.errors import InvalidKdfParametersError, InvalidPasswordError, WrongPasswordError

__all__ = [
    "KEY_BYTES",
    "NONCE_BYTES",
    "SALT_BYTES",
    "KdfParams",
    "decrypt",
    "derive_key",
    "encrypt",
    "key_check",
    "new_nonce",
    "new_salt",
    "password_bytes",
    "verify_key_check",
]

KEY_BYTES = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_KEYBYTES
NONCE_BYTES = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
SALT_BYTES = argon2id.SALTBYTES
_KEY_CHECK_BYTES = 16
_KEY_CHECK_LABEL = b"tanglehub-vault key check v1"
_MAX_OPSLIMIT = 32
_MAX_MEMLIMIT = 4 * 1024**3


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id cost parameters: ``opslimit`` passes and ``memlimit`` bytes of memory.

    Use :attr:`MODERATE` (the default, about 0.8 s and 256 MiB on a small server) for real vaults; tests may
    pass :attr:`MINIMUM` to stay fast. Values read from a file are bounded so a hostile file cannot demand
    absurd memory or time.
    """

    opslimit: int
    memlimit: int

    MINIMUM: ClassVar[KdfParams]
    INTERACTIVE: ClassVar[KdfParams]
    MODERATE: ClassVar[KdfParams]
    SENSITIVE: ClassVar[KdfParams]

    def __post_init__(self) -> None:
        for name, value, low, high in (
            ("opslimit", self.opslimit, argon2id.OPSLIMIT_MIN, _MAX_OPSLIMIT),
            ("memlimit", self.memlimit, argon2id.MEMLIMIT_MIN, _MAX_MEMLIMIT),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidKdfParametersError(
                    f"Argon2id {name} must be an integer between {low} and {high}, got {value!r}"
                )


KdfParams.MINIMUM = KdfParams(argon2id.OPSLIMIT_MIN, argon2id.MEMLIMIT_MIN)
KdfParams.INTERACTIVE = KdfParams(argon2id.OPSLIMIT_INTERACTIVE, argon2id.MEMLIMIT_INTERACTIVE)
KdfParams.MODERATE = KdfParams(argon2id.OPSLIMIT_MODERATE, argon2id.MEMLIMIT_MODERATE)
KdfParams.SENSITIVE = KdfParams(argon2id.OPSLIMIT_SENSITIVE, argon2id.MEMLIMIT_SENSITIVE)


def password_bytes(password: str) -> bytes:
    """Return the NFC-normalized UTF-8 bytes of ``password``; refuse empty or non-string passwords."""
    if not isinstance(password, str):
        raise InvalidPasswordError("the vault password must be a text string")
    if password == "":
        raise InvalidPasswordError("the vault password must not be empty")
    return unicodedata.normalize("NFC", password).encode("utf-8")


def new_salt() -> bytes:
    """Return a fresh random Argon2id salt."""
    return nacl.utils.random(SALT_BYTES)


def new_nonce() -> bytes:
    """Return a fresh random XChaCha20-Poly1305 nonce (192 bits: safe to pick at random)."""
    return nacl.utils.random(NONCE_BYTES)


def derive_key(password: str, salt: bytes, params: KdfParams) -> bytes:
    """Stretch ``password`` into a 32-byte encryption key with Argon2id (slow on purpose)."""
    secret = password_bytes(password)
    try:
        return bytes(argon2id.kdf(KEY_BYTES, secret, salt, opslimit=params.opslimit, memlimit=params.memlimit))
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
        raise InvalidKdfParametersError(
            "libsodium refused the Argon2id parameters (or could not allocate the memory they ask for)"
        ) from exc
    finally:
        del secret


def key_check(key: bytes) -> bytes:
    """Return the 16-byte check tag of ``key`` stored in the header."""
    return hashlib.blake2b(_KEY_CHECK_LABEL, key=key, digest_size=_KEY_CHECK_BYTES).digest()


def verify_key_check(key: bytes, expected: bytes) -> None:
    """Raise :class:`WrongPasswordError` unless ``key`` matches the stored check tag (constant time)."""
    if not hmac.compare_digest(key_check(key), expected):
        raise WrongPasswordError("wrong vault password")


def encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext`` (and ``aad``) with XChaCha20-Poly1305."""
    return bytes(nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, aad, nonce, key))


def decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes | None:
    """Return the plaintext, or ``None`` when authentication fails (damaged data or a wrong key)."""
    try:
        return bytes(nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(ciphertext, aad, nonce, key))
    except (nacl.exceptions.CryptoError, ValueError, TypeError):
        return None
