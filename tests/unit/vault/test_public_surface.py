"""The vault's public names and error codes are stable."""

from __future__ import annotations

import tanglehub.vault as vault
from tanglehub.errors import VaultError


def test_all_is_sorted_and_complete() -> None:
    assert vault.__all__ == sorted(vault.__all__)
    for name in vault.__all__:
        assert hasattr(vault, name), name


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
