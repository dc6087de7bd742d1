"""Prove a signed transaction dead through a node: one of its inputs was consumed by another transaction.

The node's output metadata (``GET /api/core/v2/outputs/{outputId}/metadata``) names the transaction that spent
an output (``transactionIdSpent``). If any input of the old transaction was spent by a different transaction
id, the old one can never be included, and its withdrawals may be signed into a new transaction. Anything
else (unspent inputs, a node error) is not proof, and the signer refuses.
"""

from __future__ import annotations

from collections.abc import Sequence

from tanglehub.errors import TanglehubError
from tanglehub.node import NodeClient

__all__ = ["NodeDeadCheck"]


class NodeDeadCheck:
    """A :data:`~tanglehub.signer.service.DeadCheck` over one node URL."""

    def __init__(self, node_url: str) -> None:
        self._client = NodeClient(node_url)

    async def __call__(self, tx_id: bytes, inputs: Sequence[bytes]) -> bool:
        for output_id in inputs:
            try:
                meta = await self._client.get_output_metadata(output_id)
            except TanglehubError:
                return False
            if meta.is_spent and meta.transaction_id_spent is not None and meta.transaction_id_spent != tx_id:
                return True
        return False

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()
