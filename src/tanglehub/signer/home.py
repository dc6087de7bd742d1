"""The signer's data directory and how to open a :class:`~tanglehub.signer.service.SigningService` from it.

Layout of ``<data-dir>``::

    signer.vault     the encrypted vault (Argon2id + XChaCha20-Poly1305, mode 0600) holding the mnemonic
    policy.toml      the policy (tanglehub.signer.policy)
    signer.db        durable state: derived addresses, decisions, counters, the audit log
    certs/           ca.pem, server.pem, server-key.pem (+ the hub's client pair, to copy to the hub)
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from tanglehub.signer.errors import SignerConfigError
from tanglehub.signer.legacy import LegacyKeys, open_salt
from tanglehub.signer.node_check import NodeDeadCheck
from tanglehub.signer.policy import load_policy
from tanglehub.signer.service import SigningService
from tanglehub.signer.state import SignerState
from tanglehub.vault import KdfParams, VaultSigner, VaultStore

__all__ = ["SignerHome", "open_service"]


@dataclass(frozen=True, slots=True)
class SignerHome:
    """Paths inside a signer data directory."""

    root: Path

    @property
    def vault(self) -> Path:
        """The vault file."""
        return self.root / "signer.vault"

    @property
    def policy(self) -> Path:
        """The policy file."""
        return self.root / "policy.toml"

    @property
    def state(self) -> Path:
        """The state database."""
        return self.root / "signer.db"

    @property
    def legacy_salt(self) -> Path:
        """The encrypted legacy-scheme salt (only with ``legacy_deposits = true``)."""
        return self.root / "legacy-salt.vault"

    @property
    def lock(self) -> Path:
        """Held (flock) by the one signer process serving this directory."""
        return self.root / "signer.lock"

    @property
    def certs(self) -> Path:
        """The certificate folder."""
        return self.root / "certs"

    def check_initialized(self) -> None:
        """Raise :class:`SignerConfigError` unless ``signer init`` has run here."""
        if not self.vault.exists():
            raise SignerConfigError(f"no signer vault in {self.root}; run 'tanglehub signer init' first")
        if not self.policy.exists():
            raise SignerConfigError(f"no policy file at {self.policy}; 'tanglehub signer init' writes one")


async def open_service(home: SignerHome, password: str, kdf: KdfParams = KdfParams.MODERATE) -> SigningService:
    """Load the policy, unlock the vault (:class:`~tanglehub.vault.WrongPasswordError` on a wrong password) and
    open the state; the vault never locks on idle while the server runs."""
    home.check_initialized()
    policy = load_policy(home.policy)
    store = VaultStore(home.vault, kdf=kdf, idle_timeout=None)
    signer = VaultSigner(store)
    await signer.unlock(password)
    if not store.has_mnemonic:
        raise SignerConfigError(f"the vault {home.vault} holds no mnemonic; run 'tanglehub signer init' again")
    legacy = None
    if policy.legacy_deposits:
        if not home.legacy_salt.exists():
            raise SignerConfigError(f"the policy enables legacy_deposits but {home.legacy_salt} does not exist")
        legacy = LegacyKeys(await asyncio.to_thread(open_salt, home.legacy_salt, password))
    state = SignerState(home.state)
    dead_check = NodeDeadCheck(policy.node_url) if policy.node_url else None
    return SigningService(policy, state, signer, dead_check, legacy)
