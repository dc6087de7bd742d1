"""What sending and tracking need from an account: its index, and from its wallet the coin type, the state
store, a node and a signer. :class:`tanglehub.wallet.account.Account` provides these; :class:`AccountHandle`
is the plain value to use when no ``Account`` object is at hand (tools, tests, a signing host)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from tanglehub.node.client import NodeClient
from tanglehub.node.models import NodeInfo
from tanglehub.node.pool import NodePool
from tanglehub.protocol.params import ProtocolParameters
from tanglehub.vault.signer import Signer
from tanglehub.wallet.storage import WalletStore

__all__ = ["AccountContext", "AccountHandle", "NodeApi", "NodeView", "WalletContext", "WalletHandle", "node_view"]

NodeApi = NodeClient | NodePool
"""A single node or a pool of them."""


@runtime_checkable
class WalletContext(Protocol):
    """The wallet-wide things sending needs (:class:`tanglehub.wallet.wallet.Wallet` provides them)."""

    @property
    def coin_type(self) -> int:
        """The BIP44 coin type of the wallet (4218 IOTA, 4219 Shimmer)."""
        ...

    @property
    def store(self) -> WalletStore:
        """The wallet's state database."""
        ...

    @property
    def node(self) -> NodeApi:
        """The node (or pool) to talk to."""
        ...

    @property
    def signer(self) -> Signer:
        """The signer holding the wallet's keys."""
        ...


@runtime_checkable
class AccountContext(Protocol):
    """The account every send/track operation works on (:class:`tanglehub.wallet.account.Account`)."""

    @property
    def index(self) -> int:
        """The account's BIP44 account index (its key in the state store)."""
        ...

    @property
    def wallet(self) -> WalletContext:
        """The wallet the account belongs to."""
        ...


@dataclass(frozen=True, slots=True)
class WalletHandle:
    """A plain :class:`WalletContext` (tools, tests, a signing host)."""

    coin_type: int
    store: WalletStore
    node: NodeApi
    signer: Signer
    bech32_hrp: str = "tst"


@dataclass(frozen=True, slots=True)
class AccountHandle:
    """A plain :class:`AccountContext`."""

    index: int
    wallet: WalletHandle


@dataclass(frozen=True, slots=True)
class NodeView:
    """What the node says right now: its protocol parameters, the time to check locks at, PoW duty."""

    params: ProtocolParameters
    now: int
    min_pow_score: int
    remote_pow: bool
    protocol_version: int


async def node_view(node: NodeApi) -> NodeView:
    """Read the node's info once: parameters, the latest milestone time (else the wall clock), PoW."""
    info: NodeInfo = await node.get_info()
    ts = info.status.latest_milestone.timestamp
    now = int(ts) if ts else int(time.time())
    return NodeView(
        params=info.protocol_parameters(),
        now=now,
        min_pow_score=info.min_pow_score,
        remote_pow="pow" in info.features,
        protocol_version=info.protocol_version,
    )
