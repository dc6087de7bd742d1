"""The node package's public surface: a sorted, complete ``__all__``."""

from __future__ import annotations

import importlib

import tanglehub.node as node

MODULES = ["client", "cursor", "errors", "models", "pool", "query"]


def test_all_is_sorted_and_importable() -> None:
    assert node.__all__ == sorted(node.__all__)
    for name in node.__all__:
        assert getattr(node, name) is not None


def test_public_names_of_the_main_modules_are_re_exported() -> None:
    for module_name in MODULES:
        module = importlib.import_module(f"tanglehub.node.{module_name}")
        public = {n for n in module.__all__ if not n.isupper()}
        assert public <= set(node.__all__), (module_name, public - set(node.__all__))
