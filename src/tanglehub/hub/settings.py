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
    # -- part 2: withdrawals and payouts (PAYOUTS) ----------------------------------------------------
    withdrawal_approval_threshold: int | None = None
    """Withdrawals above this amount wait in ``awaiting_approval`` for an admin; None: none waits."""
    batch_wait: float = 1.0
    """The batcher waits at most this long after the oldest queued withdrawal before paying (or until
    ``batch_max`` are queued)."""
    batch_max: int = 127
    """Most withdrawal outputs in one transaction (the protocol allows 128 outputs; one is the remainder)."""
    batches_in_flight: int = 4
    """Most unconfirmed payout transactions at once (each spends its own inputs)."""
    reissue_after: float = 15.0
    """A submitted block not included after this many seconds is checked and, unless provably dead, the same
    payload is posted again in a new block."""
    payout_poll_interval: float = 0.2
    """How often the batcher looks at queued withdrawals and tracks in-flight batches."""
    hot_address_count: int = 1
    """Hot addresses derived through the signer (remainders go to hot address 0)."""
    # -- part 2: keys, sweeps, treasury (TREASURY) ----------------------------------------------------
    signer_ca: Path | None = None
    """The CA certificate (PEM) the signing server's certificate must chain to (remote signer mode)."""
    signer_client_cert: Path | None = None
    """The hub's client certificate (PEM) for mutual TLS with the signing server."""
    signer_client_key: Path | None = None
    """The private key (PEM) of the hub's client certificate (a TLS key, not a wallet key)."""
    signer_timeout: float = 30.0
    """Seconds the hub waits for one answer of the signing server."""
    cold_address: str | None = None
    """Bech32 address of cold storage (keys the hub never holds); surplus above ``hot_ceiling`` goes there."""
    withdrawal_max_amount: int = 2**64 - 1
    """In-process signer policy: the most one withdrawal may pay (smallest unit; default: no practical limit).
    A remote signer enforces its own policy file instead."""
    withdrawal_window_seconds: int = 86400
    """In-process signer policy: the rolling window of the two limits below (seconds)."""
    withdrawal_max_per_window: int = 2**64 - 1
    """In-process signer policy: the most all withdrawals signed in one window may pay."""
    withdrawal_max_per_address_per_window: int = 2**64 - 1
    """In-process signer policy: the most the withdrawals to one address in one window may pay."""
    sweep_min_outputs: int = 50
    """Sweep when at least this many credited deposit outputs wait (or the oldest is older than
    ``sweep_max_age``)."""
    sweep_max_age: float = 3600.0
    """Sweep any credited deposit output older than this many seconds, however few wait."""
    sweep_max_inputs: int = 128
    """Most deposit outputs one sweep transaction consumes (the protocol allows 128 inputs)."""
    treasury_interval: float = 5.0
    """How often the sweep/treasury worker checks the policy (seconds)."""
    hot_ceiling: int | None = None
    """Above this hot balance the surplus (down to ``hot_target``) goes to ``cold_address``; None: never."""
    hot_target: int | None = None
    """What the hot balance is brought down to when it passes the ceiling; None: the ceiling itself."""
    hot_floor: int | None = None
    """Below this hot balance a ``treasury.below_floor`` alert event fires (once per crossing); None: never."""
