"""Configuration of the local devnet node (injected into :func:`tanglehub.devnet.app.create_app`).

The defaults follow a Hornet private tangle: network name ``tanglehub-devnet``, HRP ``tst``, rent structure
as Shimmer (100/1/10), min PoW score 0, Shimmer's token supply, one milestone per second.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from tanglehub.devnet.errors import DevnetConfigError
from tanglehub.devnet.faults import FaultSettings
from tanglehub.protocol.params import DEVNET, ProtocolParameters

__all__ = ["DEFAULT_FAUCET_AMOUNT", "DevnetConfig"]

DEFAULT_FAUCET_AMOUNT = 1_000_000_000
"""What one faucet request pays by default (1000 SMR-like tokens of 6 decimals)."""


@dataclass(frozen=True, slots=True)
class DevnetConfig:
    """Everything the devnet node needs to start; every value has a local-devnet default."""

    host: str = "127.0.0.1"
    port: int = 14265
    data_dir: Path | None = None
    milestone_interval: float = 1.0
    network_name: str = DEVNET.network_name
    hrp: str = DEVNET.bech32_hrp
    min_pow_score: int = DEVNET.min_pow_score
    below_max_depth: int = DEVNET.below_max_depth
    faucet_amount: int = DEFAULT_FAUCET_AMOUNT
    faucet_mnemonic: str | None = None
    max_tips: int = 4
    page_size_max: int = 1000
    faults: FaultSettings = field(default_factory=FaultSettings)
    node_name: str = "tanglehub-devnet"
    node_version: str = "2.0.0-tanglehub"

    def __post_init__(self) -> None:
        if self.milestone_interval < 0:
            raise DevnetConfigError("milestone interval must be 0 (manual) or a positive number of seconds")
        if not 0 < self.port < 65536 and self.port != 0:
            raise DevnetConfigError(f"port {self.port} is outside 0..65535")
        if self.faucet_amount <= 0:
            raise DevnetConfigError("faucet amount must be a positive number of base units")
        if self.min_pow_score < 0:
            raise DevnetConfigError("min PoW score must not be negative")
        if not self.hrp or self.hrp != self.hrp.lower():
            raise DevnetConfigError(f"bech32 HRP {self.hrp!r} must be non-empty lower case")
        if self.max_tips < 1 or self.max_tips > 8:
            raise DevnetConfigError("max tips must be between 1 and 8")

    @property
    def manual_milestones(self) -> bool:
        """True when milestones are only issued on request (interval 0)."""
        return self.milestone_interval == 0

    def protocol_parameters(self) -> ProtocolParameters:
        """The protocol parameters of this devnet (the DEVNET preset with this config's overrides)."""
        return dataclasses.replace(
            DEVNET,
            network_name=self.network_name,
            bech32_hrp=self.hrp,
            min_pow_score=self.min_pow_score,
            below_max_depth=self.below_max_depth,
        )
