"""Fixtures of the payout tests: a hub on the in-process devnet (``chain``) with an in-process signer over the
test mnemonic (the same policy checks as the signing server), and helpers to fund users and run the batcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from tests.hub.conftest import HUB_MNEMONIC, NODE_URL, Chain

from tanglehub.hub.context import HubContext, open_hub
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.signing import InProcessSigner, PoolDeadCheck
from tanglehub.hub.workers.batcher import Batcher
from tanglehub.node import NodePool
from tanglehub.vault import MnemonicSigner


@dataclass
class PayoutHub:
    """An open hub, its batcher, and the chain under it."""

    ctx: HubContext
    batcher: Batcher
    chain: Chain

    async def run(self, rounds: int = 1, milestones: bool = True) -> None:
        """``rounds`` batcher rounds, each followed by a milestone (so what was submitted gets confirmed)."""
        for _ in range(rounds):
            await self.batcher.round()
            if milestones:
                self.chain.milestone()


@pytest.fixture
async def payout_hub(hub_settings: HubSettings, chain: Chain) -> AsyncIterator[PayoutHub]:
    """A hub with a signer and a batcher on ``chain`` (batch_wait 0: every round pays what is queued)."""
    hub_settings.batch_wait = 0.0
    hub_settings.withdrawal_approval_threshold = 8_000_000
    hub_settings.reissue_after = 0.0
    hub_settings.data_dir.mkdir(parents=True, exist_ok=True)
    dead_pool = NodePool([NODE_URL], transport_factory=chain.transport_factory, max_milestone_age=None)
    mnemonic = MnemonicSigner(HUB_MNEMONIC)
    signer = InProcessSigner(hub_settings, mnemonic, dead_check=PoolDeadCheck(dead_pool))
    ctx = await open_hub(hub_settings, signer=signer, transport_factory=chain.transport_factory)
    info = await ctx.node.get_info()
    batcher = Batcher(ctx, signer, info.protocol_parameters(), info.min_pow_score)
    yield PayoutHub(ctx, batcher, chain)
    await ctx.aclose()
    await dead_pool.aclose()
    mnemonic.close()
