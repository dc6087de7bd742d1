"""The legacy IOTA Hub key scheme, as an option: one key per address from Argon2id(seed UUID, salt).

The legacy Hub gave every deposit address its own random seed UUID, stored only the UUID in the hub database,
and derived the address's seed on the signing server as Argon2id(UUID, salt) with time cost 4, memory 2^17
KiB and parallelism 1, the salt (at least 20 characters) living only on the signer. tanglehub offers the same
model for Ed25519: the 32-byte Argon2id output is the address's Ed25519 private-key seed.

Trade-offs against the default (HD, BIP44 from one mnemonic):

- **No recovery from a mnemonic alone.** Spending needs the hub database's UUIDs *and* the signer's salt; lose
  either and the funds on those addresses are gone. HD addresses are recoverable from the mnemonic alone.
- **Slow by design.** Each address costs one Argon2id run at 128 MiB (about 0.2-0.5 s on a small server), so
  the address pool refills at a few addresses per second instead of tens of thousands.
- **What it buys.** A stolen hub database reveals only UUIDs; together with the salt they still need the
  signer's machine, as with HD. It exists for operators whose procedures assume the Hub's model.

The salt is kept encrypted at rest in ``<data-dir>/legacy-salt.vault`` (Argon2id-derived key from the signer
password + XChaCha20-Poly1305, mode 0600), never in plain text.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw

from tanglehub.keys import ed25519
from tanglehub.keys.address import ed25519_address_hash
from tanglehub.signer.errors import SignerConfigError, SignerRequestError
from tanglehub.vault import crypto
from tanglehub.vault.errors import VaultCorruptedError
from tanglehub.vault.fileio import atomic_write, read_private

__all__ = [
    "LEGACY_MEMORY_KIB",
    "LEGACY_PARALLELISM",
    "LEGACY_TIME_COST",
    "MIN_SALT_LENGTH",
    "LegacyKeys",
    "legacy_private_key",
    "new_salt",
    "open_salt",
    "seal_salt",
]

LEGACY_TIME_COST = 4
LEGACY_MEMORY_KIB = 1 << 17
LEGACY_PARALLELISM = 1
MIN_SALT_LENGTH = 20
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_AAD = b"tanglehub-legacy-salt-v1"


def check_uuid(text: object) -> str:
    """A lower-case RFC 4122 UUID string, or :class:`SignerRequestError`."""
    if not isinstance(text, str) or not _UUID.match(text):
        raise SignerRequestError(f"a seed UUID must be a lower-case UUID like 3f2b...-..., got {text!r}")
    return text


def legacy_private_key(seed_uuid: str, salt: str) -> bytes:
    """The 32-byte Ed25519 private-key seed of ``seed_uuid``: Argon2id(UUID, salt; t=4, m=2^17 KiB, p=1)."""
    if len(salt) < MIN_SALT_LENGTH:
        raise SignerConfigError(f"the legacy salt must be at least {MIN_SALT_LENGTH} characters")
    return hash_secret_raw(
        check_uuid(seed_uuid).encode(),
        salt.encode(),
        time_cost=LEGACY_TIME_COST,
        memory_cost=LEGACY_MEMORY_KIB,
        parallelism=LEGACY_PARALLELISM,
        hash_len=32,
        type=Type.ID,
    )


def new_salt() -> str:
    """A fresh random salt of 43 URL-safe characters (256 bits)."""
    return secrets.token_urlsafe(32)


def seal_salt(path: Path, salt: str, password: str, kdf: crypto.KdfParams) -> None:
    """Write ``salt`` encrypted under ``password`` to ``path`` (atomic, mode 0600); never overwrites."""
    if len(salt) < MIN_SALT_LENGTH:
        raise SignerConfigError(f"the legacy salt must be at least {MIN_SALT_LENGTH} characters")
    if path.exists():
        raise SignerConfigError(f"{path} already exists; refusing to overwrite the legacy salt")
    kdf_salt = crypto.new_salt()
    key = crypto.derive_key(password, kdf_salt, kdf)
    nonce = crypto.new_nonce()
    doc = {
        "format": "tanglehub-legacy-salt",
        "opslimit": kdf.opslimit,
        "memlimit": kdf.memlimit,
        "salt": base64.b64encode(kdf_salt).decode(),
        "nonce": base64.b64encode(nonce).decode(),
        "keyCheck": base64.b64encode(crypto.key_check(key)).decode(),
        "ciphertext": base64.b64encode(crypto.encrypt(key, nonce, salt.encode(), _AAD)).decode(),
    }
    atomic_write(path, json.dumps(doc, sort_keys=True).encode())


def open_salt(path: Path, password: str) -> str:
    """Read the salt back; :class:`~tanglehub.vault.WrongPasswordError` for a wrong password."""
    try:
        doc = json.loads(read_private(path))
        kdf = crypto.KdfParams(int(doc["opslimit"]), int(doc["memlimit"]))
        key = crypto.derive_key(password, base64.b64decode(doc["salt"]), kdf)
        crypto.verify_key_check(key, base64.b64decode(doc["keyCheck"]))
        plain = crypto.decrypt(key, base64.b64decode(doc["nonce"]), base64.b64decode(doc["ciphertext"]), _AAD)
    except (ValueError, KeyError, TypeError) as exc:
        raise VaultCorruptedError(f"the legacy salt file {path} is damaged") from exc
    if plain is None:
        raise VaultCorruptedError(f"the legacy salt file {path} is damaged")
    return plain.decode()


class LegacyKeys:
    """Keys by seed UUID (the salt held in memory while the signer runs)."""

    def __init__(self, salt: str) -> None:
        if len(salt) < MIN_SALT_LENGTH:
            raise SignerConfigError(f"the legacy salt must be at least {MIN_SALT_LENGTH} characters")
        self._salt = salt

    def __repr__(self) -> str:
        return "<LegacyKeys (salt hidden)>"

    async def address_hash(self, seed_uuid: str) -> bytes:
        """The Ed25519 address hash of ``seed_uuid``'s key (one Argon2id run, in a worker thread)."""

        def work() -> bytes:
            return ed25519_address_hash(ed25519.public_key(legacy_private_key(seed_uuid, self._salt)))

        return await asyncio.to_thread(work)

    async def sign(self, message: bytes, seed_uuid: str) -> tuple[bytes, bytes]:
        """(public key, signature) of ``message`` with ``seed_uuid``'s key."""

        def work() -> tuple[bytes, bytes]:
            private = legacy_private_key(seed_uuid, self._salt)
            return ed25519.public_key(private), ed25519.sign(private, message)

        return await asyncio.to_thread(work)
