"""``tanglehub signer`` as an operator runs it: init, certs, serve (as a real process) and the clear one-line
errors for a wrong password, a bad policy file and missing certificates."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tanglehub.devnet.server import free_port
from tanglehub.signer.client import RemoteSigner

CLI = [sys.executable, "-m", "tanglehub.cli.main", "signer"]


def _run(
    args: list[str], password: str | None = "correct horse", stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TANGLEHUB_SIGNER_PASSWORD"}
    if password is not None:
        env["TANGLEHUB_SIGNER_PASSWORD"] = password
    return subprocess.run(
        [*CLI, *args], input=stdin, capture_output=True, text=True, env=env, check=False, timeout=120
    )


def _one_line_error(r: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert r.returncode == 2, r
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: "), r.stderr
    assert fragment in lines[0], r.stderr


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("signer")
    r = _run(["init", "--data-dir", str(d), "--kdf", "interactive"])
    assert r.returncode == 0, r.stderr
    words = [line for line in r.stdout.splitlines() if len(line.split()) == 24]
    assert len(words) == 1, "the new mnemonic is shown exactly once"
    assert (d / "policy.toml").exists()
    assert (d / "signer.vault").exists()
    assert oct((d / "signer.vault").stat().st_mode & 0o777) == "0o600"
    return d


def test_init_never_runs_twice_over_a_vault(home: Path) -> None:
    _one_line_error(_run(["init", "--data-dir", str(home)]), "already exists")


def test_init_imports_a_mnemonic_from_stdin_and_does_not_echo_it(tmp_path: Path) -> None:
    from tanglehub.keys.bip39 import generate_mnemonic

    words = generate_mnemonic()
    r = _run(["init", "--data-dir", str(tmp_path), "--import", "--kdf", "interactive"], stdin=words)
    assert r.returncode == 0, r.stderr
    assert words not in r.stdout
    assert " ".join(words.split()[:2]) not in r.stdout


def test_init_with_the_legacy_scheme_seals_a_salt_and_enables_it_in_the_policy(tmp_path: Path) -> None:
    r = _run(["init", "--data-dir", str(tmp_path), "--kdf", "interactive", "--key-scheme", "legacy-hub"])
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "legacy-salt.vault").exists()
    assert "legacy_deposits = true" in (tmp_path / "policy.toml").read_text()
    _one_line_error(
        _run(["init", "--data-dir", str(tmp_path / "x"), "--key-scheme", "uuid"]),
        "--key-scheme must be hd or legacy-hub",
    )


def test_init_without_a_password_source_is_refused(tmp_path: Path) -> None:
    _one_line_error(_run(["init", "--data-dir", str(tmp_path)], password=None), "TANGLEHUB_SIGNER_PASSWORD")


def test_serve_without_certificates_is_refused(home: Path) -> None:
    _one_line_error(_run(["serve", "--data-dir", str(home), "--port", str(free_port())]), "mutual TLS only")


def test_serve_with_a_wrong_password_or_a_bad_policy_is_refused(home: Path, tmp_path: Path) -> None:
    if not (home / "certs" / "ca.pem").exists():
        assert _run(["certs", "--data-dir", str(home)]).returncode == 0
    _one_line_error(_run(["serve", "--data-dir", str(home)], password="wrong"), "password")
    broken = tmp_path / "copy"
    broken.mkdir()
    for name in ("signer.vault",):
        (broken / name).write_bytes((home / name).read_bytes())
        (broken / name).chmod(0o600)
    (broken / "policy.toml").write_text("network_name = 'x'\n")
    (broken / "certs").symlink_to(home / "certs")
    _one_line_error(_run(["serve", "--data-dir", str(broken)]), "bech32_hrp")


def test_serve_answers_over_mutual_tls_and_stops_cleanly_on_sigterm(home: Path) -> None:
    if not (home / "certs" / "ca.pem").exists():
        assert _run(["certs", "--data-dir", str(home)]).returncode == 0
    port = free_port()
    env = dict(os.environ, TANGLEHUB_SIGNER_PASSWORD="correct horse")
    proc = subprocess.Popen(
        [*CLI, "serve", "--data-dir", str(home), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        certs = home / "certs"

        async def probe() -> list[bytes]:
            client = RemoteSigner(
                f"https://127.0.0.1:{port}",
                certs / "ca.pem",
                certs / "hub-client.pem",
                certs / "hub-client-key.pem",
            )
            try:
                for _ in range(200):
                    try:
                        return await client.derive_addresses(0, 0, 0, 2)
                    except Exception:  # not up yet
                        await asyncio.sleep(0.05)
                raise AssertionError("the signer did not come up")
            finally:
                await client.aclose()

        hashes = asyncio.run(probe())
        assert len(hashes) == 2
        _one_line_error(_run(["serve", "--data-dir", str(home), "--port", str(free_port())]), "already served")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
