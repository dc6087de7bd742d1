"""Errors of the local devnet node.

Each class maps to one HTTP status of the node API; the routes render them as the node's error JSON
``{"error": {"code": "<status>", "message": "..."}}``::

    DevnetError                    DEVNET_ERROR           400
    +-- DevnetBadRequest           DEVNET_BAD_REQUEST     400  (malformed id, query parameter or body)
    +-- DevnetNotFound             DEVNET_NOT_FOUND       404  (unknown block, output, milestone, ...)
    +-- DevnetUnsupportedMedia     DEVNET_UNSUPPORTED     415  (POST body in an unknown content type)
    +-- DevnetUnavailable          DEVNET_UNAVAILABLE     503  (no tips yet, PoW not possible, fault)
    +-- DevnetFaucetError          DEVNET_FAUCET_ERROR    400  (faucet cannot pay)
    +-- DevnetStoreError           DEVNET_STORE_ERROR     500  (data folder unreadable or inconsistent)
    +-- DevnetConfigError          DEVNET_CONFIG_ERROR    500  (invalid devnet configuration)
    +-- DevnetDataDirInUse         DEVNET_DATA_DIR_IN_USE 409  (another devnet holds the data folder)
    +-- DevnetPortInUse            DEVNET_PORT_IN_USE     409  (the API port is taken at start-up)
"""

from __future__ import annotations

from tanglehub.errors import DevnetError

__all__ = [
    "DevnetBadRequest",
    "DevnetConfigError",
    "DevnetDataDirInUse",
    "DevnetError",
    "DevnetFaucetError",
    "DevnetNotFound",
    "DevnetPortInUse",
    "DevnetStoreError",
    "DevnetUnavailable",
    "DevnetUnsupportedMedia",
]


class DevnetBadRequest(DevnetError):
    """A request carried a malformed id, query parameter or body."""

    code = "DEVNET_BAD_REQUEST"
    http_status = 400


class DevnetNotFound(DevnetError):
    """The requested block, output, transaction or milestone is not known to the devnet."""

    code = "DEVNET_NOT_FOUND"
    http_status = 404


class DevnetUnsupportedMedia(DevnetError):
    """A request body came in a content type the node does not accept."""

    code = "DEVNET_UNSUPPORTED_MEDIA"
    http_status = 415


class DevnetUnavailable(DevnetError):
    """The node cannot serve the request right now (no tips, PoW disabled, injected fault)."""

    code = "DEVNET_UNAVAILABLE"
    http_status = 503


class DevnetFaucetError(DevnetError):
    """The faucet cannot pay the requested address."""

    code = "DEVNET_FAUCET_ERROR"
    http_status = 400


class DevnetStoreError(DevnetError):
    """The devnet data folder cannot be read or is inconsistent."""

    code = "DEVNET_STORE_ERROR"
    http_status = 500


class DevnetConfigError(DevnetError):
    """A devnet configuration value is invalid."""

    code = "DEVNET_CONFIG_ERROR"
    http_status = 500


class DevnetDataDirInUse(DevnetError):
    """Another devnet (process or node object) has the data folder open; one devnet per data folder."""

    code = "DEVNET_DATA_DIR_IN_USE"
    http_status = 409


class DevnetPortInUse(DevnetError):
    """The API port cannot be bound at start-up (taken by another process, or not allowed)."""

    code = "DEVNET_PORT_IN_USE"
    http_status = 409
