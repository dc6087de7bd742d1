"""The signer, limit, sweep and treasury settings: read from TOML and the environment, checked with clear
errors; the in-process signer's policy follows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tanglehub.errors import ConfigError
from tanglehub.hub.config import load_settings
from tanglehub.hub.signing import InProcessSigner, open_signer, policy_from_settings
from tanglehub.protocol.address import Ed25519Address
from tanglehub.signer.certs import make_certificates
from tanglehub.signer.client import RemoteSigner
from tanglehub.signer.errors import SignerConfigError
from tanglehub.vault import MnemonicSigner

COLD = Ed25519Address(bytes([7]) * 32).to_bech32("tst")


def test_treasury_settings_from_toml_and_environment(tmp_path: Path) -> None:
    (tmp_path / "hub.toml").write_text(
        f'cold_address = "{COLD}"\nhot_ceiling = 5000000\nhot_floor = 1000000\nsweep_min_outputs = 7\n'
        'signer_url = "https://signer.example:14300"\nsigner_ca = "ca.pem"\n',
        "utf-8",
    )
    env = {
        "TANGLEHUB_HUB_SIGNER_CLIENT_CERT": "/etc/hub/client.pem",
        "TANGLEHUB_HUB_SIGNER_CLIENT_KEY": "/etc/hub/client-key.pem",
        "TANGLEHUB_HUB_HOT_TARGET": "3000000",
        "TANGLEHUB_HUB_WITHDRAWAL_MAX_AMOUNT": "900",
        "TANGLEHUB_HUB_TREASURY_INTERVAL": "2.5",
    }
    s = load_settings(None, tmp_path, env=env)
    assert (s.cold_address, s.hot_ceiling, s.hot_target, s.hot_floor) == (COLD, 5_000_000, 3_000_000, 1_000_000)
    assert (s.sweep_min_outputs, s.withdrawal_max_amount, s.treasury_interval) == (7, 900, 2.5)
    assert s.signer_ca == Path("ca.pem")
    assert s.signer_client_key == Path("/etc/hub/client-key.pem")
    policy = policy_from_settings(s)
    assert policy.cold_address is not None
    assert policy.cold_address.to_bech32("tst") == COLD
    assert policy.limits.max_per_withdrawal == 900
    assert policy.accounts == (0, 1)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TANGLEHUB_HUB_HOT_CEILING": "5"}, "hot_ceiling needs cold_address"),
        ({"TANGLEHUB_HUB_COLD_ADDRESS": "iota1qqqq"}, "cold_address is not a tst address"),
        (
            {
                "TANGLEHUB_HUB_COLD_ADDRESS": COLD,
                "TANGLEHUB_HUB_HOT_CEILING": "5",
                "TANGLEHUB_HUB_HOT_TARGET": "6",
            },
            "hot_target needs hot_ceiling and must not exceed it",
        ),
        ({"TANGLEHUB_HUB_SWEEP_MAX_INPUTS": "129"}, "sweep_max_inputs must be 1..128"),
        ({"TANGLEHUB_HUB_SIGNER_URL": "http://signer:1"}, "signer_url must be https://"),
        ({"TANGLEHUB_HUB_SIGNER_URL": "https://signer:1"}, "signer_url needs signer_ca"),
        ({"TANGLEHUB_HUB_HOT_FLOOR": "x"}, "hot_floor from environment"),
    ],
)
def test_bad_treasury_settings_are_refused_clearly(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(None, tmp_path, env=env)


async def test_signers_from_settings(tmp_path: Path) -> None:
    certs = make_certificates(tmp_path / "certs")
    s = load_settings(None, tmp_path, env={})
    with pytest.raises(SignerConfigError, match="signer_url is not set"):
        open_signer(s)
    s.signer_url = "https://127.0.0.1:1"
    with pytest.raises(SignerConfigError, match="needs signer_ca, signer_client_cert, signer_client_key"):
        open_signer(s)
    s.signer_ca, s.signer_client_cert, s.signer_client_key = certs.ca_cert, certs.client_cert, certs.client_key
    remote = open_signer(s)
    assert isinstance(remote, RemoteSigner)
    await remote.aclose()
    mnemonic = MnemonicSigner(" ".join(["abandon"] * 23 + ["art"]))
    local = InProcessSigner(s, mnemonic)
    hashes = await local.derive_addresses(1, 0, 0, 2)
    assert len(hashes) == 2
    assert local.state.is_own(hashes[1])  # every address it hands out is recorded as its own
    assert (tmp_path / "signer-state.db").exists()
    await local.aclose()
    mnemonic.close()
