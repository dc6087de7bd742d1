"""Layering (DESIGN.md): imports only point up the layer picture. Checked by parsing every module under
src/tanglehub with ``ast`` (imports under ``if TYPE_CHECKING`` and inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "tanglehub"

FORBIDDEN: dict[str, frozenset[str]] = {
    "protocol": frozenset({"node", "devnet", "vault", "wallet", "hub", "cli"}),
    "node": frozenset({"wallet", "hub", "cli"}),
    "devnet": frozenset({"wallet", "hub", "cli"}),
    "vault": frozenset({"wallet", "hub", "cli"}),
    "wallet": frozenset({"hub", "cli", "devnet"}),
    "hub": frozenset({"cli", "devnet"}),
    "signer": frozenset({"wallet", "hub", "cli", "devnet"}),
}
"""Layer -> tanglehub layers it must never import."""
KEYS_MAY_IMPORT = frozenset({"keys", "errors"})
"""keys imports nothing from tanglehub but itself and the root errors module."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of the tanglehub modules ``path`` imports."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "tanglehub" or name.startswith("tanglehub.")}


def _layer(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


FILES = sorted(SRC.rglob("*.py"))


def _violations() -> list[str]:
    problems: list[str] = []
    for path in FILES:
        own = _layer(_module_name(path))
        for name in sorted(_imports(path)):
            target = _layer(name)
            keys_breach = own == "keys" and bool(target) and target not in KEYS_MAY_IMPORT
            if keys_breach or target in FORBIDDEN.get(own, frozenset()):
                problems.append(f"{path.relative_to(SRC)} imports {name}")
    return problems


def test_the_scan_sees_the_layers_and_their_imports() -> None:
    layers = {_layer(_module_name(p)) for p in FILES}
    assert {"keys", "protocol"} <= layers
    assert "tanglehub.keys.bech32" in _imports(SRC / "protocol" / "address.py")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from tanglehub.wallet import Wallet\n", {"tanglehub.wallet", "tanglehub.wallet.Wallet"}),
        ("import tanglehub.hub.app as app\n", {"tanglehub.hub.app"}),
        ("from ..node import client\n", {"tanglehub.node", "tanglehub.node.client"}),
        ("from . import codec\n", {"tanglehub.protocol", "tanglehub.protocol.codec"}),
        ("import json\nfrom typing import Any\n", set()),
    ],
)
def test_import_parsing(tmp_path: Path, source: str, expected: set[str], monkeypatch: pytest.MonkeyPatch) -> None:
    fake_src = tmp_path / "src" / "tanglehub"
    (fake_src / "protocol").mkdir(parents=True)
    module = fake_src / "protocol" / "probe.py"
    module.write_text(source, encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.SRC", fake_src)
    assert _imports(module) == expected


def test_a_planted_upward_import_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_src = tmp_path / "src" / "tanglehub"
    planted = {
        "protocol/bad.py": "from tanglehub.wallet import Wallet\n",
        "keys/bad.py": "from tanglehub.protocol import ids\n",
        "wallet/ok.py": "from tanglehub.node import client\nfrom tanglehub.errors import WalletError\n",
        "keys/ok.py": "from tanglehub.errors import KeysError\nfrom tanglehub.keys import bech32\n",
    }
    for relative, source in planted.items():
        (fake_src / relative).parent.mkdir(parents=True, exist_ok=True)
        (fake_src / relative).write_text(source, encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.SRC", fake_src)
    monkeypatch.setattr(f"{__name__}.FILES", sorted(fake_src.rglob("*.py")))
    assert _violations() == [
        "keys/bad.py imports tanglehub.protocol",
        "keys/bad.py imports tanglehub.protocol.ids",
        "protocol/bad.py imports tanglehub.wallet",
        "protocol/bad.py imports tanglehub.wallet.Wallet",
    ]


def test_imports_only_point_up_the_layers() -> None:
    assert _violations() == []
