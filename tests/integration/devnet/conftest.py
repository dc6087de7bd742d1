"""Fixtures for the devnet integration tests: an in-memory devnet (manual milestones) driven in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

import httpx
import pytest

from tanglehub.devnet.app import create_app
from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.node import DevnetNode
from tanglehub.keys.bip39 import mnemonic_to_seed
from tanglehub.keys.ed25519 import public_key, sign
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE, Bip44, derive_path
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.block import PROTOCOL_VERSION, Block
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput, Output
from tanglehub.protocol.payload import TransactionEssence, TransactionPayload, inputs_commitment
from tanglehub.protocol.unlock import Ed25519Signature, ReferenceUnlock, SignatureUnlock

MNEMONIC = (
    "giant dynamic museum toddler six deny defense ostrich bomb access mercy blood explain muscle shoot shallow "
    "glad autumn author calm heavy hawk abuse rally"
)
FAUCET_AMOUNT = 10_000_000


@dataclass
class Actor:
    """A key pair with its address, able to build and sign simple transactions."""

    private: bytes
    node: DevnetNode

    @property
    def public(self) -> bytes:
        return public_key(self.private)

    @property
    def address(self) -> Ed25519Address:
        return Ed25519Address.from_public_key(self.public)

    @property
    def bech32(self) -> str:
        return self.address.to_bech32(self.node.params.bech32_hrp)

    def simple(self, amount: int, to: Ed25519Address | None = None) -> BasicOutput:
        return BasicOutput(amount=amount, unlock_conditions=(AddressUnlockCondition(to or self.address),))

    def transaction(
        self,
        input_ids: Sequence[bytes],
        outputs: Sequence[Output],
        *,
        signer: bytes | None = None,
        corrupt: bool = False,
    ) -> TransactionPayload:
        consumed = [self.node.output(oid).output for oid in input_ids]
        essence = TransactionEssence(
            network_id=self.node.network_id,
            inputs=tuple(UtxoInput.from_output_id(o) for o in input_ids),
            inputs_commitment=inputs_commitment(consumed),
            outputs=tuple(outputs),
        )
        key = signer or self.private
        message = essence.hash()
        if corrupt:
            message = bytes(32)
        signature = SignatureUnlock(Ed25519Signature(public_key(key), sign(key, message)))
        unlocks = (signature, *(ReferenceUnlock(0) for _ in input_ids[1:]))
        return TransactionPayload(essence, unlocks)

    def block(self, payload: TransactionPayload) -> Block:
        return Block(PROTOCOL_VERSION, tuple(self.node.tips()), payload, 0)


@pytest.fixture
def node() -> DevnetNode:
    return DevnetNode(DevnetConfig(milestone_interval=0, faucet_mnemonic=MNEMONIC, faucet_amount=FAUCET_AMOUNT))


@pytest.fixture
def actor(node: DevnetNode) -> Callable[[int], Actor]:
    seed = mnemonic_to_seed(MNEMONIC)

    def make(index: int) -> Actor:
        key = derive_path(seed, Bip44(SHIMMER_COIN_TYPE, 1, 0, index).path).private_key
        return Actor(key, node)

    return make


@pytest.fixture
async def client(node: DevnetNode) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(node=node)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://devnet") as c:
        yield c
