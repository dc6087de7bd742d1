"""BIP39 mnemonics (English word list): generation, validation with precise errors, and the seed.

The word list and generation come from the reference ``mnemonic`` package; validation is done here so that
each kind of mistake gets its own error. IOTA wallets use an empty BIP39 passphrase.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata

from mnemonic import Mnemonic

from tanglehub.keys.errors import (
    ChecksumMismatchError,
    MnemonicError,
    MnemonicLengthError,
    UnknownWordError,
)

__all__ = [
    "VALID_WORD_COUNTS",
    "generate_mnemonic",
    "is_bip39_word",
    "mnemonic_to_seed",
    "validate_mnemonic",
]

VALID_WORD_COUNTS: tuple[int, ...] = (12, 15, 18, 21, 24)
"""Word counts BIP39 allows (128 to 256 bits of entropy in steps of 32)."""

_PBKDF2_ROUNDS = 2048
_ENGLISH = Mnemonic("english")
_WORD_INDEX: dict[str, int] = {word: i for i, word in enumerate(_ENGLISH.wordlist)}


def generate_mnemonic(words: int = 24) -> str:
    """Return a new random English mnemonic of ``words`` words (24 by default) from the OS random source."""
    if words not in VALID_WORD_COUNTS:
        raise MnemonicLengthError(words)
    entropy = secrets.token_bytes(words * 4 // 3)
    return str(_ENGLISH.to_mnemonic(entropy))


def is_bip39_word(text: str) -> bool:
    """True when ``text`` (any case) is a word of the English BIP39 list, so it could be part of a mnemonic."""
    return unicodedata.normalize("NFKD", text).lower() in _WORD_INDEX


def _normalize(mnemonic: str) -> list[str]:
    if not isinstance(mnemonic, str):
        raise MnemonicError("a mnemonic must be given as text")
    return unicodedata.normalize("NFKD", mnemonic).lower().split()


def validate_mnemonic(mnemonic: str) -> str:
    """Check an English mnemonic and return it normalized (NFKD, lower case, single spaces).

    Raises :class:`MnemonicLengthError`, :class:`UnknownWordError` (naming the 1-based position) or
    :class:`ChecksumMismatchError`; no message repeats any word.
    """
    words = _normalize(mnemonic)
    if len(words) not in VALID_WORD_COUNTS:
        raise MnemonicLengthError(len(words))
    bits = 0
    for position, word in enumerate(words, start=1):
        index = _WORD_INDEX.get(word)
        if index is None:
            raise UnknownWordError(position)
        bits = (bits << 11) | index
    checksum_bits = len(words) * 11 // 33
    entropy_bits = len(words) * 11 - checksum_bits
    entropy = (bits >> checksum_bits).to_bytes(entropy_bits // 8, "big")
    expected = hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits)
    if bits & ((1 << checksum_bits) - 1) != expected:
        raise ChecksumMismatchError()
    return " ".join(words)


def mnemonic_to_seed(mnemonic: str, passphrase: str = "") -> bytes:
    """Validate ``mnemonic`` and return its 64-byte BIP39 seed (PBKDF2-HMAC-SHA512, 2048 rounds)."""
    normalized = validate_mnemonic(mnemonic)
    if not isinstance(passphrase, str):
        raise MnemonicError("a BIP39 passphrase must be given as text")
    salt = "mnemonic" + unicodedata.normalize("NFKD", passphrase)
    return hashlib.pbkdf2_hmac("sha512", normalized.encode("utf-8"), salt.encode("utf-8"), _PBKDF2_ROUNDS)
