"""What sending and tracking need from an account: its index, and from its wallet the coin type, the state
store, a node and a signer. :class:`tanglehub.wallet.account.Account` provides these; :class:`AccountHandle`
is the plain value to use when no ``Account`` object is at hand (tools, tests, a signing host)."""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from tanglehub.node.client import NodeClient
from tanglehub.node.models import NodeInfo
from tanglehub.node.pool import NodePool
from tanglehub.protocol.params import ProtocolParameters
from tanglehub.vault.signer import Signer
from tanglehub.wallet.storage import WalletStore

__all__ = [
    "VIEW_MAX_AGE",
    "AccountContext",
    "AccountHandle",
    "NodeApi",
    "NodeView",
    "WalletContext",
    "WalletHandle",
    "node_view",
    "recent_node_view",
    "remember_node_info",
]

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


VIEW_MAX_AGE = 60.0
"""Seconds a node view read by :func:`node_view` (or remembered from a sync's ``info``) serves
:func:`recent_node_view`. Its protocol parameters do not change within that time; its milestone time is at
most this much older than a fresh read would give (see :func:`recent_node_view` for why that is safe). It
must stay below :data:`~tanglehub.wallet.operations.transaction.select_inputs.EXPIRATION_MARGIN` (120 s):
an output whose expiration is further than that margin from the view's time has not expired when a
transaction prepared now is confirmed. (The official wallet library takes the local clock instead, checked
to lie within five minutes of the node's latest milestone time.)"""

_RECENT: weakref.WeakKeyDictionary[object, tuple[float, NodeInfo, NodeView | None]] = weakref.WeakKeyDictionary()
"""node -> (monotonic time the info request began, the info, its view once built)."""


def _view_of(info: NodeInfo) -> NodeView:
    ts = info.status.latest_milestone.timestamp
    now = int(ts) if ts else int(time.time())
    return NodeView(
        params=info.protocol_parameters(),
        now=now,
        min_pow_score=info.min_pow_score,
        remote_pow="pow" in info.features,
        protocol_version=info.protocol_version,
    )


def remember_node_info(node: NodeApi, info: NodeInfo, asked_at: float) -> None:
    """Keep ``info`` (requested at monotonic time ``asked_at``) as ``node``'s most recent view, unless a newer
    one is kept already (a sync's ``info`` serves the sends that follow it)."""
    try:
        kept = _RECENT.get(node)
        if kept is None or kept[0] <= asked_at:
            _RECENT[node] = (asked_at, info, None)
    except TypeError:  # pragma: no cover - a node object that cannot be weakly referenced: nothing is kept
        pass


async def node_view(node: NodeApi) -> NodeView:
    """Read the node's info once: parameters, the latest milestone time (else the wall clock), PoW (the view
    is also kept for :func:`recent_node_view`)."""
    asked_at = time.monotonic()
    info: NodeInfo = await node.get_info()
    view = _view_of(info)
    try:
        kept = _RECENT.get(node)
        if kept is None or kept[0] <= asked_at:
            _RECENT[node] = (asked_at, info, view)
    except TypeError:  # pragma: no cover - a node object that cannot be weakly referenced
        pass
    return view


async def recent_node_view(node: NodeApi, max_age: float = VIEW_MAX_AGE) -> NodeView:
    """The node view read (or a sync's ``info`` requested) at most ``max_age`` seconds ago, else a fresh
    :func:`node_view`. What sending reads from it, as the official SDK caches its node info too.

    Why a view up to ``max_age`` seconds old is safe for sends: its protocol parameters are the network's
    (they change only with a protocol upgrade, which a node announces well ahead); its milestone time is
    older than the node's, never newer. Milestone time only moves forward and the transaction is confirmed
    by a later milestone still, so an older time only makes outputs look less spendable: a timelock that has
    just passed still looks locked, an expiration that has just passed still looks pending (such an output
    is ``CLAIMABLE`` at most, which a send never takes); an output ``SPENDABLE`` at the older time is
    spendable at every later one, but for an output that expires (back to its sender): selection keeps
    :data:`~tanglehub.wallet.operations.transaction.select_inputs.EXPIRATION_MARGIN` (120 s, more than
    :data:`VIEW_MAX_AGE`) to its expiration, so it has not expired when the transaction is confirmed. Claims,
    which do take ``CLAIMABLE`` outputs, read a fresh view, and keep the same margin to the expiration."""
    try:
        kept = _RECENT.get(node)
    except TypeError:  # pragma: no cover - a node object that cannot be weakly referenced
        kept = None
    if kept is not None and time.monotonic() - kept[0] <= max_age:
        asked_at, info, view = kept
        if view is None:
            view = _view_of(info)
            _RECENT[node] = (asked_at, info, view)
        return view
    return await node_view(node)
