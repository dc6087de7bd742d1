"""The policy file: a starting one loads; every bad value is refused with the key named."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.signer_fixtures import policy_doc

from tanglehub.signer.errors import SignerConfigError
from tanglehub.signer.policy import load_policy, parse_policy, policy_toml


def test_the_starting_policy_loads(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(policy_toml("tanglehub-devnet", "tst", 4219, "http://127.0.0.1:14265"))
    policy = load_policy(path)
    assert (policy.network_name, policy.coin_type, policy.accounts) == ("tanglehub-devnet", 4219, (0, 1))
    assert policy.limits.max_per_withdrawal == 1_000_000_000_000
    assert policy.node_url == "http://127.0.0.1:14265"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"coin_type": "4219"}, "coin_type"),
        ({"accounts": []}, "accounts"),
        ({"cold_address": "smr1qqqq"}, "cold_address"),
        ({"withdrawals": {"window_seconds": 60}}, "max_per_withdrawal"),
        ({"withdrawals": None}, "withdrawals"),
        ({"node_url": "ftp://x"}, "node_url"),
    ],
)
def test_bad_values_name_their_key(change: dict[str, object], message: str) -> None:
    doc = policy_doc()
    doc.update(change)
    if doc.get("withdrawals") is None:
        del doc["withdrawals"]
    with pytest.raises(SignerConfigError, match=message):
        parse_policy(doc)


@pytest.mark.parametrize(
    ("withdrawals", "message"),
    [
        ({"max_per_window": -1}, "max_per_window"),
        ({"window_seconds": 0}, "window_seconds"),
        ({"require_authorization": True}, "at least one authorization key"),
        ({"authorization_keys": ["0x1234"]}, "authorization_keys"),
        ({"require_authorization": "yes"}, "require_authorization"),
    ],
)
def test_bad_limits_are_refused(withdrawals: dict[str, object], message: str) -> None:
    with pytest.raises(SignerConfigError, match=message):
        parse_policy(policy_doc(**withdrawals))


def test_a_missing_or_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SignerConfigError, match="signer init"):
        load_policy(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("network_name = ")
    with pytest.raises(SignerConfigError, match="not valid TOML"):
        load_policy(bad)


@pytest.mark.parametrize(
    ("where", "key", "hint"),
    [
        ("withdrawals", "require_authorisation", "require_authorization"),
        ("withdrawals", "bogus_key", "known keys"),
        ("withdrawals", "cold_address", "belongs to that table"),
        ("top", "netwrk_name", "network_name"),
    ],
)
def test_an_unknown_or_misspelt_key_is_refused(where: str, key: str, hint: str) -> None:
    doc = policy_doc()
    if where == "top":
        doc[key] = "x"
    else:
        doc["withdrawals"][key] = True
    with pytest.raises(SignerConfigError, match=hint):
        parse_policy(doc)
