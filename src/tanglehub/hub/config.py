"""Load :class:`~tanglehub.hub.settings.HubSettings` from defaults, a TOML file and ``TANGLEHUB_HUB_*`` env.

Precedence, lowest first: the dataclass defaults; the TOML file (``--config`` or ``<data-dir>/hub.toml`` when
present); environment variables ``TANGLEHUB_HUB_<FIELD>`` (``TANGLEHUB_HUB_DATABASE_URL``,
``TANGLEHUB_HUB_NODE_URLS=http://a,http://b``, ...). The data directory itself comes from the ``data_dir``
argument, else ``TANGLEHUB_HUB_DATA_DIR``, else the file, else ``./hub-data``. TOML keys are the field names
(``node_urls = ["http://127.0.0.1:14265"]``); unknown keys and values of the wrong type are refused with a
:class:`~tanglehub.errors.ConfigError` naming the key and where it came from. Secrets are not configuration:
the vault password comes from a prompt or ``TANGLEHUB_HUB_PASSWORD`` and is never read here.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tanglehub.errors import ConfigError, TanglehubError
from tanglehub.hub.settings import HubSettings
from tanglehub.protocol.address import address_from_bech32

__all__ = ["CONFIG_FILE_NAME", "ENV_PREFIX", "load_settings", "validate_settings"]

ENV_PREFIX = "TANGLEHUB_HUB_"
CONFIG_FILE_NAME = "hub.toml"
_NOT_SETTINGS = frozenset({"PASSWORD", "ADMIN_KEY"})
"""TANGLEHUB_HUB_* variables that are read elsewhere (secrets), not settings."""

_FIELDS = {f.name: f for f in dataclasses.fields(HubSettings)}
_INT = {"coin_type", "deposit_account", "hot_account", "address_pool_target", "address_pool_low_water"}
_INT |= {"address_pool_batch", "min_deposit", "confirmation_depth", "scan_batch", "api_port"}
_INT |= {"webhook_concurrency", "batch_max", "batches_in_flight", "hot_address_count"}
_FLOAT = {"scan_poll_interval", "webhook_timeout", "webhook_max_age", "webhook_retry_base", "webhook_retry_max"}
_FLOAT |= {"webhook_poll_interval", "stream_poll_interval", "stream_heartbeat"}
_FLOAT |= {"batch_wait", "reissue_after", "payout_poll_interval"}
_OPTIONAL_INT = {"withdrawal_approval_threshold"}
# TREASURY (keys, sweeps, treasury)
_INT |= {"withdrawal_max_amount", "withdrawal_window_seconds", "withdrawal_max_per_window"}
_INT |= {"withdrawal_max_per_address_per_window", "sweep_min_outputs", "sweep_max_inputs"}
_FLOAT |= {"signer_timeout", "sweep_max_age", "treasury_interval"}
_OPTIONAL_INT |= {"hot_ceiling", "hot_target", "hot_floor"}
_OPTIONAL_PATH = {"signer_ca", "signer_client_cert", "signer_client_key"}
_OPTIONAL_STR = {"database_url", "signer_url", "cold_address"}
_STR = {"network_name", "bech32_hrp", "api_host", "sdruc_policy"}
MIN_WEBHOOK_RETRY_WINDOW = 24 * 3600.0


def _coerce(name: str, value: Any, source: str) -> Any:
    """Turn a TOML value or an environment string into the field's type, or raise ConfigError."""
    from_env = isinstance(value, str) and source.startswith("environment")
    try:
        if name == "data_dir":
            if not isinstance(value, str) or not value:
                raise TypeError("a path")
            return Path(value).expanduser()
        if name == "node_urls":
            if from_env:
                value = [part.strip() for part in value.split(",") if part.strip()]
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
                raise TypeError("a non-empty list of URLs")
            return tuple(v.rstrip("/") for v in value)
        if name in _INT:
            if from_env:
                value = int(value.strip())
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError("an integer")
            return value
        if name in _OPTIONAL_PATH:
            if not isinstance(value, str):
                raise TypeError("a path")
            return Path(value.strip()).expanduser() if value.strip() else None
        if name in _FLOAT:
            if from_env:
                value = float(value.strip())
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError("a number of seconds")
            return float(value)
        if name in _OPTIONAL_INT:
            if from_env:
                value = int(value.strip()) if value.strip() else None
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise TypeError("a non-negative integer")
            return value
        if name in _OPTIONAL_STR:
            if not isinstance(value, str):
                raise TypeError("a string")
            return value.strip() or None
        if name in _STR:
            if not isinstance(value, str) or not value.strip():
                raise TypeError("a non-empty string")
            return value.strip()
    except (TypeError, ValueError) as exc:
        expected = str(exc) if isinstance(exc, TypeError) else "a value of the right type"
        raise ConfigError(f"{name} from {source}: expected {expected}, got {str(value)[:80]!r}") from None
    raise ConfigError(f"unknown setting {name!r} in {source}")  # pragma: no cover - every field is mapped


def validate_settings(settings: HubSettings) -> HubSettings:
    """Check ranges and relations between values; return ``settings`` unchanged.

    Raises:
        ConfigError: a negative amount or depth, an empty pool, a port out of range, a webhook retry window
            under 24 hours, an unknown ``sdruc_policy``, a database URL of an unsupported kind.
    """
    problems: list[str] = []
    for name in ("min_deposit", "confirmation_depth", "deposit_account", "hot_account", "coin_type"):
        if getattr(settings, name) < 0:
            problems.append(f"{name} must be >= 0")
    if not 1 <= settings.batch_max <= 127:
        problems.append("batch_max must be 1..127 (one output of 128 is the remainder)")
    for name in ("batches_in_flight", "hot_address_count"):
        if getattr(settings, name) < 1:
            problems.append(f"{name} must be >= 1")
    for name in ("address_pool_target", "address_pool_batch", "scan_batch", "webhook_concurrency"):
        if getattr(settings, name) < 1:
            problems.append(f"{name} must be >= 1")
    if not 0 <= settings.address_pool_low_water <= settings.address_pool_target:
        problems.append("address_pool_low_water must be between 0 and address_pool_target")
    if not 0 <= settings.api_port <= 65535:
        problems.append("api_port must be a TCP port (0-65535)")
    if settings.sdruc_policy not in ("leave", "claim"):
        problems.append("sdruc_policy must be 'leave' or 'claim'")
    if settings.webhook_max_age < MIN_WEBHOOK_RETRY_WINDOW:
        problems.append("webhook_max_age must be at least 86400 seconds (deliveries retry for 24 h or more)")
    for name in _FLOAT - {"webhook_max_age"}:
        if getattr(settings, name) <= 0:
            problems.append(f"{name} must be > 0")
    problems.extend(_part2_problems(settings))
    if settings.webhook_retry_base > settings.webhook_retry_max:
        problems.append("webhook_retry_base must not exceed webhook_retry_max")
    url = settings.database_url
    if url and not url.startswith(("sqlite", "postgresql+psycopg://", "postgresql://")):
        problems.append("database_url must be sqlite:///... or postgresql+psycopg://user@host/db")
    if problems:
        raise ConfigError("invalid hub configuration: " + "; ".join(problems))
    if url and url.startswith("postgresql://"):
        settings.database_url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return settings


def _part2_problems(settings: HubSettings) -> list[str]:
    """Range checks of the signer, limit, sweep and treasury settings."""
    problems: list[str] = []
    u64 = 2**64 - 1
    if settings.withdrawal_window_seconds < 1:
        problems.append("withdrawal_window_seconds must be >= 1")
    if not 1 <= settings.sweep_max_inputs <= 128:
        problems.append("sweep_max_inputs must be 1..128 (the protocol's input limit)")
    if settings.sweep_min_outputs < 1:
        problems.append("sweep_min_outputs must be >= 1")
    for name in ("withdrawal_max_amount", "withdrawal_max_per_window", "withdrawal_max_per_address_per_window"):
        if not 0 <= getattr(settings, name) <= u64:
            problems.append(f"{name} must be 0..2^64-1")
    for name in ("hot_ceiling", "hot_target", "hot_floor"):
        value = getattr(settings, name)
        if value is not None and not 0 <= value <= u64:
            problems.append(f"{name} must be 0..2^64-1 when set")
    ceiling, target, floor = settings.hot_ceiling, settings.hot_target, settings.hot_floor
    if ceiling is not None and settings.cold_address is None:
        problems.append("hot_ceiling needs cold_address (where the surplus goes)")
    if target is not None and (ceiling is None or target > ceiling):
        problems.append("hot_target needs hot_ceiling and must not exceed it")
    if floor is not None and ceiling is not None and floor > (target if target is not None else ceiling):
        problems.append("hot_floor must be below hot_target (or hot_ceiling)")
    if settings.cold_address is not None:
        try:
            address_from_bech32(settings.cold_address, expected_hrp=settings.bech32_hrp)
        except TanglehubError as exc:
            problems.append(f"cold_address is not a {settings.bech32_hrp} address ({exc.message})")
    signer_files = ("signer_ca", "signer_client_cert", "signer_client_key")
    if settings.signer_url is not None:
        if not settings.signer_url.startswith("https://"):
            problems.append("signer_url must be https:// (the signing server serves mutual TLS only)")
        missing = [n for n in signer_files if getattr(settings, n) is None]
        if missing:
            problems.append(f"signer_url needs {', '.join(missing)}")
    return problems


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    hub = data.get("hub", data)
    if not isinstance(hub, dict):
        raise ConfigError(f"config file {path}: [hub] must be a table")
    return hub


def load_settings(
    config_file: Path | None = None,
    data_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> HubSettings:
    """Build and validate the settings (see the module docstring for precedence).

    Args:
        config_file: an explicit TOML file (must exist); None reads ``<data-dir>/hub.toml`` if present.
        data_dir: overrides every other source of the data directory.
        env: the environment to read (defaults to ``os.environ``).

    Raises:
        ConfigError: an unreadable file, an unknown key, a value of the wrong type or out of range.
    """
    environ = os.environ if env is None else env
    values: dict[str, Any] = {}
    env_dir = environ.get(ENV_PREFIX + "DATA_DIR")
    base_dir = data_dir or (Path(env_dir).expanduser() if env_dir else None)
    path = config_file
    if path is None:
        candidate = (base_dir or HubSettings().data_dir) / CONFIG_FILE_NAME
        path = candidate if candidate.is_file() else None
    if path is not None:
        source = f"config file {path}"
        for key, raw in _read_toml(path).items():
            if key not in _FIELDS:
                raise ConfigError(f"unknown setting {key!r} in {source}; known: {', '.join(sorted(_FIELDS))}")
            values[key] = _coerce(key, raw, source)
        if "data_dir" in values and not values["data_dir"].is_absolute():
            values["data_dir"] = path.parent / values["data_dir"]
    for env_key, raw in environ.items():
        if not env_key.startswith(ENV_PREFIX):
            continue
        name = env_key.removeprefix(ENV_PREFIX)
        if name in _NOT_SETTINGS:
            continue
        field = name.lower()
        if field not in _FIELDS:
            raise ConfigError(
                f"unknown environment variable {env_key}; known settings: {', '.join(sorted(_FIELDS))}"
            )
        values[field] = _coerce(field, raw, f"environment variable {env_key}")
    if data_dir is not None:
        values["data_dir"] = data_dir
    return validate_settings(HubSettings(**values))
