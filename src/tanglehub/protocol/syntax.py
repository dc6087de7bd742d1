"""Syntactic validation that needs protocol parameters (TIP-20 transactions, TIP-24 blocks).

Rules that need no parameters (counts, sorted parents, unlock references, ...) already run when an object
is built or decoded; the functions here repeat the cheap ones and add the parameter-dependent ones:
network id, protocol version, block size, total amount against the token supply, distinct native tokens,
and each output's own ``validate(params)`` (storage deposit and the like). PoW is checked separately
(:mod:`tanglehub.protocol.pow`).
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
from tanglehub.protocol.payload import (
    MAX_INPUTS,
    MAX_OUTPUTS,
    MilestonePayload,
    TaggedDataPayload,
    TransactionPayload,
    check_unlocks,
)

__all__ = ["MAX_DISTINCT_NATIVE_TOKENS", "validate_block", "validate_transaction"]

MAX_DISTINCT_NATIVE_TOKENS = 64
"""Most distinct native token ids the outputs of one transaction may carry."""
_BLOCK_PAYLOAD_KINDS = (TaggedDataPayload, TransactionPayload, MilestonePayload)


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
    if not 1 <= len(essence.inputs) <= MAX_INPUTS:
        raise InvalidTransactionError(f"a transaction needs 1..{MAX_INPUTS} inputs, got {len(essence.inputs)}")
    if not 1 <= len(essence.outputs) <= MAX_OUTPUTS:
        raise InvalidTransactionError(f"a transaction needs 1..{MAX_OUTPUTS} outputs, got {len(essence.outputs)}")
    seen: set[bytes] = set()
    for i, inp in enumerate(essence.inputs):
        if inp.output_id in seen:
            raise InvalidTransactionError(f"input {i} consumes an output already listed by an earlier input")
        seen.add(inp.output_id)
    check_unlocks(payload.unlocks, len(essence.inputs))
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
    if payload is not None and not isinstance(payload, _BLOCK_PAYLOAD_KINDS):
        raise InvalidBlockError(f"a block cannot carry a {type(payload).__name__}")
    if isinstance(payload, TransactionPayload):
        validate_transaction(payload, params)
    elif isinstance(payload, MilestonePayload):
        if block.nonce != 0:
            raise InvalidBlockError("a block carrying a milestone must have nonce 0")
        if payload.essence.protocol_version != params.version:
            raise InvalidMilestoneError(
                f"the milestone has protocol version {payload.essence.protocol_version}, "
                f"the network uses {params.version}"
            )
        if payload.essence.parents != block.parents:
            raise InvalidMilestoneError("a milestone's parents must equal the parents of the block carrying it")
