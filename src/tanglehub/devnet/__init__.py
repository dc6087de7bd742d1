"""tanglehub.devnet: a local Stardust node (core API v2, indexer v1, faucet, fault injection) for tests and drills.

Build one with :func:`create_app` (ASGI app) around a :class:`DevnetConfig`, or hold a :class:`DevnetNode`
directly; :class:`BackgroundServer` serves it on 127.0.0.1 from a thread, ``tanglehub devnet`` from the CLI.
"""

from __future__ import annotations

from tanglehub.devnet.app import create_app
from tanglehub.devnet.config import DEFAULT_FAUCET_AMOUNT, DevnetConfig
from tanglehub.devnet.errors import (
    DevnetBadRequest,
    DevnetConfigError,
    DevnetDataDirInUse,
    DevnetError,
    DevnetFaucetError,
    DevnetNotFound,
    DevnetPortInUse,
    DevnetStoreError,
    DevnetUnavailable,
    DevnetUnsupportedMedia,
)
from tanglehub.devnet.faults import Faults, FaultSettings
from tanglehub.devnet.genesis import DevnetKeys
from tanglehub.devnet.milestones import MAX_LEAD
from tanglehub.devnet.node import DevnetNode
from tanglehub.devnet.server import BackgroundServer, bind_port, free_port, serve

__all__ = [
    "BackgroundServer",
    "DEFAULT_FAUCET_AMOUNT",
    "DevnetBadRequest",
    "DevnetConfig",
    "DevnetConfigError",
    "DevnetDataDirInUse",
    "DevnetError",
    "DevnetFaucetError",
    "DevnetKeys",
    "DevnetNode",
    "DevnetNotFound",
    "DevnetPortInUse",
    "DevnetStoreError",
    "DevnetUnavailable",
    "DevnetUnsupportedMedia",
    "FaultSettings",
    "Faults",
    "MAX_LEAD",
    "bind_port",
    "create_app",
    "free_port",
    "serve",
]
