"""The production :class:`~tanglehub.vault.signer.Signer`: keys come from an encrypted vault file."""

from __future__ import annotations

from collections.abc import Sequence

from tanglehub.keys.slip10 import Bip44
from tanglehub.vault.keychain import run_sized
from tanglehub.vault.signer import PublicKeyAndSignature
from tanglehub.vault.store import VaultStore

__all__ = ["VaultSigner"]


class VaultSigner:
    """A :class:`~tanglehub.vault.signer.Signer` over a :class:`VaultStore`.

    Signing needs the store to be unlocked (:meth:`unlock`); a locked or idle-expired store raises
    :class:`~tanglehub.vault.errors.VaultLockedError`. Every use refreshes the store's idle timer.
    """

    __slots__ = ("_store",)

    def __init__(self, store: VaultStore) -> None:
        self._store = store

    def __repr__(self) -> str:
        return f"VaultSigner({self._store!r})"

    @property
    def store(self) -> VaultStore:
        """The vault this signer uses."""
        return self._store

    async def unlock(self, password: str) -> None:
        """Unlock the underlying vault without blocking the event loop."""
        await self._store.unlock_async(password)

    def lock(self) -> None:
        """Lock the underlying vault (wipes key material and cached nodes)."""
        self._store.lock()

    async def ed25519_address_hashes(
        self, coin_type: int, account: int, internal: bool, start: int, count: int
    ) -> list[bytes]:
        """Public-key hashes of ``count`` addresses from ``start`` (derived in a worker thread)."""
        return await run_sized(count, self._store.address_hashes, coin_type, account, internal, start, count)

    async def sign_ed25519(self, message: bytes, chain: Bip44) -> PublicKeyAndSignature:
        """Sign ``message`` with the key at ``chain``."""
        return self._store.sign_ed25519(message, chain)

    async def sign_ed25519_many(self, message: bytes, chains: Sequence[Bip44]) -> list[PublicKeyAndSignature]:
        """Sign ``message`` with each chain's key (many chains run in a worker thread)."""
        return await run_sized(len(chains), self._store.sign_ed25519_many, message, list(chains))
