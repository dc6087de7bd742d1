"""tanglehub.vault: the encrypted secret store (Stronghold role) and the Signer interface.

Only this package touches seeds and private keys; everything else signs through :class:`Signer`.
"""

from __future__ import annotations

from tanglehub.vault.crypto import KdfParams
from tanglehub.vault.errors import (
    InsecurePermissionsError,
    InvalidKdfParametersError,
    InvalidPasswordError,
    InvalidSigningRequestError,
    MnemonicAlreadyRevealedError,
    MnemonicAlreadyStoredError,
    NoMnemonicError,
    UnsupportedVaultVersionError,
    VaultCorruptedError,
    VaultError,
    VaultExistsError,
    VaultIOError,
    VaultLockedError,
    VaultNotFoundError,
    WrongPasswordError,
)
from tanglehub.vault.fileformat import FORMAT_VERSION
from tanglehub.vault.local_signer import VaultSigner
from tanglehub.vault.mnemonic_signer import MnemonicSigner
from tanglehub.vault.signer import PublicKeyAndSignature, Signer
from tanglehub.vault.store import DEFAULT_IDLE_TIMEOUT, OneTimeMnemonic, VaultStore

__all__ = [
    "DEFAULT_IDLE_TIMEOUT",
    "FORMAT_VERSION",
    "InsecurePermissionsError",
    "InvalidKdfParametersError",
    "InvalidPasswordError",
    "InvalidSigningRequestError",
    "KdfParams",
    "MnemonicAlreadyRevealedError",
    "MnemonicAlreadyStoredError",
    "MnemonicSigner",
    "NoMnemonicError",
    "OneTimeMnemonic",
    "PublicKeyAndSignature",
    "Signer",
    "UnsupportedVaultVersionError",
    "VaultCorruptedError",
    "VaultError",
    "VaultExistsError",
    "VaultIOError",
    "VaultLockedError",
    "VaultNotFoundError",
    "VaultSigner",
    "VaultStore",
    "WrongPasswordError",
]
