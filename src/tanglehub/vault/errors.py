"""Errors raised by the vault (encrypted secret store and signers).

Every class derives from :class:`tanglehub.errors.VaultError`::

    VaultError                          VAULT_ERROR
    +-- WrongPasswordError              VAULT_WRONG_PASSWORD
    +-- InvalidPasswordError            VAULT_INVALID_PASSWORD
    +-- VaultLockedError                VAULT_LOCKED
    +-- VaultCorruptedError             VAULT_CORRUPTED
    +-- UnsupportedVaultVersionError    VAULT_UNSUPPORTED_VERSION
    +-- InvalidKdfParametersError       VAULT_INVALID_KDF_PARAMETERS
    +-- VaultExistsError                VAULT_EXISTS
    +-- VaultNotFoundError              VAULT_NOT_FOUND
    +-- InsecurePermissionsError        VAULT_INSECURE_PERMISSIONS
    +-- VaultIOError                    VAULT_IO_ERROR
    +-- MnemonicAlreadyStoredError      VAULT_MNEMONIC_ALREADY_STORED
    +-- NoMnemonicError                 VAULT_NO_MNEMONIC
    +-- MnemonicAlreadyRevealedError    VAULT_MNEMONIC_ALREADY_REVEALED
    +-- InvalidSigningRequestError      VAULT_INVALID_SIGNING_REQUEST

Messages never contain the password, the mnemonic, the seed or any key material.
"""

from __future__ import annotations

from tanglehub.errors import VaultError

__all__ = [
    "InsecurePermissionsError",
    "InvalidKdfParametersError",
    "InvalidPasswordError",
    "InvalidSigningRequestError",
    "MnemonicAlreadyRevealedError",
    "MnemonicAlreadyStoredError",
    "NoMnemonicError",
    "UnsupportedVaultVersionError",
    "VaultCorruptedError",
    "VaultError",
    "VaultExistsError",
    "VaultIOError",
    "VaultLockedError",
    "VaultNotFoundError",
    "WrongPasswordError",
]


class WrongPasswordError(VaultError):
    """The password does not open this vault (nothing is locked out; try again)."""

    code = "VAULT_WRONG_PASSWORD"
    http_status = 401


class InvalidPasswordError(VaultError):
    """A new password is unusable (for example empty)."""

    code = "VAULT_INVALID_PASSWORD"


class VaultLockedError(VaultError):
    """The vault is locked (never unlocked, locked explicitly, or idle too long)."""

    code = "VAULT_LOCKED"
    http_status = 423


class VaultCorruptedError(VaultError):
    """The vault file is damaged or was tampered with."""

    code = "VAULT_CORRUPTED"
    http_status = 500


class UnsupportedVaultVersionError(VaultError):
    """The vault file was written by a format version this code does not read."""

    code = "VAULT_UNSUPPORTED_VERSION"
    http_status = 500


class InvalidKdfParametersError(VaultError):
    """Argon2id parameters outside the range this vault accepts."""

    code = "VAULT_INVALID_KDF_PARAMETERS"


class VaultExistsError(VaultError):
    """A vault file already exists where a new one was to be created."""

    code = "VAULT_EXISTS"
    http_status = 409


class VaultNotFoundError(VaultError):
    """No vault file exists at the given path."""

    code = "VAULT_NOT_FOUND"
    http_status = 404


class InsecurePermissionsError(VaultError):
    """The vault file can be read or written by other users."""

    code = "VAULT_INSECURE_PERMISSIONS"
    http_status = 500


class VaultIOError(VaultError):
    """The vault file could not be read or written."""

    code = "VAULT_IO_ERROR"
    http_status = 500


class MnemonicAlreadyStoredError(VaultError):
    """The vault already holds a mnemonic; it is never replaced."""

    code = "VAULT_MNEMONIC_ALREADY_STORED"
    http_status = 409


class NoMnemonicError(VaultError):
    """The vault holds no mnemonic yet, so it cannot derive keys."""

    code = "VAULT_NO_MNEMONIC"
    http_status = 409


class MnemonicAlreadyRevealedError(VaultError):
    """A freshly generated mnemonic can be revealed only once."""

    code = "VAULT_MNEMONIC_ALREADY_REVEALED"
    http_status = 409


class InvalidSigningRequestError(VaultError):
    """A signing or derivation request has arguments out of range."""

    code = "VAULT_INVALID_SIGNING_REQUEST"
