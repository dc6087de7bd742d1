"""The hub's configuration (:class:`HubSettings`): a TOML file plus ``TANGLEHUB_HUB_*`` environment variables.

Every value has a safe default for the local devnet and none for secrets. Precedence, lowest first: the
defaults here, ``<data-dir>/hub.toml`` (or the file given with ``--config``), then environment variables named
``TANGLEHUB_HUB_<FIELD>`` in upper case (for example ``TANGLEHUB_HUB_DATABASE_URL``). Amounts are integers of
the smallest unit; durations are seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["HubSettings", "SdrucPolicy"]

SdrucPolicy = Literal["leave", "claim"]
"""What the scanner does with a deposit carrying a storage deposit return + expiration: leave it to expire
back to its sender (default) or claim it and credit the net amount once the claim confirms."""


@dataclass(slots=True)
class HubSettings:
    """Everything a hub process needs to know; built by :func:`tanglehub.hub.config.load_settings`."""

    data_dir: Path = field(default_factory=lambda: Path("./hub-data"))
    database_url: str | None = None
    """SQLAlchemy URL; None means SQLite at ``<data_dir>/hub.db`` (WAL)."""
    node_urls: tuple[str, ...] = ("http://127.0.0.1:14265",)
    network_name: str = "tanglehub-devnet"
    """Checked against the node's ``info`` at start: a hub for one network refuses a node of another."""
    bech32_hrp: str = "tst"
    coin_type: int = 4219
    deposit_account: int = 0
    """The BIP44 account whose public chain (change 0) holds the deposit addresses, one index per address."""
    hot_account: int = 1
    """The BIP44 account for hub-owned hot addresses (sweeps, remainders); used by part 2."""
    address_pool_target: int = 1000
    """How many pre-derived, unassigned deposit addresses the pool keeps ready."""
    address_pool_low_water: int = 250
    """Below this many unassigned addresses the background refill derives another batch."""
    address_pool_batch: int = 500
    min_deposit: int = 0
    """Deposits below this amount are recorded but not credited (class ``below_minimum``)."""
    confirmation_depth: int = 0
    """Extra milestones to wait after confirmation before crediting (0: a milestone is final)."""
    sdruc_policy: SdrucPolicy = "leave"
    scan_batch: int = 50
    """Milestones processed per database transaction while catching up."""
    scan_poll_interval: float = 0.5
    api_host: str = "127.0.0.1"
    api_port: int = 8080
    webhook_timeout: float = 10.0
    webhook_max_age: float = 48 * 3600.0
    """Deliveries are retried with exponential backoff for this long (at least 24 hours) before giving up."""
    webhook_retry_base: float = 5.0
    """The first retry waits this long; each further one waits twice as long, up to ``webhook_retry_max``."""
    webhook_retry_max: float = 3600.0
    """The longest wait between two attempts of one delivery."""
    webhook_poll_interval: float = 0.5
    """How often the webhook worker looks for new events and due retries when idle."""
    webhook_concurrency: int = 8
    """Deliveries in flight at once."""
    stream_poll_interval: float = 0.2
    """How often an idle ``/v1/events/stream`` connection looks for new events."""
    stream_heartbeat: float = 15.0
    """Seconds between heartbeat comments on an idle event stream (keeps proxies from closing it)."""
    signer_url: str | None = None
    """Set when the keys live in a signing server (issue "Signing server"); None uses the local vault."""
