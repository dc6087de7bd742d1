"""Shared wallet test fixtures: an in-process devnet (manual milestones) and a wallet factory.

Use them from a ``conftest.py`` (``from tests.wallet_fixtures import devnet, wallet_factory  # noqa: F401``).

* ``devnet`` -> :class:`Devnet`: ``devnet.pool()`` a NodePool on the in-process app (no sockets),
  ``await devnet.milestone()`` issues one milestone, ``await devnet.fund(bech32, times=1)`` pays faucet
  requests and confirms them with a milestone, ``devnet.node`` is the DevnetNode itself.
  ``await devnet.transact(private_key, input_ids, outputs)`` spends and confirms (helpers
  ``private_key_of(mnemonic, account, index)``, ``address_of(key)``, ``devnet.unspent_of(address)``).
* ``wallet_factory`` -> ``await make(name="w", *, mnemonic=None, coin_type=4219, alias="main",
  funded=0)``: a wallet in ``tmp_path/name`` (fast KDF, no idle lock) with one account ``alias``; ``funded``
  faucet payments to its first address, confirmed and synced. Every wallet is closed after the test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tanglehub.devnet.app import create_app
from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.node import DevnetNode
from tanglehub.keys.bip39 import mnemonic_to_seed
from tanglehub.keys.ed25519 import public_key, sign
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE, Bip44, derive_path
from tanglehub.node import NodePool
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.block import PROTOCOL_VERSION, Block
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import Output
from tanglehub.protocol.payload import TransactionEssence, TransactionPayload, inputs_commitment
from tanglehub.protocol.unlock import Ed25519Signature, ReferenceUnlock, SignatureUnlock
from tanglehub.vault import KdfParams
from tanglehub.wallet import Wallet

MNEMONIC = (
    "giant dynamic museum toddler six deny defense ostrich bomb access mercy blood explain muscle shoot shallow "
    "glad autumn author calm heavy hawk abuse rally"
)
"""A fixed test mnemonic (never use it for real funds)."""
DEVNET_URL = "http://devnet.test"
PASSWORD = "correct horse battery staple"


@dataclass
class Devnet:
    """An in-process devnet node with manual milestones, reachable through httpx.ASGITransport."""

    node: DevnetNode
    app: object
    pools: list[NodePool] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The (virtual) URL of the node."""
        return DEVNET_URL

    def transport_factory(self, url: str) -> httpx.AsyncBaseTransport:
        """A transport that calls the app in-process (for ``NodePool(transport_factory=...)``)."""
        return httpx.ASGITransport(self.app)  # type: ignore[arg-type]

    def pool(self) -> NodePool:
        """A node pool on this devnet (closed after the test)."""
        pool = NodePool([DEVNET_URL], transport_factory=self.transport_factory, max_milestone_age=None)
        self.pools.append(pool)
        return pool

    async def _post(self, path: str, body: dict[str, str] | None = None) -> dict[str, object]:
        async with httpx.AsyncClient(transport=self.transport_factory(DEVNET_URL), base_url=DEVNET_URL) as c:
            response = await c.post(path, json=body or {})
            response.raise_for_status()
            data: dict[str, object] = response.json()
            return data

    async def milestone(self) -> int:
        """Issue one milestone now; returns its index."""
        data = await self._post("/api/devnet/v1/milestones")
        return int(str(data["index"]))

    async def faucet(self, address: str) -> None:
        """Ask the faucet to pay ``address`` (not yet confirmed)."""
        await self._post("/api/plugins/faucet/v1/enqueue", {"address": address})

    async def fund(self, address: str, times: int = 1) -> int:
        """Pay ``address`` ``times`` faucet amounts and confirm them; returns the milestone index."""
        for _ in range(times):
            await self.faucet(address)
        return await self.milestone()

    async def transact(self, private_key: bytes, input_ids: list[bytes], outputs: list[Output]) -> bytes:
        """Spend ``input_ids`` (all owned by ``private_key``) into ``outputs``, confirm; returns the tx id."""
        consumed = [self.node.output(oid).output for oid in input_ids]
        essence = TransactionEssence(
            network_id=self.node.network_id,
            inputs=tuple(UtxoInput.from_output_id(o) for o in input_ids),
            inputs_commitment=inputs_commitment(consumed),
            outputs=tuple(outputs),
        )
        first = SignatureUnlock(Ed25519Signature(public_key(private_key), sign(private_key, essence.hash())))
        payload = TransactionPayload(essence, (first, *(ReferenceUnlock(0) for _ in input_ids[1:])))
        self.node.submit_block(Block(PROTOCOL_VERSION, tuple(self.node.tips()), payload, 0))
        await self.milestone()
        return payload.transaction_id()

    def unspent_of(self, address: Ed25519Address) -> list[bytes]:
        """Unspent output ids the devnet ledger holds for ``address``."""
        return list(self.node.indexer.oids_for_address(bytes(address.to_bytes())))

    @property
    def faucet_amount(self) -> int:
        """What one faucet request pays."""
        return self.node.config.faucet_amount


@pytest.fixture
async def devnet() -> AsyncIterator[Devnet]:
    """An in-memory devnet with manual milestones."""
    node = DevnetNode(DevnetConfig(milestone_interval=0))
    d = Devnet(node, create_app(node=node))
    yield d
    for pool in d.pools:
        await pool.aclose()
    node.close()


def private_key_of(mnemonic: str, account: int, index: int = 0, internal: bool = False) -> bytes:
    """The Shimmer-coin-type private key of one address of ``mnemonic`` (test helper)."""
    chain = Bip44(SHIMMER_COIN_TYPE, account, int(internal), index)
    return derive_path(mnemonic_to_seed(mnemonic), chain.path).private_key


def address_of(private_key: bytes) -> Ed25519Address:
    """The Ed25519 address of a private key."""
    return Ed25519Address.from_public_key(public_key(private_key))


WalletFactory = Callable[..., Awaitable[Wallet]]


@pytest.fixture
async def wallet_factory(devnet: Devnet, tmp_path: Path) -> AsyncIterator[WalletFactory]:
    """Build wallets on the devnet (see the module docstring)."""
    wallets: list[Wallet] = []

    async def make(
        name: str = "w",
        *,
        mnemonic: str | None = None,
        coin_type: int = SHIMMER_COIN_TYPE,
        alias: str | None = "main",
        funded: int = 0,
    ) -> Wallet:
        wallet = await Wallet.create(
            tmp_path / name,
            password=PASSWORD,
            coin_type=coin_type,
            pool=devnet.pool(),
            mnemonic=mnemonic,
            kdf=KdfParams.MINIMUM,
            idle_timeout=None,
        )
        wallets.append(wallet)
        if alias is not None:
            account = await wallet.create_account(alias)
            if funded:
                address = (await account.addresses(internal=False))[0].bech32
                await devnet.fund(address, funded)
                await account.sync()
        return wallet

    yield make
    for wallet in wallets:
        await wallet.close()


async def wallet_through(devnet: Devnet, path: Path, transport: httpx.AsyncBaseTransport) -> Wallet:
    """A new wallet of the test mnemonic in ``path`` whose node requests all go through ``transport`` (a
    logging or fault-injecting wrapper around ``devnet.transport_factory(devnet.url)``); the caller closes it."""
    pool = NodePool([DEVNET_URL], transport_factory=lambda url: transport, max_milestone_age=None)
    devnet.pools.append(pool)
    return await Wallet.create(
        path,
        password=PASSWORD,
        coin_type=SHIMMER_COIN_TYPE,
        pool=pool,
        mnemonic=MNEMONIC,
        kdf=KdfParams.MINIMUM,
        idle_timeout=None,
    )


async def open_again(devnet: Devnet, path: Path, **kwargs: object) -> Wallet:
    """Open an existing wallet directory on the devnet (the caller closes it)."""
    return await Wallet.open(path, password=PASSWORD, pool=devnet.pool(), idle_timeout=None, **kwargs)  # type: ignore[arg-type]
