"""What the ``tanglehub hub`` subcommands share: the ``--data-dir``/``--config`` and ``--signer-*`` options, the
settings they resolve to, and the vault password (from ``TANGLEHUB_HUB_PASSWORD`` or a prompt).

:mod:`tanglehub.cli.hub` (init, apikey, status) and :mod:`tanglehub.cli.hub_serve` (serve) both import this
module and it imports neither, so the CLI's imports stay acyclic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tanglehub.cli.database_errors import check_database_url
from tanglehub.cli.password import read_password as prompt_password
from tanglehub.errors import ConfigError
from tanglehub.hub.settings import HubSettings

__all__ = [
    "PASSWORD_ENV",
    "ConfigOption",
    "DataDirOption",
    "SignerCaOption",
    "SignerCertOption",
    "SignerKeyOption",
    "SignerUrlOption",
    "hub_settings",
    "read_password",
    "with_signer",
]

PASSWORD_ENV = "TANGLEHUB_HUB_PASSWORD"  # noqa: S105 - the variable's name, not a password

DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="The hub's folder (default: TANGLEHUB_HUB_DATA_DIR or ./hub-data)."),
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="A TOML config file (default: <data-dir>/hub.toml if present).")
]
SignerUrlOption = Annotated[
    str | None,
    typer.Option("--signer-url", help="The signing server (https://, mutual TLS); the hub then holds no vault."),
]
SignerCaOption = Annotated[Path | None, typer.Option("--signer-ca", help="CA certificate of the signing server.")]
SignerCertOption = Annotated[
    Path | None, typer.Option("--signer-cert", help="The hub's client certificate for the signing server.")
]
SignerKeyOption = Annotated[
    Path | None, typer.Option("--signer-key", help="The private key of the hub's client certificate.")
]


def hub_settings(config: Path | None, data_dir: Path | None) -> HubSettings:
    """The hub's settings from ``config`` (or ``<data-dir>/hub.toml``), the environment and ``data_dir``.

    Raises:
        ConfigError: a bad config file or value, or a database URL the hub cannot use.
    """
    from tanglehub.hub.config import load_settings  # noqa: PLC0415 - keeps `tanglehub --help` light

    settings = load_settings(config, data_dir)
    check_database_url(settings)
    return settings


def with_signer(
    settings: HubSettings, url: str | None, ca: Path | None, cert: Path | None, key: Path | None
) -> HubSettings:
    """``settings`` with the ``--signer-*`` options applied (they override the file and the environment).

    Raises:
        ConfigError: ``--signer-ca/-cert/-key`` without ``--signer-url``, or signer settings that do not validate.
    """
    from tanglehub.hub.config import validate_settings  # noqa: PLC0415

    for name, value in (
        ("signer_url", url),
        ("signer_ca", ca),
        ("signer_client_cert", cert),
        ("signer_client_key", key),
    ):
        if value is not None:
            setattr(settings, name, value)
    if settings.signer_url is None and any(v is not None for v in (ca, cert, key)):
        raise ConfigError("--signer-ca/--signer-cert/--signer-key need --signer-url")
    return validate_settings(settings)


def read_password(*, confirm: bool = False) -> str:
    """The vault password from ``TANGLEHUB_HUB_PASSWORD`` or a hidden prompt (twice with ``confirm``).

    Raises:
        ConfigError: no terminal to prompt on and no environment variable, or the two entries differ.
    """
    return prompt_password(
        PASSWORD_ENV,
        prompt="vault password: ",
        what="vault password",
        error=ConfigError,
        confirm=confirm,
        undone="created",
    )
