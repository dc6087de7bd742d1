"""Errors of the keys layer: mnemonics, key derivation, Ed25519 keys and bech32 addresses.

Every class has its own stable ``code``. No message ever contains a mnemonic, seed or private key; an
unknown mnemonic word is reported by its position only, because a typo'd word is still part of a secret::

    KeysError                          KEYS_ERROR
    +-- MnemonicError                  MNEMONIC_INVALID
    |   +-- MnemonicLengthError        MNEMONIC_LENGTH
    |   +-- UnknownWordError           MNEMONIC_UNKNOWN_WORD
    |   +-- ChecksumMismatchError      MNEMONIC_CHECKSUM_MISMATCH
    +-- DerivationError                KEY_DERIVATION_INVALID
    +-- KeyFormatError                 KEY_FORMAT_INVALID
    +-- Bech32Error                    BECH32_INVALID
        +-- Bech32HrpError             BECH32_INVALID_HRP
        +-- Bech32CharacterError       BECH32_INVALID_CHARACTER
        +-- Bech32MixedCaseError       BECH32_MIXED_CASE
        +-- Bech32ChecksumError        BECH32_CHECKSUM_MISMATCH
        +-- Bech32LengthError          BECH32_LENGTH
        +-- UnknownAddressKindError    BECH32_UNKNOWN_ADDRESS_KIND
        +-- WrongNetworkError          BECH32_WRONG_NETWORK
"""

from __future__ import annotations

from tanglehub.errors import KeysError

__all__ = [
    "Bech32CharacterError",
    "Bech32ChecksumError",
    "Bech32Error",
    "Bech32HrpError",
    "Bech32LengthError",
    "Bech32MixedCaseError",
    "ChecksumMismatchError",
    "DerivationError",
    "KeyFormatError",
    "KeysError",
    "MnemonicError",
    "MnemonicLengthError",
    "UnknownAddressKindError",
    "UnknownWordError",
    "WrongNetworkError",
]


class MnemonicError(KeysError):
    """A BIP39 mnemonic that is not valid (the message never repeats the mnemonic)."""

    code = "MNEMONIC_INVALID"


class MnemonicLengthError(MnemonicError):
    """The mnemonic does not have 12, 15, 18, 21 or 24 words."""

    code = "MNEMONIC_LENGTH"

    def __init__(self, words: int) -> None:
        super().__init__(f"a mnemonic has 12, 15, 18, 21 or 24 words, this one has {words}")
        self.words = words


class UnknownWordError(MnemonicError):
    """A word of the mnemonic is not in the BIP39 English word list."""

    code = "MNEMONIC_UNKNOWN_WORD"

    def __init__(self, position: int) -> None:
        super().__init__(f"mnemonic word {position} is not in the BIP39 English word list (check its spelling)")
        self.position = position


class ChecksumMismatchError(MnemonicError):
    """All words are known but the BIP39 checksum does not match (words missing, swapped or mistyped)."""

    code = "MNEMONIC_CHECKSUM_MISMATCH"

    def __init__(self) -> None:
        super().__init__("mnemonic checksum does not match: a word is wrong, missing or in the wrong place")


class DerivationError(KeysError):
    """A seed, path segment or derivation argument that cannot be used."""

    code = "KEY_DERIVATION_INVALID"


class KeyFormatError(KeysError):
    """A key or signature of the wrong type or length."""

    code = "KEY_FORMAT_INVALID"


class Bech32Error(KeysError):
    """A bech32 address string that does not decode, or arguments that cannot be encoded."""

    code = "BECH32_INVALID"


class Bech32HrpError(Bech32Error):
    """A human-readable part (network prefix) that is empty, too long or has bad characters."""

    code = "BECH32_INVALID_HRP"


class Bech32CharacterError(Bech32Error):
    """A character outside the bech32 alphabet, or a missing '1' separator."""

    code = "BECH32_INVALID_CHARACTER"


class Bech32MixedCaseError(Bech32Error):
    """Upper- and lower-case letters mixed in one address."""

    code = "BECH32_MIXED_CASE"


class Bech32ChecksumError(Bech32Error):
    """The bech32 checksum does not match (a character is wrong or missing)."""

    code = "BECH32_CHECKSUM_MISMATCH"


class Bech32LengthError(Bech32Error):
    """The address decodes to the wrong number of bytes."""

    code = "BECH32_LENGTH"


class UnknownAddressKindError(Bech32Error):
    """The address type byte is not Ed25519 (0), Alias (8) or NFT (16)."""

    code = "BECH32_UNKNOWN_ADDRESS_KIND"


class WrongNetworkError(Bech32Error):
    """A valid address for another network than the one expected."""

    code = "BECH32_WRONG_NETWORK"

    def __init__(self, actual: str, expected: str) -> None:
        super().__init__(f"address is for network '{actual}' but '{expected}' is expected here")
        self.actual = actual
        self.expected = expected
