"""``tanglehub hub init --signer-url ...``: no vault, the signer settings written to hub.toml, clear errors."""

from __future__ import annotations

from pathlib import Path

from tests.hub.cli.test_hub_cli import TOKEN, Run, _env, run  # noqa: F401 - the run fixture

from tanglehub.hub.config import load_settings
from tanglehub.signer.certs import make_certificates


def test_init_with_a_signing_server_makes_no_vault(tmp_path: Path, run: Run) -> None:  # noqa: F811
    certs = make_certificates(tmp_path / "certs")
    env = _env(tmp_path / "hub")
    env.pop("TANGLEHUB_HUB_PASSWORD")  # no vault, so no password is needed
    flags = [
        "--signer-url",
        "https://127.0.0.1:14300",
        "--signer-ca",
        str(certs.ca_cert),
        "--signer-cert",
        str(certs.client_cert),
        "--signer-key",
        str(certs.client_key),
    ]
    done = run(env, "init", *flags)
    assert done.returncode == 0, done.stderr
    assert len(TOKEN.findall(done.stdout)) == 1
    assert "holds no keys" in done.stdout
    assert not (tmp_path / "hub" / "hub.vault").exists()
    settings = load_settings(None, tmp_path / "hub", env={})
    assert settings.signer_url == "https://127.0.0.1:14300"
    assert settings.signer_ca == certs.ca_cert.resolve()
    assert settings.signer_client_key == certs.client_key.resolve()


def test_init_refuses_incomplete_or_plain_signer_settings(tmp_path: Path, run: Run) -> None:  # noqa: F811
    certs = make_certificates(tmp_path / "certs")
    env = _env(tmp_path / "hub")
    pair = ["--signer-cert", str(certs.client_cert), "--signer-key", str(certs.client_key)]
    cases = [
        (["--signer-url", "https://127.0.0.1:14300"], "signer_url needs signer_ca, signer_client_cert"),
        (
            ["--signer-url", "http://127.0.0.1:14300", "--signer-ca", str(certs.ca_cert), *pair],
            "must be https://",
        ),
        (["--signer-ca", str(certs.ca_cert)], "need --signer-url"),
        (
            ["--signer-url", "https://h:1", "--signer-ca", str(tmp_path / "missing.pem"), *pair],
            "is not a file",
        ),
    ]
    for flags, message in cases:
        done = run(env, "init", *flags)
        assert done.returncode == 2, flags
        assert message in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "hub" / "hub.vault").exists()
