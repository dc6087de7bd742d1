"""Review 1 findings at the real command line (``tanglehub`` child processes against a devnet child process
that issues milestones only when asked, so a test decides when a transaction confirms)."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.devnet_process import Devnet
from tests.integration.cli.test_wallet_cli import IMPORTED, Cli

from tanglehub.devnet.server import free_port

SEND = 1_000_000


@pytest.fixture(scope="module")
def manual_devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    net = Devnet(tmp_path_factory.mktemp("devnet"), milestone_interval=0)
    yield net
    net.stop()


def _total(cli: Cli, alias: str, *args: str) -> int:
    rows = cli.json("wallet", "balance", "-a", alias, *args)
    assert isinstance(rows, list)
    return int(rows[0]["baseCoin"]["total"])


def _fund(cli: Cli, alias: str) -> None:
    address = str(cli.json("wallet", "address", "list", "-a", alias)[0]["address"])  # type: ignore[index]
    cli.devnet.faucet(address)
    for _ in range(20):
        cli.devnet.milestone()
        cli("wallet", "sync")
        if _total(cli, alias) == cli.devnet.faucet_amount:
            return
    pytest.fail(f"{alias} was never funded")


def _words_in(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text)) & set(IMPORTED.split())


@pytest.mark.slow
def test_money_commands_exit_3_once_signed_and_recover_rebuild_claimable(
    manual_devnet: Devnet, tmp_path: Path
) -> None:
    cli = Cli(manual_devnet, tmp_path / "w")
    mnemonic = cli("wallet", "create", "--kdf", "minimum").stdout.strip()
    cli("wallet", "account", "create", "user-a")
    cli("wallet", "account", "create", "user-b")
    _fund(cli, "user-a")
    to_b = str(cli.json("wallet", "address", "list", "-a", "user-b")[0]["address"])  # type: ignore[index]

    # 1: posted, but no milestone confirms it within the wait: exit 3, "do not send again", the wait command
    sent = cli("wallet", "send", to_b, str(SEND), "-a", "user-a", "--wait-timeout", "1", expect=3)
    tx_id = re.search(r"^transaction (0x[0-9a-f]{64}) posted in block 0x[0-9a-f]{64}$", sent.stdout, re.M)
    assert tx_id, sent.stdout
    assert f"transaction {tx_id.group(1)} was signed and sent" in sent.stderr
    assert "do NOT send again" in sent.stderr
    assert f"`tanglehub wallet wait {tx_id.group(1)}`" in sent.stderr
    assert "nothing was signed" not in sent.stderr
    # an error before signing: exit 2, and it says nothing was signed
    broke = cli("wallet", "send", to_b, str(10 * manual_devnet.faucet_amount), "-a", "user-a", expect=2)
    assert "insufficient funds" in broke.stderr
    assert "nothing was signed" in broke.stderr
    manual_devnet.milestone()
    waited = cli("wallet", "wait", tx_id.group(1))
    assert re.search(rf"^transaction {tx_id.group(1)} confirmed at milestone \d+$", waited.stdout, re.M)
    assert "no pending transaction" in cli("wallet", "wait").stdout
    cli("wallet", "sync")
    assert _total(cli, "user-a") == manual_devnet.faucet_amount - SEND  # paid once
    assert _total(cli, "user-b") == SEND

    # 12: a micro amount (storage deposit return + expiration) is claimable by user-b: the table says so
    micro = cli("wallet", "send", to_b, "5", "-a", "user-a", "--allow-micro", "--no-wait")
    assert "posted in block" in micro.stdout
    manual_devnet.milestone()
    cli("wallet", "sync")
    table = cli("wallet", "balance", "-a", "user-b").stdout
    assert "claimable" in table
    row = next(line for line in table.splitlines() if "user-b" in line)
    assert [c.strip() for c in row.split("│") if c.strip()][-2:] == ["1", "0"], table  # claimable 1, locked 0
    a_total = _total(cli, "user-a")

    # 7: import the same mnemonic elsewhere: a gap scan is offered, `wallet recover` finds the change output
    other = Cli(manual_devnet, tmp_path / "imported")
    imported = other("wallet", "create", "--import", "--kdf", "minimum", stdin=mnemonic + "\n")
    assert "tanglehub wallet recover" in imported.stderr
    recovered = other("wallet", "recover", "--progress")
    assert re.search(r"^account 0 .*total (\d+)$", recovered.stdout, re.M), recovered.stdout
    assert _total(other, _alias_of(other, 0)) == a_total
    # ... and a missing state database: the error names the CLI command, which then works as written
    (tmp_path / "imported" / "wallet.db").unlink()
    missing = other("wallet", "balance", expect=2)
    assert "`tanglehub wallet rebuild`" in missing.stderr
    assert "Wallet." not in missing.stderr
    assert "=..." not in missing.stderr
    asks = other("wallet", "rebuild", expect=2)  # no old database to read the coin type from
    assert "pass --coin-type (4218 for IOTA, 4219 for Shimmer)" in asks.stderr
    rebuilt = other("wallet", "rebuild", "--coin-type", "4219", "--progress")
    assert "rebuilt the state database" in rebuilt.stderr
    assert "account recovery" in rebuilt.stderr
    assert _total(other, _alias_of(other, 0)) == a_total

    # 14: `events --follow` stopped by SIGTERM exits 0 and keeps the acknowledgements of what it printed
    follower = subprocess.Popen(
        [sys.executable, "-m", "tanglehub.cli.main", "wallet", "events", "--follow", "-c", "term"],
        env=cli.env | {"PYTHONUNBUFFERED": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert follower.stdout is not None
    first = follower.stdout.readline()
    follower.send_signal(signal.SIGTERM)
    rest, err = follower.communicate(timeout=60)
    assert follower.returncode == 0, err
    assert "Traceback" not in err
    printed = [line.split()[0] for line in [first, *rest.splitlines()] if line.strip()]
    again = [line.split()[0] for line in cli("wallet", "events", "-c", "term").stdout.splitlines()]
    assert printed
    assert not set(printed) & set(again)


def _alias_of(cli: Cli, index: int) -> str:
    accounts = cli.json("wallet", "account", "list")
    assert isinstance(accounts, list)
    return str(next(a["alias"] for a in accounts if a["index"] == index))


def test_wallet_cli_review1_small_findings(manual_devnet: Devnet, tmp_path: Path) -> None:
    cli = Cli(manual_devnet, tmp_path / "w")

    # 3: the new mnemonic cannot be written: the brand-new wallet is removed, and the error says why
    with open("/dev/full", "w") as full:
        res = subprocess.run(
            [sys.executable, "-m", "tanglehub.cli.main", "wallet", "create", "--kdf", "minimum"],
            env=cli.env, stdout=full, stderr=subprocess.PIPE, text=True, check=False, start_new_session=True,
        )  # fmt: skip
    assert res.returncode == 2, res.stderr
    assert "could not write the new mnemonic" in res.stderr
    assert "removed" in res.stderr
    assert not (tmp_path / "w").exists()
    read_end, write_end = os.pipe()
    os.close(read_end)  # `tanglehub wallet create | true`: nobody reads the mnemonic
    try:
        res = subprocess.run(
            [sys.executable, "-m", "tanglehub.cli.main", "wallet", "create", "--kdf", "minimum"],
            env=cli.env, stdout=write_end, stderr=subprocess.PIPE, text=True, check=False, start_new_session=True,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert res.returncode == 2, res.stderr
    assert [line for line in res.stderr.splitlines() if line.startswith("error: ")], res.stderr
    assert not (tmp_path / "w").exists()

    cli("wallet", "create", "--kdf", "minimum")
    cli("wallet", "account", "create", "alice")
    # 11: the read-only commands work while the node is down (they read the stored state only)
    down = f"http://127.0.0.1:{free_port()}"
    assert "alice" in cli("wallet", "balance", TANGLEHUB_NODE_URL=down).stdout
    assert "alice" in cli("wallet", "account", "list", TANGLEHUB_NODE_URL=down).stdout
    assert "tst1" in cli("wallet", "address", "list", "-a", "alice", TANGLEHUB_NODE_URL=down).stdout
    cli("wallet", "events", TANGLEHUB_NODE_URL=down)
    # 5: an alias that reads as an index is refused
    assert "must not be all digits" in cli("wallet", "account", "create", "1", expect=2).stderr
    # 16: aliases clash ignoring case and accents; -a with ledger mode is refused; the same password is refused
    assert "already exists" in cli("wallet", "account", "create", "ALİCE", expect=2).stderr
    assert "cannot be combined" in cli("wallet", "sync", "-a", "alice", "--mode", "ledger", expect=2).stderr
    same = cli("wallet", "change-password", expect=2, TANGLEHUB_WALLET_NEW_PASSWORD=cli.password)
    assert "is the current password" in same.stderr

    # 9: a mnemonic typed where an address, an alias or a file goes is never echoed
    for args in (
        ("wallet", "send", IMPORTED, "5", "-a", "alice"),
        ("wallet", "balance", "-a", IMPORTED),
        ("wallet", "address", "list", "-a", IMPORTED),
    ):
        res = cli(*args, expect=2)
        assert not _words_in(res.stderr + res.stdout), res.stderr
        assert "<hidden: 24 words" in res.stderr

    # 13: hints name CLI flags: --overwrite exists, --allow-micro, never Python arguments
    backup = tmp_path / "b.backup"
    cli("wallet", "backup", str(backup), "--kdf", "minimum", TANGLEHUB_BACKUP_PASSWORD="bpw")
    exists = cli("wallet", "backup", str(backup), "--kdf", "minimum", expect=2, TANGLEHUB_BACKUP_PASSWORD="bpw")
    assert "--overwrite" in exists.stderr
    assert "=True" not in exists.stderr
    cli("wallet", "backup", str(backup), "--kdf", "minimum", "--overwrite", TANGLEHUB_BACKUP_PASSWORD="bpw")
    # 2: not even --overwrite replaces the wallet's own vault
    vault = tmp_path / "w" / "wallet.vault"
    before = vault.read_bytes()
    own = cli("wallet", "backup", str(vault), "--overwrite", expect=2, TANGLEHUB_BACKUP_PASSWORD="bpw")
    assert "must never replace a wallet's vault" in own.stderr
    assert vault.read_bytes() == before
    bob = str(cli.json("wallet", "address", "list", "-a", "alice")[0]["address"])  # type: ignore[index]
    micro = cli("wallet", "send", bob, "5", "-a", "alice", expect=2).stderr
    assert "(--allow-micro)" in micro
    assert "allow_micro_amount" not in micro

    # 5: an all-digit alias made before they were refused: `-a 1` is ambiguous and refused, never a guess
    db = sqlite3.connect(tmp_path / "w" / "wallet.db")
    with db:
        db.execute("UPDATE accounts SET alias = '1' WHERE idx = 0")
    db.close()
    assert "is ambiguous" in cli("wallet", "balance", "-a", "1", expect=2).stderr


def test_help_fits_the_terminal_and_leaf_usage_has_no_command(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("TERMINAL_WIDTH", "COLUMNS")} | {"COLUMNS": "80"}
    for args in (("wallet", "send"), ("wallet", "create"), ("wallet", "events"), ("keys", "derive")):
        res = subprocess.run(
            [sys.executable, "-m", "tanglehub.cli.main", *args, "--help"],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert max(len(line) for line in res.stdout.splitlines()) <= 80, res.stdout
    devnet_help = subprocess.run(
        [sys.executable, "-m", "tanglehub.cli.main", "devnet", "--help"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "Usage: tanglehub devnet [OPTIONS]" in devnet_help
    assert "COMMAND" not in devnet_help
