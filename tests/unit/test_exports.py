"""Public surface: every package's ``__all__`` is sorted, has no duplicates, and every name in it resolves.

Covers every package (a directory with ``__init__.py``) of the keys, protocol, node, vault, devnet, wallet and
hub layers, subpackages included."""

from __future__ import annotations

import importlib
import pkgutil
from importlib.util import find_spec
from types import ModuleType

import pytest

LAYERS = ("keys", "protocol", "node", "vault", "devnet", "wallet", "hub")


def _packages() -> list[str]:
    names: list[str] = []
    for layer in LAYERS:
        name = f"tanglehub.{layer}"
        if find_spec(name) is None:
            continue
        names.append(name)
        package = importlib.import_module(name)
        names += [info.name for info in pkgutil.walk_packages(package.__path__, name + ".") if info.ispkg]
    return names


PACKAGES = _packages()


def _public(module: ModuleType) -> list[str]:
    exported = getattr(module, "__all__", None)
    assert isinstance(exported, list | tuple), f"{module.__name__} has no __all__"
    return list(exported)


def test_every_layer_is_covered() -> None:
    """A layer that went missing would otherwise just drop out of the parametrized checks below."""
    assert {f"tanglehub.{layer}" for layer in LAYERS} | {"tanglehub.protocol.output"} <= set(PACKAGES)


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_without_duplicates(name: str) -> None:
    exported = _public(importlib.import_module(name))
    assert len(set(exported)) == len(exported), sorted({n for n in exported if exported.count(n) > 1})
    assert exported == sorted(exported)


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_resolves(name: str) -> None:
    module = importlib.import_module(name)
    missing = [n for n in _public(module) if not hasattr(module, n)]
    assert missing == []
