"""Syntactic validation that needs protocol parameters (TIP-20 transactions, TIP-24 blocks).

Rules that need no parameters (input/output counts, duplicate inputs, unlock references, sorted parents,
payload kinds, a milestone block's nonce and parents) run when an object is built or decoded, so every
value these functions receive already obeys them. The functions here add the rules that need
parameters or the whole object: network id, protocol version, block size, total amount against the token
supply, distinct native tokens, and each output's own ``validate(params)`` (storage deposit and the
like). PoW is checked separately (:mod:`tanglehub.protocol.pow`).
"""

from __future__ import annotations

from tanglehub.protocol.block import MAX_BLOCK_LENGTH, Block
from tanglehub.protocol.errors import (
    InvalidBlockError,
    InvalidMilestoneError,
    InvalidTransactionError,
    NetworkIdMismatchError,
)
from tanglehub.protocol.params import ProtocolParameters
from tanglehub.protocol.payload import MilestonePayload, TransactionPayload

__all__ = ["MAX_DISTINCT_NATIVE_TOKENS", "validate_block", "validate_transaction"]

MAX_DISTINCT_NATIVE_TOKENS = 64
"""Most distinct native token ids the outputs of one transaction may carry."""


def validate_transaction(payload: TransactionPayload, params: ProtocolParameters) -> None:
    """Check a transaction payload's syntactic rules against ``params``.

    Raises a :class:`~tanglehub.errors.ProtocolValidationError` subclass naming the first broken rule.
    """
    essence = payload.essence
    if essence.network_id != params.network_id:
        raise NetworkIdMismatchError(
            f"the transaction is for network id {essence.network_id}, but network "
            f"'{params.network_name}' has id {params.network_id}"
        )
    total = 0
    tokens: set[bytes] = set()
    for output in essence.outputs:
        output.validate(params)
        total += output.amount
        if total > params.token_supply:
            raise InvalidTransactionError(
                f"the outputs hold more than the total token supply ({params.token_supply})"
            )
        tokens.update(nt.token_id for nt in output.native_tokens)
    if len(tokens) > MAX_DISTINCT_NATIVE_TOKENS:
        raise InvalidTransactionError(
            f"the outputs carry {len(tokens)} distinct native tokens, more than the allowed "
            f"{MAX_DISTINCT_NATIVE_TOKENS}"
        )


def validate_block(block: Block, params: ProtocolParameters) -> None:
    """Check a block's syntactic rules against ``params`` (and its payload's, recursively).

    Raises a :class:`~tanglehub.errors.ProtocolValidationError` subclass naming the first broken rule.
    """
    if block.protocol_version != params.version:
        raise InvalidBlockError(
            f"the block has protocol version {block.protocol_version}, the network uses {params.version}"
        )
    size = len(block.to_bytes())
    if size > MAX_BLOCK_LENGTH:
        raise InvalidBlockError(f"the block is {size} bytes, more than the allowed {MAX_BLOCK_LENGTH}")
    payload = block.payload
    if isinstance(payload, TransactionPayload):
        validate_transaction(payload, params)
    elif isinstance(payload, MilestonePayload) and payload.essence.protocol_version != params.version:
        raise InvalidMilestoneError(
            f"the milestone has protocol version {payload.essence.protocol_version}, "
            f"the network uses {params.version}"
        )
