"""Library error messages in command-line terms: the wallet library's errors suggest Python calls
(``pass overwrite=True``, ``Wallet.rebuild(path, password=..., ...)``, ``allow_micro_amount=True``), which a user
of ``tanglehub wallet`` cannot type. :func:`cli_message` rewrites each such suggestion into the command or flag
that does the same thing here, so every hint works as written.

:data:`PYTHON_HINTS` matches every Python-call suggestion the library's messages contain (a unit test scans the
library's source for ``name=True``, ``name=...`` and ``Wallet.<method>`` in messages and checks each is
rewritten); :data:`REWRITES` are the replacements, in order.
"""

from __future__ import annotations

import re

__all__ = ["PYTHON_HINTS", "REWRITES", "cli_message"]

REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"pass overwrite=True"), "pass --overwrite"),
    (re.compile(r"\(allow_micro_amount=True\)"), "(--allow-micro)"),
    (re.compile(r"\s*\(or open it with fix_permissions=True\)"), ""),
    (
        re.compile(r"with Wallet\.rebuild\([^)]*\)"),
        "with `tanglehub wallet rebuild` (same --wallet-dir, a node of the wallet's network in --node; add "
        "--coin-type 4218 for an IOTA wallet if it asks)",
    ),
    (re.compile(r"Wallet\.rebuild\([^)]*\)"), "`tanglehub wallet rebuild`"),
    (re.compile(r"pass coin_type \("), "pass --coin-type ("),
    (re.compile(r"\(Wallet\.restore\)"), "(`tanglehub wallet restore BACKUP_FILE`)"),
    (
        re.compile(r"\(Wallet\.create with mnemonic=\.\.\., then recover_accounts\)"),
        "(`tanglehub wallet create --import` with the mnemonic on standard input, then "
        "`tanglehub wallet recover`)",
    ),
    (re.compile(r"with Wallet\.create\b"), "with `tanglehub wallet create`"),
    (re.compile(r"Wallet\.create\b"), "`tanglehub wallet create`"),
)
"""(pattern, replacement) pairs applied in order by :func:`cli_message`."""

PYTHON_HINTS = re.compile(r"\b[a-z_]+=(?:True|False|\.\.\.)|\bWallet\.[a-z_]+|\bpass [a-z]+_[a-z_]+\b")
"""What a Python-only suggestion looks like in a message (keyword arguments, ``Wallet.`` calls)."""


def cli_message(message: str) -> str:
    """``message`` with every Python-call suggestion rewritten as the ``tanglehub wallet`` command or flag."""
    for pattern, replacement in REWRITES:
        message = pattern.sub(replacement, message)
    return message
