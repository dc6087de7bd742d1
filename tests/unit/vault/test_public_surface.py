"""The vault's public names and error codes are stable."""

from __future__ import annotations

import importlib

import tanglehub.vault as vault
from tanglehub.errors import VaultError

# modules whose every public class/function is part of the package surface (crypto, fileformat and fileio
# are internals: only KdfParams and FORMAT_VERSION are re-exported from them)
SURFACE_MODULES = ["errors", "local_signer", "mnemonic_signer", "signer", "store"]


def test_all_is_sorted_and_complete() -> None:
    assert vault.__all__ == sorted(vault.__all__)
    for name in vault.__all__:
        assert hasattr(vault, name), name
    for module_name in SURFACE_MODULES:
        module = importlib.import_module(f"tanglehub.vault.{module_name}")
        public = set(module.__all__)
        assert public <= set(vault.__all__), (module_name, public - set(vault.__all__))


def test_error_codes_are_pinned() -> None:
    codes = {
        cls.__name__: cls.code
        for cls in vars(vault).values()
        if isinstance(cls, type) and issubclass(cls, VaultError)
    }
    assert codes == {
        "InsecurePermissionsError": "VAULT_INSECURE_PERMISSIONS",
        "InvalidKdfParametersError": "VAULT_INVALID_KDF_PARAMETERS",
        "InvalidPasswordError": "VAULT_INVALID_PASSWORD",
        "InvalidSigningRequestError": "VAULT_INVALID_SIGNING_REQUEST",
        "MnemonicAlreadyRevealedError": "VAULT_MNEMONIC_ALREADY_REVEALED",
        "MnemonicAlreadyStoredError": "VAULT_MNEMONIC_ALREADY_STORED",
        "NoMnemonicError": "VAULT_NO_MNEMONIC",
        "UnsupportedVaultVersionError": "VAULT_UNSUPPORTED_VERSION",
        "VaultCorruptedError": "VAULT_CORRUPTED",
        "VaultError": "VAULT_ERROR",
        "VaultExistsError": "VAULT_EXISTS",
        "VaultIOError": "VAULT_IO_ERROR",
        "VaultLockedError": "VAULT_LOCKED",
        "VaultNotFoundError": "VAULT_NOT_FOUND",
        "WrongPasswordError": "VAULT_WRONG_PASSWORD",
    }
