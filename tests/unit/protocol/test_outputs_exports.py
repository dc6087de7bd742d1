"""The public surface of the protocol package and the output modules: sorted, complete ``__all__``."""

from __future__ import annotations

import importlib

import pytest

MODULES = [
    "tanglehub.protocol",
    "tanglehub.protocol.address",
    "tanglehub.protocol.ids",
    "tanglehub.protocol.native_token",
    "tanglehub.protocol.output",
    "tanglehub.protocol.output.unlock_conditions",
    "tanglehub.protocol.output.features",
    "tanglehub.protocol.params",
    "tanglehub.protocol.rent",
    "tanglehub.protocol.token_scheme",
    "tanglehub.protocol.validation_errors",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_resolvable(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    for attr in module.__all__:
        assert getattr(module, attr) is not None, attr


def test_contract_names_are_reachable_from_the_package() -> None:
    protocol = importlib.import_module("tanglehub.protocol")
    for attr in ("BasicOutput", "TransactionPayload", "Block", "verify_transaction", "storage_deposit", "DEVNET"):
        assert attr in protocol.__all__
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = protocol.Nope
