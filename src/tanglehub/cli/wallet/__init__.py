"""``tanglehub wallet``: the exchange guide's everyday steps without writing Python.

=====================================  ==============================================================
command                                what it does
=====================================  ==============================================================
``create [--import]``                  new wallet; the new mnemonic is shown once (or read from stdin)
``account create ALIAS`` / ``list``    accounts (aliases unique ignoring case and accents, not all digits)
``address new`` / ``list``             an account's addresses (``--count``, ``--internal``)
``sync [--mode indexer|ledger]``       bring outputs up to date (progress bar on a terminal)
``balance [--json]``                   balances as a table, or JSON for machines
``send ADDRESS AMOUNT``                a withdrawal, followed to confirmation
``claim`` / ``consolidate``            claim conditional outputs / merge small outputs
``wait [TX_ID...]``                    follow signed transactions (default: all pending) to the end
``recover``                            gap scan of an imported mnemonic's used accounts and addresses
``rebuild``                            recreate a missing or damaged state database from the vault
``events [--follow]``                  the durable event log under a consumer name
``backup FILE`` / ``restore FILE``     one encrypted backup file
``change-password``                    re-encrypt the vault
=====================================  ==============================================================

Every command takes ``--wallet-dir`` (``TANGLEHUB_WALLET_DIR``) and ``--node`` (``TANGLEHUB_NODE_URL``).
Passwords come from ``TANGLEHUB_WALLET_PASSWORD`` (and ``TANGLEHUB_WALLET_NEW_PASSWORD``,
``TANGLEHUB_BACKUP_PASSWORD``) or a prompt, never from the command line. Errors are one ``error:`` line on
stderr with exit code 2; ``send``, ``claim``, ``consolidate`` and ``wait`` add exit code 3 (a transaction was
signed but not seen confirmed: do not send again) and 4 (a transaction ended conflicting: it paid nothing),
see :mod:`tanglehub.cli.wallet.sending`.
"""

from __future__ import annotations

import typer

from tanglehub.cli.wallet.accounts import account_app, address_app
from tanglehub.cli.wallet.common import PASSWORD_ENV
from tanglehub.cli.wallet.events import events
from tanglehub.cli.wallet.funds import balance, claim, consolidate, send, sync
from tanglehub.cli.wallet.recovery import rebuild, recover
from tanglehub.cli.wallet.sending import wait
from tanglehub.cli.wallet.setup import backup, change_password, create, restore

__all__ = ["PASSWORD_ENV", "app"]

app = typer.Typer(
    name="wallet",
    help="Wallet commands: accounts, addresses, sync, balance, send, events, backup (passwords never in argv).",
    no_args_is_help=True,
)
app.command("create")(create)
app.add_typer(account_app, name="account")
app.add_typer(address_app, name="address")
app.command("sync")(sync)
app.command("balance")(balance)
app.command("send")(send)
app.command("claim")(claim)
app.command("consolidate")(consolidate)
app.command("wait")(wait)
app.command("recover")(recover)
app.command("rebuild")(rebuild)
app.command("events")(events)
app.command("backup")(backup)
app.command("restore")(restore)
app.command("change-password")(change_password)
