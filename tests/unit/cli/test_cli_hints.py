"""Review 1 #13 (and #7): every suggestion in a library error message that only works in Python
(``overwrite=True``, ``Wallet.rebuild(...)``, ``pass coin_type``) reads as a ``tanglehub wallet`` command or
flag on the command line. The library's source is scanned for such suggestions, so a new one fails here until
:mod:`tanglehub.cli.wallet.hints` rewrites it."""

from __future__ import annotations

import ast
from pathlib import Path

from tanglehub.cli.wallet.hints import PYTHON_HINTS, cli_message
from tanglehub.wallet import AmountBelowStorageDepositError

SRC = Path(__file__).resolve().parents[3] / "src" / "tanglehub"
LIBRARY = ("wallet", "vault", "keys")


def _docstrings(tree: ast.AST) -> set[int]:
    """Bare string statements: docstrings of modules, classes, functions and attributes."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant | ast.JoinedStr)
    }


def _logged(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id in ("log", "logger", "logging"):
                found.update(id(n) for arg in node.args for n in ast.walk(arg))
    return found


def _message_texts() -> list[str]:
    texts: list[str] = []
    for layer in LIBRARY:
        for path in sorted((SRC / layer).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip = _docstrings(tree) | _logged(tree)
            parts = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
            for node in ast.walk(tree):
                if id(node) in skip or id(node) in parts:
                    continue
                if isinstance(node, ast.JoinedStr):
                    text = "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    text = node.value
                else:
                    continue
                if PYTHON_HINTS.search(text):
                    texts.append(text)
    return texts


def test_the_scan_finds_the_library_python_hints() -> None:
    texts = " ".join(_message_texts())
    for known in ("overwrite=True", "Wallet.rebuild(", "allow_micro_amount=True", "pass coin_type"):
        assert known in texts


def test_every_python_hint_in_a_library_message_becomes_a_cli_hint() -> None:
    left = [cli_message(text) for text in _message_texts() if PYTHON_HINTS.search(cli_message(text))]
    assert left == []


def test_the_micro_amount_hint_names_the_cli_flag() -> None:
    message = cli_message(str(AmountBelowStorageDepositError(5, 42_600)))
    assert "(--allow-micro)" in message
    assert "allow_micro_amount" not in message
