"""The devnet's genesis: the faucet mnemonic, the faucet and coordinator keys, and the genesis output.

The whole token supply starts on one Basic output owned by the faucet address (coin type 4219, account 0,
address 0 of the faucet mnemonic), booked at milestone index 0 with the all-zero output id and the all-zero
genesis block id. The coordinator key that signs milestones is derived from the same mnemonic at account
``2**31 - 1`` (never used by a wallet). With a data folder the mnemonic is generated once and kept in
``faucet-mnemonic.txt`` (mode 0600); in-memory devnets generate a fresh one unless one is given.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from tanglehub.devnet.errors import DevnetConfigError, DevnetStoreError
from tanglehub.errors import KeysError
from tanglehub.keys.bip39 import generate_mnemonic, mnemonic_to_seed, validate_mnemonic
from tanglehub.keys.ed25519 import public_key
from tanglehub.keys.slip10 import HARDENED, SHIMMER_COIN_TYPE, Bip44, derive_path
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput

__all__ = ["GENESIS_OUTPUT_ID", "MNEMONIC_FILE", "DevnetKeys", "genesis_output", "load_or_create_mnemonic"]

MNEMONIC_FILE = "faucet-mnemonic.txt"
GENESIS_OUTPUT_ID = bytes(34)
_COORDINATOR_ACCOUNT = HARDENED - 1


@dataclass(frozen=True, slots=True)
class DevnetKeys:
    """The faucet and coordinator key pairs of one devnet (private keys never printed)."""

    faucet_private: bytes = field(repr=False)
    faucet_public: bytes
    coordinator_private: bytes = field(repr=False)
    coordinator_public: bytes

    @classmethod
    def from_mnemonic(cls, mnemonic: str) -> DevnetKeys:
        """Derive both key pairs from the faucet mnemonic."""
        try:
            seed = mnemonic_to_seed(mnemonic)
        except KeysError as exc:
            raise DevnetConfigError(f"the faucet mnemonic is not valid: {exc}") from exc
        faucet = derive_path(seed, Bip44(SHIMMER_COIN_TYPE, 0, 0, 0).path).private_key
        coordinator = derive_path(seed, Bip44(SHIMMER_COIN_TYPE, _COORDINATOR_ACCOUNT, 0, 0).path).private_key
        return cls(faucet, public_key(faucet), coordinator, public_key(coordinator))

    @property
    def faucet_address(self) -> Ed25519Address:
        """The address that holds the genesis supply."""
        return Ed25519Address.from_public_key(self.faucet_public)


def load_or_create_mnemonic(data_dir: Path | None, given: str | None) -> tuple[str, bool]:
    """The faucet mnemonic and whether it was newly generated.

    A given mnemonic wins (and is stored when the folder has none yet); otherwise the stored one is read, or a
    new one generated (and stored when there is a data folder).
    """
    path = None if data_dir is None else data_dir / MNEMONIC_FILE
    stored: str | None = None
    if path is not None and path.exists():
        try:
            stored = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise DevnetStoreError(f"cannot read {path}: {exc}") from exc
    if given is not None:
        try:
            mnemonic = validate_mnemonic(given)
        except KeysError as exc:
            raise DevnetConfigError(f"the faucet mnemonic is not valid: {exc}") from exc
        if stored is not None and validate_mnemonic(stored) != mnemonic:
            raise DevnetConfigError(
                f"the data folder was created with another faucet mnemonic ({path}); use that one or a new folder"
            )
        created = False
    elif stored is not None:
        try:
            mnemonic = validate_mnemonic(stored)
        except KeysError as exc:
            raise DevnetStoreError(f"{path} does not hold a valid mnemonic: {exc}") from exc
        return mnemonic, False
    else:
        mnemonic = generate_mnemonic(24)
        created = True
    if path is not None and stored is None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(mnemonic + "\n")
        except OSError as exc:
            raise DevnetStoreError(f"cannot write {path}: {exc}") from exc
    return mnemonic, created


def genesis_output(address: Ed25519Address, token_supply: int) -> BasicOutput:
    """The single genesis output: the whole supply on ``address``."""
    return BasicOutput(amount=token_supply, unlock_conditions=(AddressUnlockCondition(address),))
