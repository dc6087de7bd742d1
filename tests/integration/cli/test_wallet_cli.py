"""`tanglehub wallet`: the exchange guide's steps end to end at the real command line, against a devnet child
process, including wrong passwords and bad input (one ``error:`` line, exit 2, never a traceback)."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.devnet_process import Devnet

from tanglehub.keys.bech32 import ED25519, decode_address
from tanglehub.keys.bip39 import validate_mnemonic

SEND_AMOUNT = 1_000_000
FOLLOW = ("--kind", "NewOutput", "--sync-interval", "0.3", "--timeout", "120")
IMPORTED = (
    "giant dynamic museum toddler six deny defense ostrich bomb access mercy blood explain muscle shoot shallow "
    "glad autumn author calm heavy hawk abuse rally"
)


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    net = Devnet(tmp_path_factory.mktemp("devnet"), milestone_interval=0.2)
    yield net
    net.stop()


class Cli:
    """Runs ``tanglehub`` in a child process without a terminal (so nothing can prompt), with one wallet."""

    def __init__(self, devnet: Devnet, wallet_dir: Path) -> None:
        self.devnet = devnet
        self.password = "pw-" + secrets.token_urlsafe(12)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TANGLEHUB_")}
        self.env |= {
            "TANGLEHUB_NODE_URL": devnet.url,
            "TANGLEHUB_WALLET_DIR": str(wallet_dir),
            "TANGLEHUB_WALLET_PASSWORD": self.password,
            "COLUMNS": "200",
        }

    def __call__(
        self, *args: str, expect: int = 0, stdin: str = "", **env: str
    ) -> subprocess.CompletedProcess[str]:
        """Run ``tanglehub <args>``; check the exit status and that no traceback was printed."""
        result = subprocess.run(
            [sys.executable, "-m", "tanglehub.cli.main", *args],
            input=stdin,
            env=self.env | env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
            start_new_session=True,  # no controlling terminal: a missing password must fail, not prompt
        )
        assert result.returncode == expect, (
            f"tanglehub {' '.join(args)} exited {result.returncode}\nstdout:\n{result.stdout}\n"
            f"stderr:\n{result.stderr}\ndevnet log:\n{self.devnet.log_text()[-2000:]}"
        )
        assert "Traceback" not in result.stderr
        if expect == 2:
            errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
            assert len(errors) == 1, result.stderr
        return result

    def json(self, *args: str, **env: str) -> object:
        """Run a ``--json`` command and parse its standard output."""
        return json.loads(self(*args, "--json", **env).stdout)


def _is_address(text: str) -> bool:
    hrp, kind, body = decode_address(text, "tst")
    return hrp == "tst" and kind == ED25519 and len(body) == 32


def _balance(cli: Cli, alias: str) -> dict[str, object]:
    rows = cli.json("wallet", "balance", "--account", alias)
    assert isinstance(rows, list)
    return dict(rows[0])


def _sync_until_funded(cli: Cli, alias: str, amount: int, attempts: int = 40) -> None:
    """Sync until the account's total is ``amount`` (each round waits for the next devnet milestone)."""
    for _ in range(attempts):
        cli("wallet", "sync")
        if _balance(cli, alias)["baseCoin"] == {"total": str(amount), "available": str(amount)}:
            return
        cli.devnet.milestone()
    pytest.fail(f"{alias} never showed {amount}: {_balance(cli, alias)}")


@pytest.mark.slow
def test_exchange_guide_steps_through_the_wallet_command(devnet: Devnet, tmp_path: Path) -> None:
    wallet_dir = tmp_path / "exchange-wallet"
    cli = Cli(devnet, wallet_dir)

    # 1: a wallet with a new mnemonic, shown once on standard output (alone), the warning on stderr.
    created = cli("wallet", "create", "--kdf", "minimum")
    words = created.stdout.strip()
    assert len(words.split()) == 24
    assert validate_mnemonic(words) == words
    assert "ONCE" in created.stderr
    assert words not in created.stderr
    assert cli.password not in (wallet_dir / "wallet.vault").read_bytes().decode("latin-1")
    again = cli("wallet", "create", "--kdf", "minimum", expect=2)
    assert "already exists" in again.stderr
    assert again.stdout == ""

    # 2: an account per user (aliases unique ignoring case) and one shared account.
    user1 = cli("wallet", "account", "create", "user-1").stdout
    assert re.search(r"^account 0 'user-1': tst1\S+$", user1, re.M)
    cli("wallet", "account", "create", "user-2")
    assert "already exists" in cli("wallet", "account", "create", "User-2", expect=2).stderr
    accounts = cli.json("wallet", "account", "list")
    assert [(a["index"], a["alias"]) for a in accounts] == [(0, "user-1"), (1, "user-2")]  # type: ignore[index,union-attr]
    assert "user-2" in cli("wallet", "account", "list").stdout

    # 3: a deposit address for user-1 (key index 1), funded by the devnet faucet.
    deposit = cli("wallet", "address", "new", "--account", "user-1").stdout.strip()
    assert _is_address(deposit)
    listed = cli.json("wallet", "address", "list", "--account", "user-1", "--chain", "public")
    assert [(a["keyIndex"], a["address"]) for a in listed][-1] == (1, deposit)  # type: ignore[index,union-attr]
    devnet.faucet(deposit)

    # 4: sync and the balance, as a table and as JSON (amounts as decimal strings).
    _sync_until_funded(cli, "user-1", devnet.faucet_amount)
    table = cli("wallet", "balance").stdout
    assert re.search(rf"user-1 .*{devnet.faucet_amount:,}", table), table
    assert "available" in table

    # 5: the durable event log: the deposit, then nothing new for the same consumer.
    events = cli("wallet", "events", "--consumer", "deposits").stdout
    assert re.search(rf"NewOutput .*address={deposit} amount={devnet.faucet_amount}", events), events
    assert cli("wallet", "events", "--consumer", "deposits").stdout == ""
    lines = cli("wallet", "events", "--consumer", "machine", "--json", "--kind", "NewOutput").stdout.splitlines()
    assert [json.loads(line)["event"]["address"] for line in lines] == [deposit]

    # 6: a withdrawal to user-2, followed to its confirmation; user-2 sees it after a sync.
    user2_address = cli.json("wallet", "address", "list", "--account", "user-2")[0]["address"]  # type: ignore[index]
    sent = cli("wallet", "send", str(user2_address), str(SEND_AMOUNT), "--account", "user-1").stdout
    assert re.search(r"^transaction 0x[0-9a-f]{64} confirmed at milestone \d+$", sent, re.M), sent
    _sync_until_funded(cli, "user-2", SEND_AMOUNT)
    assert _balance(cli, "user-1")["baseCoin"] == {
        "total": str(devnet.faucet_amount - SEND_AMOUNT),
        "available": str(devnet.faucet_amount - SEND_AMOUNT),
    }
    assert "nothing to claim" in cli("wallet", "claim", "--account", "user-1").stdout
    consolidated = cli("wallet", "consolidate", "--account", "user-1", "--threshold", "5").stdout
    assert "nothing to consolidate" in consolidated

    # Backup, restore elsewhere (the backup's password opens it), change the password.
    backup = tmp_path / "wallet.backup"
    cli("wallet", "backup", str(backup), "--kdf", "minimum", TANGLEHUB_BACKUP_PASSWORD="backup-pw")
    wrong = cli(
        "wallet", "restore", str(backup), "-w", str(tmp_path / "r"), expect=2, TANGLEHUB_BACKUP_PASSWORD="x"
    )
    assert "wrong backup password" in wrong.stderr
    cli("wallet", "restore", str(backup), "-w", str(tmp_path / "r"), TANGLEHUB_BACKUP_PASSWORD="backup-pw")
    restored = cli.json(
        "wallet", "balance", "-w", str(tmp_path / "r"), "-a", "user-2", TANGLEHUB_WALLET_PASSWORD="backup-pw"
    )
    assert restored[0]["baseCoin"]["total"] == str(SEND_AMOUNT)  # type: ignore[index]
    assert cli("wallet", "balance", "-w", str(tmp_path / "r"), expect=2).stderr.startswith("error: wrong vault")

    cli("wallet", "change-password", TANGLEHUB_WALLET_NEW_PASSWORD="second-pw")
    assert "wrong vault password" in cli("wallet", "account", "list", expect=2).stderr
    assert "user-1" in cli("wallet", "account", "list", TANGLEHUB_WALLET_PASSWORD="second-pw").stdout


def test_bad_input_gives_one_error_line_and_exit_2(devnet: Devnet, tmp_path: Path) -> None:
    cli = Cli(devnet, tmp_path / "w")
    missing = cli("wallet", "balance", expect=2)
    assert "no wallet in" in missing.stderr
    cli("wallet", "create", "--kdf", "minimum")
    cli("wallet", "account", "create", "alice")
    cli("wallet", "account", "create", "bob")

    no_password = cli("wallet", "balance", expect=2, TANGLEHUB_WALLET_PASSWORD="")
    assert "TANGLEHUB_WALLET_PASSWORD" in no_password.stderr
    wrong = "wrong-" + secrets.token_hex(4)
    denied = cli("wallet", "balance", expect=2, TANGLEHUB_WALLET_PASSWORD=wrong)
    assert "wrong vault password" in denied.stderr
    assert wrong not in denied.stderr + denied.stdout

    assert "choose one with --account" in cli("wallet", "address", "new", expect=2).stderr
    assert "no account with alias 'carol'" in cli("wallet", "balance", "-a", "carol", expect=2).stderr
    bad_address = cli("wallet", "send", "tst1abc", "5", "-a", "alice", expect=2)
    assert "invalid recipient address" in bad_address.stderr
    bob = cli.json("wallet", "address", "list", "-a", "bob")[0]["address"]  # type: ignore[index]
    assert "insufficient funds" in cli("wallet", "send", str(bob), "5000000", "-a", "alice", expect=2).stderr
    micro = cli("wallet", "send", str(bob), "5", "-a", "alice", expect=2).stderr
    assert "below the minimum storage deposit" in micro
    assert "--allow-micro" in micro
    assert "positive" in cli("wallet", "send", "-a", "alice", str(bob), "--", "-5", expect=2).stderr
    not_a_number = cli("wallet", "send", str(bob), "lots", "-a", "alice", expect=2)
    assert "Invalid value for 'amount'" in not_a_number.stderr
    assert "--mode must be indexer or ledger" in cli("wallet", "sync", "--mode", "fast", expect=2).stderr
    assert "--kdf must be one of" in cli("wallet", "backup", str(tmp_path / "b"), "--kdf", "x", expect=2).stderr
    assert "--output-id must be" in cli("wallet", "claim", "-a", "alice", "--output-id", "0x12", expect=2).stderr
    assert "count" in cli("wallet", "address", "new", "-a", "alice", "--count", "0", expect=2).stderr


def test_a_mnemonic_never_shows_up_in_errors_and_import_reads_standard_input(
    devnet: Devnet, tmp_path: Path
) -> None:
    cli = Cli(devnet, tmp_path / "w")
    words = IMPORTED.split()
    typed = cli("wallet", "create", "--import", *words, expect=2)  # the words typed as arguments by mistake
    assert "24 unexpected extra arguments" in typed.stderr
    assert not set(re.findall(r"[a-z]+", typed.stderr)) & set(words)
    assert not (tmp_path / "w").exists()

    short = cli("wallet", "create", "--import", "--kdf", "minimum", expect=2, stdin=" ".join(words[:11]))
    assert "12, 15, 18, 21 or 24 words" in short.stderr
    assert not set(re.findall(r"[a-z]+", short.stderr)) & set(words)
    assert not (tmp_path / "w").exists()

    imported = cli("wallet", "create", "--import", "--kdf", "minimum", stdin=IMPORTED + "\n")
    assert imported.stdout == ""  # an imported mnemonic is never printed back
    assert "imported" in imported.stderr
    recovered = cli("wallet", "account", "recover", "--account-gap", "1", "--address-gap", "5", "--progress")
    assert recovered.stdout == ""  # nothing used yet: no account to recover
    assert "account recovery: account 0, internal addresses" in recovered.stderr
    assert "10/?" in recovered.stderr  # five public and five internal addresses checked
    cli("wallet", "account", "create", "main")
    ours = cli("wallet", "address", "new", "-a", "main", "--count", "300", "--progress")
    assert "address generation: main (public)" in ours.stderr
    assert "300/300" in ours.stderr
    expected = cli(
        "keys", "derive", "--coin-type", "4219", "--hrp", "tst", "--count", "301", "--workers", "1", stdin=IMPORTED
    ).stdout.split()
    assert ours.stdout.split() == expected[1:]  # key index 0 is the account's first address
    synced = cli("wallet", "sync", "--progress")
    assert "indexer sync: main" in synced.stderr
    assert "301/301" in synced.stderr

    # events --follow: waits for a deposit, syncing in the background, and stops after --max events.
    follower = subprocess.Popen(
        [sys.executable, "-m", "tanglehub.cli.main", "wallet", "events", "--follow", "--max", "1", *FOLLOW],
        env=cli.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    devnet.faucet(ours.stdout.split()[-1])
    out, err = follower.communicate(timeout=180)
    assert follower.returncode == 0, err
    assert re.search(rf"NewOutput .*address={ours.stdout.split()[-1]} amount={devnet.faucet_amount}", out), out
