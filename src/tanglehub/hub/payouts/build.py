"""Building a batch: choose hub-owned inputs, build the essence, reserve the inputs, store the signing request.

:func:`build_batch` runs inside the caller's write transaction (the caller took :func:`~tanglehub.hub.db.
lock_writes`): input selection is the wallet's own
:func:`~tanglehub.wallet.operations.transaction.select_inputs.select_inputs` over the unspent ``hub_outputs``
(at most 128 inputs, storage deposits and native tokens respected, remainder to a hot address); the signing
request (the signer's wire format, :mod:`tanglehub.signer.request`) gets the deterministic id
``batch-<id>-<attempt>`` and is stored in the ``batches`` row before anything is sent, so a crash and retry
sends the same id and body and the signer answers the same. The protocol's semantic check runs on the signed
payload before it is submitted (:mod:`.driver`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Protocol

from sqlalchemy.orm import Session

from tanglehub.hub.db import now_ms
from tanglehub.hub.models.payout import Batch, HubOutput
from tanglehub.hub.outputs import service as hub_outputs
from tanglehub.protocol.address import Address
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import Output
from tanglehub.protocol.params import RentStructure
from tanglehub.protocol.payload import TransactionEssence, inputs_commitment
from tanglehub.wallet.operations.transaction.select_inputs import Candidate, select_inputs

__all__ = ["MAX_BATCH_INPUTS", "BuildParams", "SignsTransactions", "build_batch", "request_id"]

MAX_BATCH_INPUTS = 128
"""Most inputs of one transaction (TIP-20)."""


class SignsTransactions(Protocol):
    """What the pipeline needs from the signer (:class:`tanglehub.hub.signing.HubSigner` satisfies it):
    ``sign`` answers ``{"transactionId", "payload", "auditSeq"}`` or raises ``SigningRefused`` /
    ``SignerUnavailable``; ``derive_addresses`` returns 32-byte Ed25519 address hashes."""

    async def sign(self, request: dict[str, object]) -> dict[str, object]:
        """Sign one justified request (see :mod:`tanglehub.signer.request`)."""
        ...

    async def derive_addresses(self, account: int, change: int, start: int, count: int) -> list[bytes]:
        """Address hashes ``start..start+count-1`` of ``account``/``change``."""
        ...


class BuildParams(Protocol):
    """The network facts a build needs (``tanglehub.protocol.params.ProtocolParameters`` has them)."""

    @property
    def network_id(self) -> int:
        """The essence's network id."""
        ...

    @property
    def rent_structure(self) -> RentStructure:
        """Storage deposit weights."""
        ...


def request_id(batch_id: int, attempt: int = 0) -> str:
    """The signing request id of ``batch_id`` (deterministic: a retry re-sends the same id)."""
    return f"batch-{batch_id}-{attempt}"


def _chain_json(row: HubOutput, coin_type: int) -> dict[str, int]:
    return {"coinType": coin_type, "account": row.account, "change": row.change, "addressIndex": row.address_index}


def build_batch(
    session: Session,
    kind: str,
    outputs: Sequence[Output],
    *,
    justification: Mapping[str, object],
    params: BuildParams,
    now: int,
    coin_type: int,
    remainder_address: Address,
    mandatory: Sequence[str] = (),
    exact: bool = False,
    note: Mapping[str, object] | None = None,
) -> Batch:
    """Select and reserve inputs paying ``outputs``, store the batch and its signing request (state
    ``building``); returns the flushed row. Does not commit.

    ``justification`` is the signer's justification object (``{"kind": ..., "withdrawals": [...]}``);
    ``mandatory`` output ids are always consumed (``exact``: only they are); ``note`` is stored with the batch
    and handed back to the kind's hooks. Raises the wallet's ``InsufficientFundsError``,
    ``InsufficientNativeTokensError`` or ``TooManyInputsError`` when the hub's unspent outputs cannot pay.
    """
    pool, by_id = hub_outputs.candidates(session, now)
    forced: list[Candidate] = []
    if mandatory:
        wanted = set(mandatory)
        forced = [c for c in pool if "0x" + c.output_id.hex() in wanted]
        if len(forced) != len(wanted):
            raise ValueError("a mandatory input is not an unspent, spendable hub output")
    selection = select_inputs(
        pool,
        outputs,
        params.rent_structure,
        remainder_address=remainder_address,
        mandatory=forced,
        exact=exact,
        max_inputs=MAX_BATCH_INPUTS,
    )
    all_outputs = tuple(outputs) + ((selection.remainder,) if selection.remainder is not None else ())
    essence = TransactionEssence(
        params.network_id,
        tuple(UtxoInput.from_output_id(c.output_id) for c in selection.inputs),
        inputs_commitment([c.output for c in selection.inputs]),
        all_outputs,
    )
    stamp = now_ms()
    batch = Batch(
        kind=kind,
        state="building",
        attempt=0,
        justification=None if note is None else json.dumps(note, sort_keys=True),
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(batch)
    session.flush()
    request: dict[str, object] = {
        "requestId": request_id(batch.id),
        "essence": essence.to_json(),
        "inputs": [
            {
                "outputId": "0x" + c.output_id.hex(),
                "output": c.output.to_json(),
                "chain": _chain_json(by_id[c.output_id], coin_type),
            }
            for c in selection.inputs
        ],
        "timestamp": now,
        "justification": dict(justification),
    }
    if selection.remainder is not None:
        request["remainderIndex"] = len(outputs)
    batch.request = json.dumps(request, sort_keys=True, separators=(",", ":"))
    hub_outputs.reserve(session, ["0x" + c.output_id.hex() for c in selection.inputs], batch.id)
    session.flush()
    return batch
