"""Fixtures for the vault tests: cheap Argon2id parameters and a fixed, well-known mnemonic."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tanglehub.vault import KdfParams, VaultStore

MNEMONIC = (
    "giant dynamic museum toddler six deny defense ostrich bomb access mercy blood explain muscle shoot "
    "shallow glad autumn author calm heavy hawk abuse rally"
)
PASSWORD = "correct horse battery staple"


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "wallet.vault"


@pytest.fixture
def make_store(vault_path: Path) -> Callable[..., VaultStore]:
    def factory(**kwargs: object) -> VaultStore:
        kwargs.setdefault("kdf", KdfParams.MINIMUM)
        return VaultStore(kwargs.pop("path", vault_path), **kwargs)  # type: ignore[arg-type]

    return factory


@pytest.fixture
def filled_store(make_store: Callable[..., VaultStore]) -> VaultStore:
    store = make_store()
    store.create(PASSWORD)
    store.store_mnemonic(MNEMONIC)
    return store
