"""Hub test fixtures: the database parametrized over SQLite and PostgreSQL, an in-process devnet with a
controllable clock, and an open :class:`HubContext` on both.

* ``db_kind``: ``"sqlite"`` or ``"postgres"`` (skipped unless ``TANGLEHUB_TEST_POSTGRES_URL`` is set; each
  test gets a fresh schema in that database, dropped afterwards).
* ``hub_settings``: :class:`HubSettings` on ``tmp_path`` and that database.
* ``chain``: :class:`Chain`, an in-process devnet (manual milestones, clock you can move forward) with a
  funded payer key and helpers to pay hub addresses with any outputs.
* ``hub``: an open :class:`HubContext` on ``chain`` whose addresses come from :data:`HUB_MNEMONIC`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tanglehub.devnet.app import create_app
from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.node import DevnetNode
from tanglehub.hub.addresses.source import SignerAddressSource
from tanglehub.hub.context import HubContext, open_hub
from tanglehub.hub.settings import HubSettings
from tanglehub.keys.bip39 import mnemonic_to_seed
from tanglehub.keys.ed25519 import public_key, sign
from tanglehub.keys.slip10 import Bip44, derive_path
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.block import PROTOCOL_VERSION, Block
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput, Output
from tanglehub.protocol.payload import TransactionEssence, TransactionPayload, inputs_commitment
from tanglehub.protocol.unlock import Ed25519Signature, ReferenceUnlock, SignatureUnlock
from tanglehub.vault import MnemonicSigner

PG_ENV = "TANGLEHUB_TEST_POSTGRES_URL"
HUB_MNEMONIC = (
    "giant dynamic museum toddler six deny defense ostrich bomb access mercy blood explain muscle shoot shallow "
    "glad autumn author calm heavy hawk abuse rally"
)
"""The hub's test mnemonic (never for real funds)."""
COIN_TYPE = 4219
NODE_URL = "http://devnet.test"


def _pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_kind(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on."""
    kind: str = request.param
    if kind == "postgres" and not os.environ.get(PG_ENV):
        pytest.skip(f"{PG_ENV} is not set")
    return kind


@pytest.fixture
def database_url(db_kind: str, tmp_path: Path) -> Iterator[str | None]:
    """None for SQLite (in ``tmp_path``), else a PostgreSQL URL on a fresh schema dropped after the test."""
    if db_kind == "sqlite":
        yield None
        return
    base = os.environ[PG_ENV]
    schema = "t_" + uuid.uuid4().hex[:16]
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield _pg_schema_url(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def hub_settings(tmp_path: Path, database_url: str | None) -> HubSettings:
    """Hub settings for a test: data in ``tmp_path``, the parametrized database, small pool batches."""
    return HubSettings(
        data_dir=tmp_path / "hub",
        database_url=database_url,
        node_urls=(NODE_URL,),
        address_pool_target=20,
        address_pool_low_water=5,
        address_pool_batch=10,
        min_deposit=100_000,
        scan_batch=5,
        scan_poll_interval=0.05,
    )


def key_of(mnemonic: str, account: int, index: int = 0) -> bytes:
    """The private key of address ``index`` of ``account`` (coin type 4219) of ``mnemonic``."""
    return derive_path(mnemonic_to_seed(mnemonic), Bip44(COIN_TYPE, account, 0, index).path).private_key


def plain(amount: int, address: Ed25519Address, *conditions: object, **kw: object) -> BasicOutput:
    """A Basic output to ``address`` with extra unlock conditions/features."""
    ucs = (AddressUnlockCondition(address), *conditions)
    return BasicOutput(amount=amount, unlock_conditions=ucs, **kw)  # type: ignore[arg-type]


@dataclass
class Chain:
    """An in-process devnet whose clock the test moves (``chain.now``), and a payer funded from the faucet."""

    node: DevnetNode
    app: object
    now: list[float]
    payer_key: bytes = field(default=b"")

    def transport_factory(self, url: str) -> httpx.AsyncBaseTransport:
        """An in-process transport to the devnet app."""
        return httpx.ASGITransport(self.app)  # type: ignore[arg-type]

    @property
    def payer(self) -> Ed25519Address:
        """The payer's address."""
        return Ed25519Address.from_public_key(public_key(self.payer_key))

    def milestone(self) -> int:
        """Issue a milestone (the clock moves one second first)."""
        self.now[0] += 1
        return self.node.issue_milestone()

    def advance(self, seconds: float) -> None:
        """Move the devnet clock forward."""
        self.now[0] += seconds

    def fund_payer(self, times: int = 2) -> None:
        """Faucet payments to the payer, confirmed."""
        for _ in range(times):
            self.node.faucet.pay(self.payer)
            self.milestone()

    def pay(self, outputs: list[Output]) -> bytes:
        """Spend all the payer's outputs into ``outputs`` plus a remainder back, confirm; returns the tx id."""
        inputs = list(self.node.indexer.oids_for_address(self.payer.to_bytes()))
        consumed = [self.node.output(oid).output for oid in inputs]
        total = sum(int(getattr(o, "amount", 0)) for o in consumed)
        rest = total - sum(int(getattr(o, "amount", 0)) for o in outputs)
        assert rest >= 0, "the payer has too little; fund it more"
        outs = [*outputs, plain(rest, self.payer)] if rest else list(outputs)
        essence = TransactionEssence(
            network_id=self.node.network_id,
            inputs=tuple(UtxoInput.from_output_id(o) for o in inputs),
            inputs_commitment=inputs_commitment(consumed),
            outputs=tuple(outs),
        )
        first = SignatureUnlock(Ed25519Signature(public_key(self.payer_key), sign(self.payer_key, essence.hash())))
        payload = TransactionPayload(essence, (first, *(ReferenceUnlock(0) for _ in inputs[1:])))
        self.node.submit_block(Block(PROTOCOL_VERSION, tuple(self.node.tips()), payload, 0))
        self.milestone()
        return payload.transaction_id()


@pytest.fixture
def chain() -> Iterator[Chain]:
    """An in-process devnet with manual milestones and a movable clock, and a funded payer."""
    import time

    now = [float(int(time.time()))]
    node = DevnetNode(DevnetConfig(milestone_interval=0), clock=lambda: now[0])
    c = Chain(node, create_app(node=node), now, key_of(HUB_MNEMONIC, 7))
    yield c
    node.close()


@pytest.fixture
async def hub(hub_settings: HubSettings, chain: Chain) -> AsyncIterator[HubContext]:
    """An open hub on ``chain`` and the parametrized database; addresses from :data:`HUB_MNEMONIC`."""
    signer = MnemonicSigner(HUB_MNEMONIC)
    ctx = await open_hub(
        hub_settings,
        address_source=SignerAddressSource(signer, COIN_TYPE),
        transport_factory=chain.transport_factory,
    )
    yield ctx
    await ctx.aclose()
    signer.close()
