"""Ledger history: which Ed25519 addresses received or spent outputs in the milestones a node still keeps.

The indexer (TIP-26) lists only unspent outputs, so an address whose outputs were all spent looks unused to
it. The node's milestone history tells more. For every confirmed milestone, ``utxo-changes`` lists the
outputs it created; the transactions that created them (each read once, in binary, from its included block)
name every output's unlocking addresses (:func:`~tanglehub.wallet.operations.outputs.ed25519_hashes`) and,
in their signature unlocks, the public key of every address that spent an input. Walking milestones
``start`` .. confirmed therefore yields every Ed25519 address hash that received an output or signed a spend
in that range: an address with any ledger history there.

Only what the node keeps can be seen: the walk starts after the node's pruning index (a node that prunes
forgets older history; use one that keeps it to recover old wallets). Cost: two requests per milestone and
one per transaction in the range (at most ``concurrency`` in flight), read in steps of
:data:`HISTORY_STEP` milestones; it grows with the ledger's activity in the range, not with the number of
addresses asked about. Milestones are read with :meth:`MilestoneCursor.read`, so a milestone pruned while
the walk runs raises :class:`~tanglehub.node.MilestonePruned`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from tanglehub.node import MilestoneCursor, NodeBadResponse
from tanglehub.node.parsing import parse_with
from tanglehub.node.routes_indexer import fetch_concurrently
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.block import Block
from tanglehub.protocol.ids import split_output_id
from tanglehub.protocol.payload import TransactionPayload
from tanglehub.protocol.unlock import SignatureUnlock
from tanglehub.wallet.operations.outputs import ed25519_hashes

if TYPE_CHECKING:
    from tanglehub.wallet.operations.transaction.context import NodeApi
    from tanglehub.wallet.wallet import Wallet

__all__ = [
    "HISTORY_STEP",
    "addresses_with_history",
    "fetch_transactions",
    "read_included_transaction",
    "transaction_addresses",
]

HISTORY_STEP = 500
"""Milestones whose changes are read (concurrently) before their transactions are fetched."""


async def read_included_transaction(node: NodeApi, tx_id: bytes) -> tuple[bytes, TransactionPayload]:
    """(block id, transaction) of transaction ``tx_id``, read from its included block (binary).

    Raises :class:`~tanglehub.node.NodeBadResponse` when the node answers with a block that does not hold
    the transaction, and the node errors of ``get_included_block_raw`` (``NodeNotFound`` for outputs no
    transaction created, such as the genesis snapshot's).
    """
    raw = await node.get_included_block_raw(tx_id)
    block = parse_with("included block", Block.from_bytes, raw)
    payload = block.payload
    if not isinstance(payload, TransactionPayload) or payload.transaction_id() != tx_id:
        raise NodeBadResponse(
            f"node answered the included block of transaction 0x{tx_id.hex()} with a block that does not "
            "hold that transaction"
        )
    return block.block_id(), payload


async def fetch_transactions(
    wallet: Wallet, tx_ids: Sequence[bytes], concurrency: int
) -> list[tuple[bytes, TransactionPayload]]:
    """(block id, transaction) of every transaction id, in that order, each read once from its included block
    (:func:`read_included_transaction`, at most ``concurrency`` reads in flight)."""
    node = wallet.node
    return (
        await fetch_concurrently(partial(read_included_transaction, node), tx_ids, concurrency) if tx_ids else []
    )


def transaction_addresses(payload: TransactionPayload) -> set[bytes]:
    """Ed25519 address hashes a transaction touches: every unlocking address of its outputs and the
    address of every public key that signed one of its inputs."""
    found: set[bytes] = set()
    for output in payload.essence.outputs:
        found.update(ed25519_hashes(output))
    for unlock in payload.unlocks:
        if isinstance(unlock, SignatureUnlock):
            found.add(Ed25519Address.from_public_key(unlock.signature.public_key).pub_key_hash)
    return found


async def addresses_with_history(wallet: Wallet, start: int, concurrency: int) -> set[bytes]:
    """Every Ed25519 address hash with an output created or spent in milestones ``start`` (or the first one
    the node keeps, when that is later) up to the node's confirmed milestone (see the module docstring)."""
    info = await wallet.node.get_info()
    first = max(start, info.status.pruning_index + 1, 1)
    last = info.status.confirmed_milestone.index
    cursor = MilestoneCursor(wallet.node, first)
    found: set[bytes] = set()
    for step in range(first, last + 1, HISTORY_STEP):
        indexes = list(range(step, min(step + HISTORY_STEP, last + 1)))
        changes = await fetch_concurrently(cursor.read, indexes, concurrency)
        tx_ids = {split_output_id(oid)[0] for c in changes for oid in c.created_outputs}
        for _, payload in await fetch_transactions(wallet, sorted(tx_ids), concurrency):
            found |= transaction_addresses(payload)
    return found
