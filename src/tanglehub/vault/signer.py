"""The :class:`Signer` protocol: the only way the wallet and the hub reach private keys.

A signer derives Ed25519 address hashes and signs messages (transaction essence hashes) along BIP44 chains
``m/44'/coin_type'/account'/change'/address_index'``. It never hands out a seed or a private key. All methods
are coroutines; implementations run heavy work (Argon2id, batch derivation) in worker threads so the event
loop stays responsive. Implementations: :class:`tanglehub.vault.local_signer.VaultSigner` (production, backed
by the encrypted :class:`~tanglehub.vault.store.VaultStore`) and
:class:`tanglehub.vault.mnemonic_signer.MnemonicSigner` (tests and development only).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeAlias, runtime_checkable

from tanglehub.keys.slip10 import Bip44

__all__ = ["PublicKeyAndSignature", "Signer"]

PublicKeyAndSignature: TypeAlias = tuple[bytes, bytes]
"""A 32-byte Ed25519 public key and the 64-byte signature made with its private key."""


@runtime_checkable
class Signer(Protocol):
    """Derive addresses and sign with keys the caller never sees."""

    async def ed25519_address_hashes(
        self, coin_type: int, account: int, internal: bool, start: int, count: int
    ) -> list[bytes]:
        """Return the 32-byte BLAKE2b-256 public-key hashes of addresses ``start .. start+count-1``.

        ``internal`` selects the change chain (1) instead of the public one (0).
        """
        ...

    async def sign_ed25519(self, message: bytes, chain: Bip44) -> PublicKeyAndSignature:
        """Sign ``message`` with the key at ``chain``; return (public key, signature)."""
        ...

    async def sign_ed25519_many(self, message: bytes, chains: Sequence[Bip44]) -> list[PublicKeyAndSignature]:
        """Sign one ``message`` (an essence hash) with the key of each chain, in the order given."""
        ...
