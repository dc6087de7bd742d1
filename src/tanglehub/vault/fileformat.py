"""The vault file format, version 1.

A vault file is one UTF-8 JSON object::

    {
      "format": "tanglehub-vault",
      "version": 1,
      "header": {
        "kdf": {"algorithm": "argon2id13", "opslimit": 3, "memlimit": 268435456, "salt": "<base64, 16 B>"},
        "cipher": {"algorithm": "xchacha20poly1305-ietf", "nonce": "<base64, 24 B>"},
        "keyCheck": "<base64, 16 B>",
        "hasMnemonic": true
      },
      "ciphertext": "<base64>",
      "checksum": "0x<BLAKE2b-256 of associated data || ciphertext>"
    }

* The **associated data** is the canonical JSON (sorted keys, no spaces, ASCII) of ``{"format", "version",
  "header"}``; the AEAD tag therefore covers every header field.
* ``checksum`` is an unkeyed integrity check that catches accidental damage (disk, copy, editor) before any
  key is derived, so a damaged file reports :class:`VaultCorruptedError` rather than "wrong password".
* ``keyCheck`` (see :mod:`tanglehub.vault.crypto`) separates a wrong password from a damaged ciphertext.
* The **plaintext** is canonical JSON ``{"mnemonic": "<normalized BIP39 words>" | null}``. The vault keeps the
  mnemonic, not the BIP39 seed: the seed is a one-way hash of the mnemonic, so only the mnemonic can be written
  down again or restored in another BIP39 wallet (including the official SDK) on another machine.
* Readers refuse any other ``format`` or ``version``; a future format bumps ``version``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from tanglehub.vault.crypto import NONCE_BYTES, SALT_BYTES, KdfParams
from tanglehub.vault.errors import (
    InvalidKdfParametersError,
    UnsupportedVaultVersionError,
    VaultCorruptedError,
)

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "VaultFile",
    "VaultHeader",
    "decode_plaintext",
    "encode_plaintext",
    "parse_vault_file",
]

FORMAT_NAME = "tanglehub-vault"
FORMAT_VERSION = 1
_KDF_NAME = "argon2id13"
_CIPHER_NAME = "xchacha20poly1305-ietf"
_KEY_CHECK_BYTES = 16


def _canonical(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: object, what: str, length: int | None = None) -> bytes:
    if not isinstance(value, str):
        raise VaultCorruptedError(f"vault file field {what} is missing or not base64 text")
    try:
        data = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise VaultCorruptedError(f"vault file field {what} is not valid base64") from exc
    if length is not None and len(data) != length:
        raise VaultCorruptedError(f"vault file field {what} must be {length} bytes, found {len(data)}")
    return data


def _obj(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise VaultCorruptedError(f"vault file field {what} is missing or not an object")
    return value


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise VaultCorruptedError(f"vault file field {what} is missing or not an integer")
    return value


@dataclass(frozen=True, slots=True)
class VaultHeader:
    """The plaintext, authenticated part of a vault file (no secrets)."""

    kdf: KdfParams
    salt: bytes
    nonce: bytes
    key_check: bytes
    has_mnemonic: bool

    def to_json(self) -> dict[str, Any]:
        """Return the header in its file (JSON) shape."""
        return {
            "kdf": {
                "algorithm": _KDF_NAME,
                "opslimit": self.kdf.opslimit,
                "memlimit": self.kdf.memlimit,
                "salt": _b64(self.salt),
            },
            "cipher": {"algorithm": _CIPHER_NAME, "nonce": _b64(self.nonce)},
            "keyCheck": _b64(self.key_check),
            "hasMnemonic": self.has_mnemonic,
        }

    @classmethod
    def from_json(cls, data: object) -> VaultHeader:
        """Parse a header object, raising :class:`VaultCorruptedError` on any shape problem."""
        header = _obj(data, "header")
        kdf = _obj(header.get("kdf"), "header.kdf")
        cipher = _obj(header.get("cipher"), "header.cipher")
        if kdf.get("algorithm") != _KDF_NAME:
            raise VaultCorruptedError(f"vault file uses an unknown key derivation, expected {_KDF_NAME}")
        if cipher.get("algorithm") != _CIPHER_NAME:
            raise VaultCorruptedError(f"vault file uses an unknown cipher, expected {_CIPHER_NAME}")
        has_mnemonic = header.get("hasMnemonic")
        if not isinstance(has_mnemonic, bool):
            raise VaultCorruptedError("vault file field header.hasMnemonic is missing or not a boolean")
        try:
            params = KdfParams(_int(kdf.get("opslimit"), "opslimit"), _int(kdf.get("memlimit"), "memlimit"))
        except InvalidKdfParametersError as exc:
            raise VaultCorruptedError(f"vault file has unusable key derivation parameters: {exc}") from exc
        return cls(
            kdf=params,
            salt=_unb64(kdf.get("salt"), "header.kdf.salt", SALT_BYTES),
            nonce=_unb64(cipher.get("nonce"), "header.cipher.nonce", NONCE_BYTES),
            key_check=_unb64(header.get("keyCheck"), "header.keyCheck", _KEY_CHECK_BYTES),
            has_mnemonic=has_mnemonic,
        )


def _aad(header: VaultHeader) -> bytes:
    return _canonical({"format": FORMAT_NAME, "version": FORMAT_VERSION, "header": header.to_json()})


def _checksum(aad: bytes, ciphertext: bytes) -> bytes:
    return hashlib.blake2b(aad + ciphertext, digest_size=32).digest()


@dataclass(frozen=True, slots=True)
class VaultFile:
    """A whole vault file: header plus ciphertext (both safe to store anywhere)."""

    header: VaultHeader
    ciphertext: bytes

    @property
    def aad(self) -> bytes:
        """The associated data the ciphertext is bound to."""
        return _aad(self.header)

    def to_bytes(self) -> bytes:
        """Serialize to the on-disk JSON form."""
        aad = self.aad
        doc = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "header": self.header.to_json(),
            "ciphertext": _b64(self.ciphertext),
            "checksum": "0x" + _checksum(aad, self.ciphertext).hex(),
        }
        return json.dumps(doc, indent=2, sort_keys=True).encode("ascii") + b"\n"

    def __repr__(self) -> str:
        return f"VaultFile(has_mnemonic={self.header.has_mnemonic}, ciphertext=<{len(self.ciphertext)} bytes>)"


def parse_vault_file(raw: bytes) -> VaultFile:
    """Parse and integrity-check vault file bytes (no password needed)."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise VaultCorruptedError("vault file is not valid JSON; it is damaged or not a vault file") from exc
    doc = _obj(doc, "(top level)")
    if doc.get("format") != FORMAT_NAME:
        raise VaultCorruptedError(f"file is not a tanglehub vault (format must be {FORMAT_NAME!r})")
    version = doc.get("version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise UnsupportedVaultVersionError(
            f"vault file format version {version!r} is not supported; this tanglehub reads version "
            f"{FORMAT_VERSION}"
        )
    header = VaultHeader.from_json(doc.get("header"))
    ciphertext = _unb64(doc.get("ciphertext"), "ciphertext")
    checksum = doc.get("checksum")
    if not isinstance(checksum, str) or not checksum.startswith("0x"):
        raise VaultCorruptedError("vault file field checksum is missing or not 0x-prefixed hex")
    try:
        expected = bytes.fromhex(checksum[2:])
    except ValueError as exc:
        raise VaultCorruptedError("vault file field checksum is not valid hex") from exc
    if not hmac.compare_digest(expected, _checksum(_aad(header), ciphertext)):
        raise VaultCorruptedError("vault file checksum does not match: the file is damaged or was modified")
    return VaultFile(header=header, ciphertext=ciphertext)


def encode_plaintext(mnemonic: str | None) -> bytes:
    """Serialize the secret part (the mnemonic or nothing yet)."""
    return _canonical({"mnemonic": mnemonic})


def decode_plaintext(data: bytes) -> str | None:
    """Parse the decrypted secret part; damage raises :class:`VaultCorruptedError` without echoing it."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise VaultCorruptedError("vault contents do not parse after decryption") from None
    if not isinstance(doc, dict) or "mnemonic" not in doc:
        raise VaultCorruptedError("vault contents lack the mnemonic field")
    mnemonic = doc["mnemonic"]
    if mnemonic is not None and not isinstance(mnemonic, str):
        raise VaultCorruptedError("vault contents hold a mnemonic that is not text")
    return mnemonic
