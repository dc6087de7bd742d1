"""Recoveries: send a deposit the hub could not credit back to its sender or to an operator address.

:func:`request_recovery` (``POST /v1/recoveries``, admin scope) takes a deposit of status ``held`` (native
tokens, NFTs), ``recorded`` (below the minimum), ``left_to_expire`` / ``awaiting_claim`` (storage deposit
return with an expiration, before it expires). The destination is the ``address`` given, else the deposit's
storage deposit return address, else its sender feature, else the owner of the first input of the transaction
that made it. It reads the output from the node, computes the outputs (:mod:`.build`), and in one write
transaction builds a batch of kind ``recovery`` (the deposit output as the mandatory first input, hot inputs
only when the hub must add storage deposit, remainder to hot address 0), stores the signing request
(justification ``recovery`` naming the destination, amount and deposit) and the ``recoveries`` row, and
appends ``recovery.requested``. The batcher signs, submits and tracks it.

Hooks run inside the pipeline's settling transaction: confirmed -> the row ``confirmed``, the deposit's status
``recovered``, the journal ``hub:recovered +(A + topup)``, ``hub:uncredited -A``, ``hub:hot_wallet -topup``
(reference ``recovery:<id>``, so booked once) and ``recovery.confirmed``; refused or dead -> ``failed`` with
the reason (code), ``recovery.failed``; a failed recovery can be requested again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tanglehub.errors import TanglehubError
from tanglehub.hub.db import lock_writes, now_ms
from tanglehub.hub.errors import DepositNotFound
from tanglehub.hub.events.repository import append_event
from tanglehub.hub.ledger import repository as ledger
from tanglehub.hub.models.address import DepositAddress
from tanglehub.hub.models.deposit import Deposit
from tanglehub.hub.models.payout import Batch, HubOutput
from tanglehub.hub.models.recovery import Recovery
from tanglehub.hub.outputs import service as outputs
from tanglehub.hub.payouts.build import BuildParams, request_id
from tanglehub.hub.recoveries.build import RecoveryOutputs, recovery_outputs, return_address
from tanglehub.hub.recoveries.errors import (
    RecoveryAddressInvalid,
    RecoveryConflict,
    RecoveryNotFound,
    RecoveryNotPossible,
)
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.treasury.service import HOT_WALLET_ACCOUNT
from tanglehub.hub.withdrawals.service import parse_destination
from tanglehub.node import NodePool
from tanglehub.node.errors import NodeError, NodeNotFound
from tanglehub.protocol.address import Address, Ed25519Address, address_from_bech32
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import Output
from tanglehub.protocol.payload import TransactionEssence, inputs_commitment
from tanglehub.wallet.operations.transaction.errors import (
    InsufficientFundsError,
    InsufficientNativeTokensError,
    TooManyInputsError,
)
from tanglehub.wallet.operations.transaction.select_inputs import Candidate, select_inputs

__all__ = [
    "RECOVERABLE",
    "RECOVERED_ACCOUNT",
    "UNCREDITED_ACCOUNT",
    "Destination",
    "get_recovery",
    "list_recoveries",
    "on_confirmed",
    "on_dead",
    "on_refused",
    "request_recovery",
]

RECOVERABLE = ("held", "recorded", "left_to_expire", "awaiting_claim")
"""Deposit statuses a recovery may take (never ``credited``: that money belongs to a user)."""
RECOVERED_ACCOUNT = "hub:recovered"
UNCREDITED_ACCOUNT = "hub:uncredited"


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a recovery goes and how the hub chose it (``request``, ``return``, ``sender``, ``input``)."""

    address: Address
    source: str


def _deposit(session: Session, output_id: str) -> tuple[Deposit, DepositAddress, Recovery | None]:
    deposit = session.get(Deposit, output_id)
    if deposit is None:
        raise DepositNotFound(f"no deposit has output id {output_id}")
    address = session.get(DepositAddress, deposit.address_index)
    assert address is not None  # a deposit references its address
    existing = session.scalar(select(Recovery).where(Recovery.deposit_output_id == output_id))
    return deposit, address, existing


def _check_recoverable(deposit: Deposit) -> None:
    if deposit.status not in RECOVERABLE:
        raise RecoveryNotPossible(
            f"deposit {deposit.output_id} is {deposit.status} ({deposit.deposit_class}); only deposits the hub "
            f"could not credit ({', '.join(RECOVERABLE)}) can be recovered"
        )


def _parse(given: str, hrp: str) -> Address:
    try:
        return parse_destination(given, hrp)
    except TanglehubError as exc:
        raise RecoveryAddressInvalid(exc.message) from exc


async def _destination(
    node: NodePool, output: Output, deposit: Deposit, given: str | None, hrp: str
) -> Destination:
    if given is not None:
        return Destination(_parse(given, hrp), "request")
    returned = return_address(output)
    if returned is not None:
        return Destination(returned, "return")
    if deposit.sender:
        return Destination(address_from_bech32(deposit.sender, expected_hrp=hrp), "sender")
    try:
        meta = (await node.get_output(deposit.output_id)).metadata
        block = await node.get_included_block(meta.transaction_id)
        first = block.payload.essence.inputs[0]  # type: ignore[union-attr]
        spent = await node.get_output(first.output_id)
        owner = getattr(spent.output, "address", None)
    except (NodeError, AttributeError, IndexError) as exc:
        raise RecoveryNotPossible(
            f"the sender of deposit {deposit.output_id} is unknown ({exc}); give the address to send it to"
        ) from exc
    if owner is None:
        raise RecoveryNotPossible(f"the sender of deposit {deposit.output_id} is unknown; give an address")
    return Destination(owner, "input")


@dataclass(frozen=True, slots=True)
class _Prepared:
    output: Output
    destination: Destination
    outs: RecoveryOutputs


async def prepare(  # noqa: PLR0917 - the request's parts
    session: Session,
    node: NodePool,
    settings: HubSettings,
    params: BuildParams,
    output_id: str,
    address: str | None,
) -> tuple[Recovery | None, _Prepared | None]:
    """Read what a recovery needs (database read, then the node): the existing recovery when the request
    repeats one (returned as is), else the output, destination and outputs. Rolls the session back."""
    deposit, _, existing = _deposit(session, output_id)
    session.rollback()
    if existing is not None and existing.state != "failed":
        hrp = settings.bech32_hrp
        if address is None or existing.address == _parse(address, hrp).to_bech32(hrp):
            return existing, None
        raise RecoveryConflict(
            f"deposit {output_id} is already being recovered ({existing.state}) to {existing.address}"
        )
    _check_recoverable(deposit)
    try:
        response = await node.get_output(output_id)
    except NodeNotFound as exc:
        raise RecoveryNotPossible(f"the node does not know output {output_id}") from exc
    if response.metadata.is_spent:
        raise RecoveryNotPossible(f"deposit {output_id} was spent already (expired back to its sender?)")
    destination = await _destination(node, response.output, deposit, address, settings.bech32_hrp)
    outs = recovery_outputs(
        bytes.fromhex(output_id[2:]),
        response.output,
        destination.address,
        params.rent_structure,
        int(now_ms() / 1000),
    )
    return None, _Prepared(response.output, destination, outs)


def _chain(coin: int, account: int, change: int, index: int) -> dict[str, int]:
    return {"coinType": coin, "account": account, "change": change, "addressIndex": index}


def create(  # noqa: PLR0917 - the request's parts
    session: Session, settings: HubSettings, params: BuildParams, output_id: str, prep: _Prepared, now_s: int
) -> Recovery:
    """Build the recovery batch and row in one write transaction (see the module docstring); commits."""
    lock_writes(session)
    deposit, address, existing = _deposit(session, output_id)
    if existing is not None and existing.state != "failed":
        session.rollback()
        raise RecoveryConflict(f"deposit {output_id} is already being recovered ({existing.state})")
    _check_recoverable(deposit)
    oid = bytes.fromhex(output_id[2:])
    own = Candidate(oid, prep.output, address.address_hash)
    pool: list[Candidate] = []
    by_id: dict[bytes, HubOutput] = {}
    hot = outputs.hot_address(session, 0)
    if prep.outs.topup:
        if hot is None:
            raise RecoveryNotPossible(
                "the recovery needs storage deposit from hot funds, but no hot address exists"
            )
        pool, by_id = outputs.candidates(session, now_s)
    remainder = Ed25519Address(hot.address_hash) if hot is not None else Ed25519Address(address.address_hash)
    try:
        selection = select_inputs(
            pool,
            prep.outs.outputs,
            params.rent_structure,
            remainder_address=remainder,
            mandatory=[own],
            exact=not prep.outs.topup,
        )
    except (InsufficientFundsError, InsufficientNativeTokensError, TooManyInputsError) as exc:
        raise RecoveryNotPossible(f"the hub cannot pay the recovery's storage deposit now: {exc.message}") from exc
    all_outputs = [*prep.outs.outputs] + ([selection.remainder] if selection.remainder is not None else [])
    essence = TransactionEssence(
        params.network_id,
        tuple(UtxoInput.from_output_id(c.output_id) for c in selection.inputs),
        inputs_commitment([c.output for c in selection.inputs]),
        tuple(all_outputs),
    )
    hrp = settings.bech32_hrp
    dest = prep.destination.address.to_bech32(hrp)
    stamp = now_ms()
    batch = Batch(kind="recovery", state="building", attempt=0, created_at=stamp, updated_at=stamp)
    session.add(batch)
    session.flush()
    inputs = []
    for c in selection.inputs:
        if c.output_id == oid:
            chain = _chain(settings.coin_type, settings.deposit_account, 0, deposit.address_index)
        else:
            hub_row = by_id[c.output_id]
            chain = _chain(settings.coin_type, hub_row.account, hub_row.change, hub_row.address_index)
        inputs.append({"outputId": "0x" + c.output_id.hex(), "output": c.output.to_json(), "chain": chain})
    recovered = prep.outs.recovered
    request: dict[str, object] = {
        "requestId": request_id(batch.id),
        "essence": essence.to_json(),
        "inputs": inputs,
        "timestamp": now_s,
        "justification": {
            "kind": "recovery",
            "recoveries": [{"address": dest, "amount": str(recovered.amount), "depositOutputId": output_id}],
        },
    }
    if selection.remainder is not None:
        request["remainderIndex"] = len(prep.outs.outputs)
    batch.request = json.dumps(request, sort_keys=True, separators=(",", ":"))
    hub_inputs = ["0x" + c.output_id.hex() for c in selection.inputs if c.output_id != oid]
    if hub_inputs:
        outputs.reserve(session, hub_inputs, batch.id)
    tokens = [{"id": "0x" + t.token_id.hex(), "amount": str(t.amount)} for t in recovered.native_tokens]
    nft_id = getattr(recovered, "nft_id", None)
    row = existing if existing is not None else Recovery(deposit_output_id=output_id, created_at=stamp)
    row.address = dest
    row.address_source = prep.destination.source
    row.amount = recovered.amount
    row.return_amount = 0 if prep.outs.return_output is None else prep.outs.return_output.amount
    row.topup = prep.outs.topup
    row.native_tokens = json.dumps(tokens) if tokens else None
    row.nft_id = None if nft_id is None else "0x" + bytes(nft_id).hex()
    row.state = "pending"
    row.reason = row.reason_code = None
    row.batch_id = batch.id
    row.updated_at = stamp
    if existing is None:
        session.add(row)
    session.flush()
    batch.justification = json.dumps({"recoveryId": row.id}, sort_keys=True)
    append_event(session, "recovery.requested", public(row))
    session.commit()
    return row


async def request_recovery(  # noqa: PLR0917 - the request's parts
    session: Session,
    node: NodePool,
    settings: HubSettings,
    params: BuildParams,
    output_id: str,
    address: str | None,
) -> Recovery:
    """``POST /v1/recoveries`` (see the module docstring). Raises :class:`DepositNotFound`,
    :class:`RecoveryNotPossible`, :class:`RecoveryConflict`, :class:`RecoveryAddressInvalid`."""
    existing, prep = await prepare(session, node, settings, params, output_id, address)
    if existing is not None:
        return existing
    assert prep is not None
    return create(session, settings, params, output_id, prep, int(now_ms() / 1000))


def public(row: Recovery) -> dict[str, object]:
    """The API/event body of a recovery."""
    return {
        "recoveryId": str(row.id),
        "depositOutputId": row.deposit_output_id,
        "address": row.address,
        "addressSource": row.address_source,
        "amount": str(row.amount),
        "returnAmount": str(row.return_amount),
        "topup": str(row.topup),
        "nativeTokens": json.loads(row.native_tokens) if row.native_tokens else [],
        "nftId": row.nft_id,
        "state": row.state,
        "reason": row.reason,
        "reasonCode": row.reason_code,
        "batchId": None if row.batch_id is None else str(row.batch_id),
    }


def get_recovery(session: Session, recovery_id: str) -> Recovery:
    """The recovery with id ``recovery_id``; :class:`RecoveryNotFound` otherwise."""
    row = session.get(Recovery, int(recovery_id)) if recovery_id.isdigit() else None
    if row is None:
        raise RecoveryNotFound(f"no recovery has id {recovery_id!r}")
    return row


def list_recoveries(session: Session, state: str | None, after: int, limit: int) -> list[Recovery]:
    """Recoveries with id above ``after`` (optionally in ``state``), oldest first."""
    q = select(Recovery).where(Recovery.id > after)
    if state is not None:
        q = q.where(Recovery.state == state)
    return list(session.scalars(q.order_by(Recovery.id).limit(limit)))


def _of(session: Session, batch: Batch) -> Recovery | None:
    return session.scalar(select(Recovery).where(Recovery.batch_id == batch.id))


def on_confirmed(session: Session, batch: Batch) -> None:
    """Confirm hook: the row ``confirmed``, the deposit ``recovered``, the journal entry and the
    ``recovery.confirmed`` event."""
    row = _of(session, batch)
    if row is None:
        return
    deposit = session.get(Deposit, row.deposit_output_id)
    assert deposit is not None
    row.state = "confirmed"
    row.updated_at = now_ms()
    deposit.status = "recovered"
    lines = [(RECOVERED_ACCOUNT, deposit.amount + row.topup), (UNCREDITED_ACCOUNT, -deposit.amount)]
    if row.topup:
        lines.append((HOT_WALLET_ACCOUNT, -row.topup))
    ledger.post(session, "recovery", f"recovery:{row.id}", lines)
    append_event(
        session,
        "recovery.confirmed",
        public(row) | {"transactionId": batch.transaction_id, "milestone": batch.milestone},
    )


def _fail(session: Session, batch: Batch, code: str, reason: str) -> None:
    row = _of(session, batch)
    if row is None:
        return
    row.state = "failed"
    row.reason_code = code
    row.reason = reason
    row.updated_at = now_ms()
    append_event(session, "recovery.failed", public(row))


def on_dead(session: Session, batch: Batch) -> None:
    """Dead hook: an input was consumed by another transaction (for example the deposit expired back)."""
    _fail(session, batch, "INPUT_SPENT_ELSEWHERE", batch.reason or "an input was consumed by another transaction")


def on_refused(session: Session, batch: Batch) -> None:
    """Refused hook: the signer's reason code is recorded on the recovery."""
    reason = batch.reason or "refused"
    _fail(session, batch, reason.split(":", 1)[0], reason)
