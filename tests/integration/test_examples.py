"""The exchange examples (examples/exchange/) run in order against a ``tanglehub devnet`` child process."""

from __future__ import annotations

import os
import re
import secrets
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.devnet_process import Devnet

from tanglehub.keys.bech32 import ED25519, decode_address
from tanglehub.keys.bip39 import validate_mnemonic

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "exchange"
SEND_AMOUNT = 1_000_000


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    net = Devnet(tmp_path_factory.mktemp("devnet"), milestone_interval=0.2)
    yield net
    net.stop()


class Scripts:
    """Runs example scripts as subprocesses with one wallet directory and password."""

    def __init__(self, devnet: Devnet, wallet_dir: Path) -> None:
        self.devnet = devnet
        self.password = secrets.token_urlsafe(16)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TANGLEHUB_")}
        self.env |= {
            "TANGLEHUB_NODE_URL": devnet.url,
            "TANGLEHUB_WALLET_DIR": str(wallet_dir),
            "TANGLEHUB_WALLET_PASSWORD": self.password,
            "TANGLEHUB_WALLET_KDF": "minimum",
        }

    def start(self, name: str, *args: str, **env: str) -> subprocess.Popen[str]:
        """Start ``examples/exchange/<name>`` in the background."""
        return subprocess.Popen(
            [sys.executable, str(EXAMPLES / name), *args],
            cwd=EXAMPLES,
            env=self.env | env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish(self, name: str, proc: subprocess.Popen[str], expect: int = 0) -> tuple[str, str]:
        """Wait for a started script; check its exit status; (stdout, stderr)."""
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        assert proc.returncode == expect, (
            f"{name} exited {proc.returncode}\nstdout:\n{out}\nstderr:\n{err}\n"
            f"devnet log:\n{self.devnet.log_text()[-2000:]}"
        )
        return out, err

    def run(self, name: str, *args: str, expect: int = 0, **env: str) -> subprocess.CompletedProcess[str]:
        """Run ``examples/exchange/<name>`` to its end and check its exit status."""
        out, err = self.finish(name, self.start(name, *args, **env), expect)
        return subprocess.CompletedProcess([name, *args], expect, out, err)


def _find(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.MULTILINE)
    assert match is not None, f"{pattern!r} not found in:\n{text}"
    return match.group(1)


def _is_address(text: str) -> bool:
    hrp, kind, body = decode_address(text, "tst")
    return hrp == "tst" and kind == ED25519 and len(body) == 32


def test_exchange_guide_steps_in_order(devnet: Devnet, tmp_path: Path) -> None:
    wallet_dir = tmp_path / "exchange-wallet"
    s = Scripts(devnet, wallet_dir)

    # 1: the wallet and vault; the mnemonic is shown once, with a warning.
    out = s.run("1-generate-mnemonic.py").stdout
    words = _find(r"^Mnemonic: (.+)$", out)
    assert len(words.split()) == 24
    assert validate_mnemonic(words) == words
    assert "ONCE" in out
    for name in ("wallet.vault", "wallet.db"):
        assert stat.S_IMODE((wallet_dir / name).stat().st_mode) == 0o600
    assert s.password not in (wallet_dir / "wallet.vault").read_bytes().decode("latin-1")
    again = s.run("1-generate-mnemonic.py", expect=2)
    assert "already exists" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert "Mnemonic:" not in again.stdout

    # 2: accounts per user (alias = user id) and one shared account with an address per user.
    out = s.run("2-create-account.py").stdout
    user2_address = _find(r"account 1 alias 'user-2': first address (\S+)$", out)
    shared_user2 = _find(r"user user-2 -> (\S+) \(key index 1\)$", out)
    assert _is_address(user2_address)
    assert _is_address(shared_user2)
    assert re.search(r"^  2: exchange$", out, re.MULTILINE)
    shared_user1 = _find(r"user user-1 -> (\S+) \(key index 0\)$", out)
    rerun = s.run("2-create-account.py").stdout  # existing accounts are reused, not duplicated
    assert _find(r"user user-2 -> (\S+) \(key index 1\)$", rerun) == shared_user2
    assert "  3:" not in rerun
    # Another order and a new user: everyone keeps their address, the newcomer gets a fresh one (issue 12).
    reordered = s.run("2-create-account.py", TANGLEHUB_USERS="user-3,user-2").stdout
    user3 = _find(r"user user-3 -> (\S+) \(key index 2\)$", reordered)
    assert user3 not in (shared_user1, shared_user2)
    assert _find(r"user user-2 -> (\S+) \(key index 1\)$", reordered) == shared_user2
    assert _find(r"user user-1 -> (\S+) \(key index 0\)$", s.run("2-create-account.py").stdout) == shared_user1

    # 3: a new deposit address for user-1, funded by the devnet faucet.
    out = s.run("3-generate-address.py", TANGLEHUB_FAUCET="1").stdout
    deposit = _find(r"^Deposit address: (\S+)$", out)
    assert _is_address(deposit)
    assert f"public     1  {deposit}" in out
    assert "faucet" in out

    # 4: sync + balance shows the faucet payment.
    out = s.run("4-check-balance.py", TANGLEHUB_WAIT_FOR_FUNDS="20").stdout
    assert int(_find(r"^Total: (\d+)$", out)) == devnet.faucet_amount
    assert int(_find(r"^Available: (\d+)$", out)) == devnet.faucet_amount

    # 5: the durable stream delivers the deposit; a second run of the same consumer resumes after it.
    out = s.run("5-listen-events.py", TANGLEHUB_MAX_EVENTS="2", TANGLEHUB_LISTEN_SECONDS="20").stdout
    assert re.search(rf"NewOutput \(account 0\): {devnet.faucet_amount} to {deposit}", out), out
    assert "Handled 2 event(s)" in out
    out = s.run("5-listen-events.py", TANGLEHUB_LISTEN_SECONDS="1", TANGLEHUB_SYNC_INTERVAL="0.5").stdout
    assert "resuming after event 2" in out
    assert deposit not in out
    # A deposit arriving while the listener runs: its background sync records it, stream and callback see it.
    listener = s.start("5-listen-events.py", TANGLEHUB_MAX_EVENTS="2", TANGLEHUB_SYNC_INTERVAL="0.5")
    devnet.faucet(shared_user2)
    out, _ = s.finish("5-listen-events.py", listener)
    assert re.search(
        rf"^Event \d+: NewOutput \(account 2\): {devnet.faucet_amount} to {shared_user2}", out, re.M
    ), out
    assert re.search(
        rf"^  \(callback\) Event \d+: BalanceChange \(account 2\): balance 0 -> {devnet.faucet_amount}", out, re.M
    )

    # 6: a withdrawal to user-2's account, confirmed by a milestone.
    out = s.run("6-send-amount.py", user2_address, TANGLEHUB_SEND_AMOUNT=str(SEND_AMOUNT)).stdout
    assert re.search(r"^Transaction 0x[0-9a-f]{64} confirmed by milestone \d+\.$", out, re.MULTILINE), out
    assert int(_find(r"^Available now: (\d+)$", out)) == devnet.faucet_amount - SEND_AMOUNT

    out = s.run("4-check-balance.py", TANGLEHUB_ACCOUNT_ALIAS="user-2").stdout
    assert int(_find(r"^Total: (\d+)$", out)) == SEND_AMOUNT
    out = s.run("4-check-balance.py", TANGLEHUB_SYNC_MODE="ledger").stdout
    assert int(_find(r"^Total: (\d+)$", out)) == devnet.faucet_amount - SEND_AMOUNT


def test_scripts_refuse_a_missing_or_wrong_password(devnet: Devnet, tmp_path: Path) -> None:
    s = Scripts(devnet, tmp_path / "w")
    missing = s.run("1-generate-mnemonic.py", expect=2, TANGLEHUB_WALLET_PASSWORD="")
    assert "TANGLEHUB_WALLET_PASSWORD" in missing.stderr
    assert not (tmp_path / "w").exists()

    s.run("1-generate-mnemonic.py")
    wrong = "not-the-password-" + secrets.token_hex(4)
    proc = s.run("3-generate-address.py", expect=2, TANGLEHUB_WALLET_PASSWORD=wrong)
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "password" in proc.stderr.lower()
    assert wrong not in proc.stderr
    assert "Deposit address" not in proc.stdout


def test_send_without_recipient_says_what_is_missing(devnet: Devnet, tmp_path: Path) -> None:
    s = Scripts(devnet, tmp_path / "w")
    proc = s.run("6-send-amount.py", expect=2)
    assert "recipient" in proc.stderr


def test_examples_keep_their_wallet_outside_the_repository(tmp_path: Path) -> None:
    """Following the guide must not leave a vault inside the checkout (issue 12): the default wallet
    directory is under the home directory, and a wallet made in the examples directory anyway is ignored."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANGLEHUB_")} | {"HOME": str(tmp_path)}
    probe = "import _common; print(_common.WALLET_DIR.resolve())"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=EXAMPLES, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    default = Path(out)
    repo = EXAMPLES.parents[1]
    assert default.is_relative_to(tmp_path)
    assert not default.is_relative_to(repo)
    if not (repo / ".git").exists():
        pytest.skip("not a git checkout: .gitignore cannot be asked")
    for leftover in ("examples/exchange/exchange-wallet/wallet.vault", "exchange-wallet-users.json"):
        ignored = subprocess.run(["git", "check-ignore", "-q", leftover], cwd=repo, check=False)
        assert ignored.returncode == 0, f"{leftover} is not ignored by git"


def test_user_ids_are_exact_in_both_approaches(devnet: Devnet, tmp_path: Path) -> None:
    """Review 1 #8: ``User-1`` is not handed ``user-1``'s account (multi-account) nor a second address
    (single-account): a user id that differs from another only in case or accents is refused, the same way."""
    s = Scripts(devnet, tmp_path / "w")
    s.run("1-generate-mnemonic.py")
    first = s.run("2-create-account.py", TANGLEHUB_USERS="user-1").stdout
    for users in ("User-1", "user-2,USER-2", "üser-3,user-3"):
        clash = s.run("2-create-account.py", expect=2, TANGLEHUB_USERS=users)
        assert "differ only in case or accents" in clash.stderr
        assert clash.stdout == ""
    again = s.run("2-create-account.py", TANGLEHUB_USERS="user-1").stdout
    assert again == first


def test_an_unwritable_mnemonic_removes_the_new_wallet(devnet: Devnet, tmp_path: Path) -> None:
    """Review 1 #3 in the guide's step 1: standard output on a full disk means nobody saw the mnemonic."""
    s = Scripts(devnet, tmp_path / "w")
    buffered = s.env | {"PYTHONUNBUFFERED": ""}  # the lines before the mnemonic stay in the buffer: it fails first
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, str(EXAMPLES / "1-generate-mnemonic.py")],
            cwd=EXAMPLES, env=buffered, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "could not write the new mnemonic" in proc.stderr
    assert not (tmp_path / "w" / "wallet.vault").exists()
