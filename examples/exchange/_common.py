"""Settings and helpers shared by the exchange example scripts (read from environment variables).

=============================  ===================================================  ============================
variable                       meaning                                              default
=============================  ===================================================  ============================
``TANGLEHUB_NODE_URL``         the node (``tanglehub devnet``) to talk to           http://127.0.0.1:14265
``TANGLEHUB_WALLET_DIR``       the wallet directory (vault + state database)        ~/.tanglehub/exchange-wallet
``TANGLEHUB_WALLET_PASSWORD``  the vault password (required, never hard-coded)      (none)
``TANGLEHUB_ACCOUNT_ALIAS``    the account the scripts work on                      user-1
=============================  ===================================================  ============================

Each script documents its own extra variables at the top. The default wallet directory is outside the
source tree (under the home directory), so following the guide never leaves a vault inside a git checkout.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, NoReturn

from tanglehub.errors import TanglehubError
from tanglehub.wallet import Wallet

__all__ = [
    "ACCOUNT_ALIAS",
    "DEFAULT_WALLET_DIR",
    "NODE_URL",
    "WALLET_DIR",
    "env_float",
    "env_int",
    "fail",
    "faucet_url",
    "open_wallet",
    "password",
    "run",
]

NODE_URL = os.environ.get("TANGLEHUB_NODE_URL", "http://127.0.0.1:14265")
"""Base URL of the node."""
DEFAULT_WALLET_DIR = Path.home() / ".tanglehub" / "exchange-wallet"
"""Where the examples keep their wallet unless ``TANGLEHUB_WALLET_DIR`` says otherwise (outside the repo)."""
WALLET_DIR = Path(os.environ.get("TANGLEHUB_WALLET_DIR") or DEFAULT_WALLET_DIR).expanduser()
"""The wallet directory."""
ACCOUNT_ALIAS = os.environ.get("TANGLEHUB_ACCOUNT_ALIAS", "user-1")
"""The account (user) the scripts work on."""


def fail(message: str) -> NoReturn:
    """Print ``message`` on stderr and exit with status 2."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def password() -> str:
    """The vault password from ``TANGLEHUB_WALLET_PASSWORD`` (keep it in a secret store or an env file)."""
    value = os.environ.get("TANGLEHUB_WALLET_PASSWORD", "")
    if not value:
        fail("set TANGLEHUB_WALLET_PASSWORD to the wallet's password (it is never stored in these scripts)")
    return value


def env_int(name: str, default: int) -> int:
    """An integer environment variable."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        fail(f"{name} must be an integer, got {raw!r}")


def env_float(name: str, default: float) -> float:
    """A number environment variable."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        fail(f"{name} must be a number, got {raw!r}")


def faucet_url() -> str:
    """The devnet faucet's enqueue route on :data:`NODE_URL`."""
    return NODE_URL.rstrip("/") + "/api/plugins/faucet/v1/enqueue"


async def open_wallet() -> Wallet:
    """Open the wallet created by ``1-generate-mnemonic.py`` (checks the node's network)."""
    return await Wallet.open(WALLET_DIR, password=password(), node_urls=[NODE_URL])


def run(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run ``main``; a tanglehub error becomes one line on stderr and exit status 2."""
    try:
        asyncio.run(main())
    except TanglehubError as exc:
        fail(f"{exc} [{exc.code}]")
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
