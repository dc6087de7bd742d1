"""Parameter-dependent syntactic rules for transactions and blocks."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from tests.reference import VECTORS

from tanglehub.errors import ProtocolValidationError
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.block import Block
from tanglehub.protocol.errors import (
    InvalidBlockError,
    InvalidMilestoneError,
    InvalidTransactionError,
    NetworkIdMismatchError,
)
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output import BasicOutput
from tanglehub.protocol.output.unlock_conditions import AddressUnlockCondition
from tanglehub.protocol.params import DEVNET, ProtocolParameters
from tanglehub.protocol.payload import MilestonePayload, TaggedDataPayload, TransactionEssence, TransactionPayload
from tanglehub.protocol.syntax import validate_block, validate_transaction
from tanglehub.protocol.unlock import Ed25519Signature, SignatureUnlock

BLOCKS = json.loads((VECTORS / "iota-sdk/python_test_block_dicts.json").read_text())
OWNER = AddressUnlockCondition(Ed25519Address(b"\x07" * 32))
SIG = SignatureUnlock(Ed25519Signature(b"\x01" * 32, b"\x02" * 64))


def _tx(*outputs: BasicOutput, network_id: int | None = None) -> TransactionPayload:
    essence = TransactionEssence(
        network_id=DEVNET.network_id if network_id is None else network_id,
        inputs=(UtxoInput(b"\x03" * 32, 0),),
        inputs_commitment=b"\x00" * 32,
        outputs=outputs or (BasicOutput(1_000_000, (OWNER,)),),
    )
    return TransactionPayload(essence, (SIG,))


def _testnet_params() -> ProtocolParameters:
    # the real blocks are from a Shimmer testnet with network id 1856588631910923207 ("testnet-1")
    return replace(DEVNET, network_name="testnet-1", bech32_hrp="rms")


def test_valid_transaction_passes() -> None:
    validate_transaction(_tx(), DEVNET)
    validate_block(Block(2, (b"\x01" * 32,), _tx(), 0), DEVNET)


@pytest.mark.parametrize("index", range(5))
def test_real_blocks_pass_with_their_network(index: int) -> None:
    params = _testnet_params()
    assert params.network_id == 1856588631910923207
    validate_block(Block.from_json(BLOCKS[index]), params)


def test_network_id_mismatch() -> None:
    with pytest.raises(NetworkIdMismatchError, match="network id 1"):
        validate_transaction(_tx(network_id=1), DEVNET)


def test_total_amount_above_supply() -> None:
    half = DEVNET.token_supply // 2 + 1
    tx = _tx(BasicOutput(half, (OWNER,)), BasicOutput(half, (OWNER,)))
    with pytest.raises(InvalidTransactionError, match="token supply"):
        validate_transaction(tx, DEVNET)


def test_more_than_64_distinct_native_tokens() -> None:
    def out(start: int) -> BasicOutput:
        tokens = tuple(NativeToken(b"\x08" + i.to_bytes(37, "big"), 1) for i in range(start, start + 40))
        return BasicOutput(10_000_000, (OWNER,), tokens)

    with pytest.raises(InvalidTransactionError, match="distinct native tokens"):
        validate_transaction(_tx(out(0), out(40)), DEVNET)
    validate_transaction(_tx(out(0), out(20)), DEVNET)


def test_each_output_is_validated_against_params() -> None:
    with pytest.raises(ProtocolValidationError):
        validate_transaction(_tx(BasicOutput(1, (OWNER,))), DEVNET)


def test_block_protocol_version() -> None:
    with pytest.raises(InvalidBlockError, match="protocol version 3"):
        validate_block(Block(3, (b"\x01" * 32,), None, 0), DEVNET)


def test_block_too_large() -> None:
    block = Block(2, (b"\x01" * 32,), TaggedDataPayload(b"", b"\x00" * 32768), 0)
    with pytest.raises(InvalidBlockError, match="32768"):
        validate_block(block, DEVNET)


def test_milestone_protocol_version_must_match() -> None:
    real = Block.from_json(BLOCKS[4])
    assert isinstance(real.payload, MilestonePayload)
    essence = replace(real.payload.essence, protocol_version=3)
    block = replace(real, payload=replace(real.payload, essence=essence))
    with pytest.raises(InvalidMilestoneError, match="protocol version 3"):
        validate_block(block, _testnet_params())
