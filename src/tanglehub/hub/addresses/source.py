"""The keys boundary: where the hub gets deposit addresses from without ever holding a key.

:class:`AddressSource` is the narrow interface (derive address hashes N..N+count-1 of one BIP44
account/change); :class:`SignerAddressSource` implements it in-process over any
:class:`tanglehub.vault.Signer` (the unlocked vault). The signing server (a later issue) implements the same
protocol over HTTPS. SLIP-10 Ed25519 has no public derivation, so every address comes from the signer side.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from tanglehub.vault import Signer

__all__ = ["AddressSource", "SignerAddressSource"]


@runtime_checkable
class AddressSource(Protocol):
    """Derives deposit addresses for the hub."""

    async def derive_addresses(self, account: int, change: int, start: int, count: int) -> list[bytes]:
        """The 32-byte Ed25519 address hashes of BIP44 indexes ``start .. start+count-1`` of the chain
        ``account``/``change``."""
        ...


class SignerAddressSource:
    """An :class:`AddressSource` over a :class:`~tanglehub.vault.Signer` for coin type ``coin_type``."""

    def __init__(self, signer: Signer, coin_type: int) -> None:
        self._signer = signer
        self._coin_type = coin_type

    def __repr__(self) -> str:
        return f"SignerAddressSource(coin_type={self._coin_type})"

    async def derive_addresses(self, account: int, change: int, start: int, count: int) -> list[bytes]:
        """See :meth:`AddressSource.derive_addresses`."""
        return await self._signer.ed25519_address_hashes(self._coin_type, account, bool(change), start, count)
