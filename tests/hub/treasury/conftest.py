"""The treasury tests reuse the payout tests' hub (in-process devnet, in-process signer, batcher)."""

from __future__ import annotations

from tests.hub.payouts.conftest import payout_hub

__all__ = ["payout_hub"]
