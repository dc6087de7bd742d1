"""``load_settings``: defaults, then the TOML file, then ``TANGLEHUB_HUB_*`` variables; bad values and unknown
keys are refused with a ConfigError naming the key and its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from tanglehub.errors import ConfigError
from tanglehub.hub.config import load_settings


def test_precedence_defaults_then_file_then_environment(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "hub.toml").write_text(
        '[hub]\nnode_urls = ["http://a:14265/", "http://b:14265"]\nmin_deposit = 1000\napi_port = 9000\n'
        'database_url = "postgresql://u@db/hub"\n',
        encoding="utf-8",
    )
    settings = load_settings(data_dir=data, env={"TANGLEHUB_HUB_API_PORT": "9100", "OTHER": "x"})
    assert settings.node_urls == ("http://a:14265", "http://b:14265")
    assert settings.min_deposit == 1000
    assert settings.api_port == 9100
    assert settings.database_url == "postgresql+psycopg://u@db/hub"
    assert settings.data_dir == data
    assert settings.confirmation_depth == 0
    env = {"TANGLEHUB_HUB_DATA_DIR": str(data), "TANGLEHUB_HUB_NODE_URLS": "http://c:1, http://d:2"}
    assert load_settings(env=env).node_urls == ("http://c:1", "http://d:2")
    assert load_settings(env={}).data_dir == Path("hub-data")
    assert load_settings(env={"TANGLEHUB_HUB_PASSWORD": "never read here"}).api_port == 8080


def test_an_explicit_file_may_set_a_relative_data_dir(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "hub.toml"
    config.parent.mkdir()
    config.write_text('data_dir = "state"\nsdruc_policy = "claim"\n', encoding="utf-8")
    settings = load_settings(config, env={})
    assert settings.data_dir == config.parent / "state"
    assert settings.sdruc_policy == "claim"


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("min_deposit = -1\n", {}, "min_deposit must be >= 0"),
        ("mystery = 1\n", {}, "unknown setting 'mystery'"),
        ("api_port = 'x'\n", {}, "api_port from config file"),
        ("", {"TANGLEHUB_HUB_CONFIRMATION_DEPTH": "two"}, "TANGLEHUB_HUB_CONFIRMATION_DEPTH"),
        ("", {"TANGLEHUB_HUB_NODE_URL": "http://x"}, "unknown environment variable TANGLEHUB_HUB_NODE_URL"),
        ("webhook_max_age = 3600\n", {}, "at least 86400"),
        ("sdruc_policy = 'keep'\n", {}, "sdruc_policy"),
        ("address_pool_low_water = 5000\n", {}, "address_pool_low_water"),
        ("database_url = 'mysql://x'\n", {}, "database_url"),
        ("node_urls = []\n", {}, "non-empty list"),
        ("min_deposit = [\n", {}, "not valid TOML"),
    ],
)
def test_bad_values_are_refused_clearly(tmp_path: Path, toml: str, env: dict[str, str], message: str) -> None:
    path = tmp_path / "hub.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load_settings(path, env=env)


def test_a_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", env={})
