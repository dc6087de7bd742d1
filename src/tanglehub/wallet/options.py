"""Options of wallet operations (sync, output listings) as frozen value objects."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tanglehub.wallet.checks import check_int
from tanglehub.wallet.errors import WalletArgumentError

__all__ = ["DEFAULT_SYNC_CONCURRENCY", "OutputFilter", "SyncMode", "SyncOptions"]

DEFAULT_SYNC_CONCURRENCY = 16
"""Indexer queries (and output fetches) a sync keeps in flight at once."""


class SyncMode(StrEnum):
    """How a sync finds the wallet's outputs.

    * ``INDEXER``: ask the indexer for every address's outputs (cost grows with the number of addresses).
    * ``LEDGER``: follow confirmed milestones from the stored ledger cursor (cost grows with the ledger's new
      outputs, not with the number of addresses); the first ledger sync of a wallet runs an indexer sync to
      establish the starting state, then records the node's confirmed milestone as the cursor. Addresses
      stored later are looked up once through the indexer (``operations.discovery``), so outputs they got
      before the wallet knew them are found too.
    """

    INDEXER = "indexer"
    LEDGER = "ledger"


@dataclass(frozen=True, slots=True)
class SyncOptions:
    """What a sync does.

    ``concurrency`` bounds requests in flight; ``internal`` includes change addresses (indexer mode);
    ``max_milestones`` caps how many milestones one ledger sync reads (None = up to the confirmed one).
    """

    mode: SyncMode = SyncMode.INDEXER
    concurrency: int = DEFAULT_SYNC_CONCURRENCY
    internal: bool = True
    max_milestones: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.mode, SyncMode):
            try:
                object.__setattr__(self, "mode", SyncMode(self.mode))
            except ValueError:
                raise WalletArgumentError(f"sync mode must be 'indexer' or 'ledger', got {self.mode!r}") from None
        check_int(self.concurrency, "sync concurrency", 1)
        if self.max_milestones is not None:
            check_int(self.max_milestones, "max_milestones (or None)", 1)


@dataclass(frozen=True, slots=True)
class OutputFilter:
    """Filters of an output listing; every set field must match.

    ``spent``: True/False/None (either); ``address``: a bech32 address of the account; ``output_type``: 3
    basic, 4 alias, 5 foundry, 6 NFT; ``booked_after`` / ``booked_before``: unix-seconds range of the
    milestone that booked the output (after inclusive, before exclusive).
    """

    spent: bool | None = None
    address: str | None = None
    output_type: int | None = None
    booked_after: int | None = None
    booked_before: int | None = None

    def __post_init__(self) -> None:
        if self.output_type is not None and self.output_type not in (3, 4, 5, 6):
            raise WalletArgumentError(f"output type must be 3, 4, 5 or 6, got {self.output_type!r}")
        for name in ("booked_after", "booked_before"):
            value = getattr(self, name)
            if value is not None:
                check_int(value, f"{name} (unix time)", 0)
