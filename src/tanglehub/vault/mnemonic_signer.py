"""An in-memory :class:`~tanglehub.vault.signer.Signer` built straight from a mnemonic.

**Insecure for production**: the seed sits unencrypted in process memory for the signer's whole life and is
never locked. Use it in tests, examples and on the local devnet only; real funds belong behind
:class:`~tanglehub.vault.local_signer.VaultSigner`.
"""

from __future__ import annotations

from collections.abc import Sequence

from tanglehub.keys.slip10 import Bip44
from tanglehub.vault.keychain import Keychain, run_sized
from tanglehub.vault.signer import PublicKeyAndSignature

__all__ = ["MnemonicSigner"]


class MnemonicSigner:
    """A signer holding a BIP39 mnemonic's seed in memory (tests and development only; see module doc)."""

    __slots__ = ("_keychain",)

    def __init__(self, mnemonic: str, passphrase: str = "") -> None:
        self._keychain = Keychain.from_mnemonic(mnemonic, passphrase)

    def __repr__(self) -> str:
        return "<MnemonicSigner (insecure, in-memory; secrets hidden)>"

    def close(self) -> None:
        """Zero the seed and drop cached nodes; the signer raises VaultLockedError afterwards."""
        self._keychain.wipe()

    async def ed25519_address_hashes(
        self, coin_type: int, account: int, internal: bool, start: int, count: int
    ) -> list[bytes]:
        """Public-key hashes of ``count`` addresses from ``start``."""
        return await run_sized(count, self._keychain.address_hashes, coin_type, account, internal, start, count)

    async def sign_ed25519(self, message: bytes, chain: Bip44) -> PublicKeyAndSignature:
        """Sign ``message`` with the key at ``chain``."""
        return self._keychain.sign(message, chain)

    async def sign_ed25519_many(self, message: bytes, chains: Sequence[Bip44]) -> list[PublicKeyAndSignature]:
        """Sign ``message`` with each chain's key."""
        return await run_sized(len(chains), self._keychain.sign_many, message, list(chains))
