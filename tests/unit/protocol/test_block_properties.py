"""Property tests: random valid blocks survive binary and JSON round trips exactly."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from tests.strategies.transactions import blocks, transaction_payloads

from tanglehub.protocol.block import Block
from tanglehub.protocol.payload import TransactionPayload

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(block=blocks())
def test_binary_round_trip(block: Block) -> None:
    assert Block.from_bytes(block.to_bytes()) == block


@SETTINGS
@given(block=blocks())
def test_json_round_trip_is_exact(block: Block) -> None:
    text = json.dumps(block.to_json())
    again = Block.from_json(json.loads(text))
    assert again == block
    assert again.to_json() == json.loads(text)
    assert again.block_id() == block.block_id()


@SETTINGS
@given(tx=transaction_payloads())
def test_transaction_round_trip(tx: TransactionPayload) -> None:
    assert TransactionPayload.from_bytes(tx.to_bytes()) == tx
    assert TransactionPayload.from_json(tx.to_json()) == tx
