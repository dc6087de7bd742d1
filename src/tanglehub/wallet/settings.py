"""What a wallet is bound to (:class:`WalletSettings`: coin type and network), the node check, the node pool
a wallet uses, and the checks of the arguments ``Wallet.create``/``open``/``restore`` share."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from tanglehub.keys.errors import DerivationError
from tanglehub.keys.slip10 import check_coin_type as keys_check_coin_type
from tanglehub.node import NodeInfo, NodePool, TransportFactory
from tanglehub.wallet.errors import StorageError, WalletArgumentError, WalletNetworkMismatchError

__all__ = [
    "PROTOCOL_PARAMETERS_META_KEY",
    "WalletSettings",
    "check_coin_type",
    "check_network",
    "check_paths",
    "make_directory",
    "make_pool",
]


class WalletSettings:
    """What a wallet is bound to: coin type and network (stored in the database's meta table)."""

    __slots__ = ("bech32_hrp", "coin_type", "network_id", "network_name")

    def __init__(self, coin_type: int, network_name: str, bech32_hrp: str, network_id: int) -> None:
        self.coin_type = coin_type
        self.network_name = network_name
        self.bech32_hrp = bech32_hrp
        self.network_id = network_id

    @classmethod
    def from_meta(cls, meta: dict[str, str]) -> WalletSettings:
        """Read the settings from the meta table."""
        return cls(int(meta["coin_type"]), meta["network_name"], meta["bech32_hrp"], int(meta["network_id"]))

    def to_meta(self) -> dict[str, str | int]:
        """The meta entries of these settings."""
        return {
            "coin_type": self.coin_type,
            "network_name": self.network_name,
            "bech32_hrp": self.bech32_hrp,
            "network_id": self.network_id,
        }


PROTOCOL_PARAMETERS_META_KEY = "protocol_parameters"
"""Meta entry holding the node's last protocol parameters (canonical JSON of ``info.protocol``), so that
``Wallet.open(offline=True)`` can open the wallet without a node."""


def check_network(settings: WalletSettings, info: NodeInfo, what: str = "wallet") -> None:
    """Refuse a node whose network name or HRP differs from ``settings``."""
    if info.network_name != settings.network_name or info.bech32_hrp != settings.bech32_hrp:
        raise WalletNetworkMismatchError(
            f"the node serves network {info.network_name!r} (hrp {info.bech32_hrp!r}) but the {what} belongs to "
            f"{settings.network_name!r} (hrp {settings.bech32_hrp!r}); connect to a node of that network"
        )


def check_paths(path: object, password: object) -> Path:
    """``path`` as a Path and ``password`` as non-empty text, or WalletArgumentError."""
    if not isinstance(path, str | os.PathLike) or not str(path):
        raise WalletArgumentError(f"a wallet or backup path must be a file system path, got {type(path).__name__}")
    if not isinstance(password, str) or not password:
        raise WalletArgumentError("a wallet password must be non-empty text")
    return Path(path)


def check_coin_type(coin_type: object) -> int:
    """A supported BIP44 coin type (4218 IOTA or 4219 Shimmer: the rule of
    :func:`tanglehub.keys.slip10.check_coin_type`, shared with ``tanglehub keys derive``), or
    WalletArgumentError."""
    try:
        return keys_check_coin_type(coin_type)
    except DerivationError as exc:
        raise WalletArgumentError(str(exc)) from None


def make_pool(
    node_urls: Sequence[str] | None, pool: NodePool | None, transport_factory: TransportFactory | None
) -> tuple[NodePool, bool]:
    """The node pool to use and whether the wallet owns (and must close) it."""
    if not isinstance(pool, NodePool | None):
        raise WalletArgumentError(f"pool must be a NodePool, got {type(pool).__name__}")
    if pool is not None:
        if node_urls is not None:
            raise WalletArgumentError("pass either node_urls or pool, not both")
        return pool, False
    if node_urls is None or (isinstance(node_urls, Sequence) and len(node_urls) == 0):
        raise WalletArgumentError("a wallet needs node_urls (or a NodePool) to talk to the network")
    if (
        isinstance(node_urls, str)
        or not isinstance(node_urls, Sequence)
        or not all(isinstance(u, str) and u for u in node_urls)
    ):
        raise WalletArgumentError("node_urls must be a list of URLs (text), e.g. ['http://localhost:14265']")
    return NodePool(list(node_urls), transport_factory=transport_factory), True


def make_directory(directory: Path) -> None:
    """Create the wallet directory (mode 0700, parents too) if needed, or raise StorageError saying why not."""
    if directory.exists() and not directory.is_dir():
        raise StorageError(
            f"cannot create the wallet directory {directory}: it is not a folder (a file has that name)"
        )
    bad_parent = next((p for p in directory.parents if p.exists() and not p.is_dir()), None)
    if bad_parent is not None:
        raise StorageError(f"cannot create the wallet directory {directory}: {bad_parent} is not a folder")
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create the wallet directory {directory}: {exc.strerror or exc}") from exc
