"""Outputs of an account: who may unlock them, listings with filters, and applying sync results to the store.

:func:`apply_changes` is the one place where both sync modes write: new outputs are inserted (an output
already stored is ignored), vanished ones are marked spent (an output already spent is ignored), and the
matching ``NewOutput`` / ``SpentOutput`` / ``BalanceChange`` events go into the same database transaction.
Running it twice with the same input therefore changes nothing the second time.

An output is only marked spent with proof: the milestone that consumed it, or the node's metadata saying it
is spent (:func:`ledger_spent_info`); an output the node does not know is *not* spent (the node may be
lagging, re-indexing or serve another ledger), unless the node has pruned the milestones it was booked in.
When the spending transaction is one of the wallet's own (a stored, signed payload), its outputs to the
wallet's addresses (the remainder) are stored in the same database transaction and a pending transaction
becomes ``confirmed``: a sync that sees the inputs go never leaves the balance without the remainder, even
when it has not reached the remainder's address (yet).
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tanglehub.node import NodeNotFound
from tanglehub.protocol.ids import output_id as make_output_id
from tanglehub.protocol.output import (
    AliasOutput,
    FoundryOutput,
    NftOutput,
    Output,
)
from tanglehub.protocol.spendable import spendability, unlocker_hashes
from tanglehub.wallet.events import BalanceChange, NewOutput, SpentOutput, TransactionInclusion
from tanglehub.wallet.options import OutputFilter
from tanglehub.wallet.storage import StoreTx
from tanglehub.wallet.storage_schema import AddressRecord, OutputRecord, TransactionRecord

if TYPE_CHECKING:
    from tanglehub.wallet.account import Account
    from tanglehub.wallet.operations.transaction.context import NodeApi

__all__ = [
    "SpentInfo",
    "apply_changes",
    "chain_id_of",
    "ed25519_hashes",
    "ledger_spent_info",
    "list_outputs",
    "list_transactions",
    "own_created_outputs",
    "owner_hash",
    "unlockable_now",
]


@dataclass(frozen=True, slots=True)
class SpentInfo:
    """Where a stored output was consumed (fields are None when the node no longer knows)."""

    output_id: bytes
    transaction_id: bytes | None = None
    milestone_index: int | None = None
    milestone_timestamp: int | None = None


async def ledger_spent_info(node: NodeApi, oid: bytes, *, pruned: bool = False) -> SpentInfo | None:
    """Where the ledger says ``oid`` was spent; ``None`` when it shows it unspent, or does not know it.

    A node that does not know an output proves nothing (it may be lagging, re-indexing, or serve another
    ledger), so that is ``None`` too, unless ``pruned``: the caller knows the output was booked at or below
    the node's pruning index, so the node dropped it with the milestones that spent it (spender unknown)."""
    try:
        meta = await node.get_output_metadata(oid)
    except NodeNotFound:
        return SpentInfo(oid) if pruned else None
    if not meta.is_spent:
        return None
    return SpentInfo(oid, meta.transaction_id_spent, meta.milestone_index_spent, meta.milestone_timestamp_spent)


def ed25519_hashes(output: Output) -> list[bytes]:
    """Ed25519 public-key hashes that can unlock ``output`` under some condition, owner first.

    Covers the Address unlock condition, the expiration return address, and an alias's state controller and
    governor (the same set the indexer's ``unlockableByAddress`` filter uses).
    """
    return unlocker_hashes(output)


def owner_hash(output: Output, ours: Mapping[bytes, int]) -> bytes | None:
    """The first of ``output``'s unlocking Ed25519 hashes that is one of ``ours`` (None if none is)."""
    for h in ed25519_hashes(output):
        if h in ours:
            return h
    return None


def chain_id_of(output: Output, output_id: bytes) -> bytes | None:
    """The alias/NFT/foundry id of a chain output (resolving the zero id of a new chain), else None."""
    if isinstance(output, AliasOutput | NftOutput):
        return output.chain_id(output_id)
    if isinstance(output, FoundryOutput):
        return output.foundry_id
    return None


def unlockable_now(output: Output, ours: Container[bytes], now: int) -> bool:
    """True when one of ``ours`` can unlock ``output`` at milestone time ``now`` (see
    :func:`tanglehub.protocol.spendable.spendability`, the one definition of what the owner can do now)."""
    return spendability(output, ours, now).unlockable_now


def own_created_outputs(
    tx: StoreTx, rec: TransactionRecord, block_id: bytes | None, index: int, timestamp: int
) -> tuple[list[OutputRecord], dict[bytes, str]]:
    """The outputs of ``rec``'s transaction that one of the wallet's addresses (any account) owns, as
    records booked at milestone ``index``; and bech32 texts of their addresses."""
    records: list[OutputRecord] = []
    bech32_of: dict[bytes, str] = {}
    for i, output in enumerate(rec.payload.essence.outputs):
        owner: AddressRecord | None = None
        for h in ed25519_hashes(output):
            owner = tx.address_by_hash(h)
            if owner is not None:
                break
        if owner is None:
            continue
        oid = make_output_id(rec.tx_id, i)
        records.append(
            OutputRecord(
                output_id=oid,
                account_index=owner.account_index,
                address_hash=owner.hash,
                output=output,
                block_id=block_id,
                booked_index=index,
                booked_timestamp=timestamp,
                chain_id=chain_id_of(output, oid),
            )
        )
        bech32_of[owner.hash] = owner.bech32
    return records, bech32_of


def _own_spenders(
    tx: StoreTx, spent: Sequence[SpentInfo]
) -> tuple[list[OutputRecord], dict[bytes, str], list[tuple[TransactionRecord, SpentInfo]]]:
    """The outputs to the wallet's addresses of the wallet's own transactions that spent ``spent`` (not
    conflicting ones), their bech32 texts, and those transactions still pending (with a spent info each)."""
    records: list[OutputRecord] = []
    bech32_of: dict[bytes, str] = {}
    pending: list[tuple[TransactionRecord, SpentInfo]] = []
    seen: set[bytes] = set()
    for info in spent:
        if info.transaction_id is None or info.transaction_id in seen:
            continue
        seen.add(info.transaction_id)
        rec = tx.transaction(info.transaction_id)
        if rec is None or rec.state == "conflicting":
            continue
        index = info.milestone_index if info.milestone_index is not None else rec.inclusion_index or 0
        timestamp = info.milestone_timestamp if info.milestone_timestamp is not None else rec.updated_at
        made, texts = own_created_outputs(tx, rec, rec.block_id, index, timestamp)
        records += made
        bech32_of.update(texts)
        if rec.state == "pending":
            pending.append((rec, info))
    return records, bech32_of, pending


def apply_changes(
    tx: StoreTx,
    new_outputs: Sequence[OutputRecord],
    spent: Sequence[SpentInfo],
    bech32_of: Mapping[bytes, str],
    *,
    confirm_own: bool = True,
) -> tuple[list[bytes], list[bytes]]:
    """Insert ``new_outputs`` and mark ``spent`` ones, with events; return (inserted ids, newly spent ids).

    ``bech32_of`` maps an address hash to its bech32 text (for the ``NewOutput`` event). Outputs spent by
    one of the wallet's own transactions bring that transaction's outputs to the wallet's addresses along,
    and a pending one becomes ``confirmed`` (see the module docstring; not with ``confirm_own=False``: the
    caller is confirming it itself).
    """
    own, own_bech32, confirmed = _own_spenders(tx, spent)
    if own:
        new_outputs = [*new_outputs, *own]
        bech32_of = {**own_bech32, **bech32_of}
    accounts = {r.account_index for r in new_outputs}
    accounts.update(tx.unspent_owners(info.output_id for info in spent).values())
    before = {a: tx.unspent_total(a) for a in sorted(accounts)}
    stored = tx.insert_outputs(new_outputs) if new_outputs else []
    inserted = [rec.output_id for rec in stored]
    tx.add_events(
        [
            NewOutput(
                account_index=rec.account_index,
                output_id=rec.output_id,
                address=bech32_of.get(rec.address_hash, ""),
                amount=rec.amount,
                output_type=rec.kind,
                booked_index=rec.booked_index,
                booked_timestamp=rec.booked_timestamp,
                native_tokens={"0x" + t.token_id.hex(): t.amount for t in rec.output.native_tokens},
            )
            for rec in stored
        ]
    )
    newly_spent: list[bytes] = []
    for info in spent:
        old = tx.mark_output_spent(
            info.output_id,
            tx_id=info.transaction_id,
            milestone_index=info.milestone_index,
            timestamp=info.milestone_timestamp,
        )
        if old is None:
            continue
        newly_spent.append(info.output_id)
        tx.add_event(
            SpentOutput(
                account_index=old.account_index,
                output_id=info.output_id,
                amount=old.amount,
                spent_transaction_id=info.transaction_id,
                spent_index=info.milestone_index,
                spent_timestamp=info.milestone_timestamp,
            )
        )
    for account_index, total_before in before.items():
        total_after = tx.unspent_total(account_index)
        if total_after != total_before:
            tx.add_event(BalanceChange(account_index, total_before, total_after))
    # the ledger spent their inputs: those transactions are included, whatever tracking knows yet
    for own_tx, info in confirmed if confirm_own else []:
        tx.release_reservations(own_tx.tx_id)
        tx.update_transaction(own_tx.tx_id, state="confirmed", inclusion_index=info.milestone_index)
        tx.add_event(
            TransactionInclusion(
                own_tx.account_index, own_tx.tx_id, "confirmed", own_tx.block_id, info.milestone_index
            )
        )
    return inserted, newly_spent


async def list_outputs(account: Account, flt: OutputFilter | None = None) -> list[OutputRecord]:
    """The account's stored outputs matching ``flt`` (all of them when None).

    Unspent outputs stored under another account of the wallet that one of this account's addresses can
    unlock (a micro payment to a sibling account, expired back to this one) are included as well.
    """
    f = flt or OutputFilter()
    address_hash = None
    if f.address is not None:
        address_hash = (await account.address_record(f.address)).hash

    def keep(rec: OutputRecord) -> bool:
        if f.output_type is not None and rec.kind != f.output_type:
            return False
        if f.booked_after is not None and rec.booked_timestamp < f.booked_after:
            return False
        if f.booked_before is not None and rec.booked_timestamp >= f.booked_before:
            return False
        return address_hash is None or address_hash in unlocker_hashes(rec.output)

    def read(tx: StoreTx) -> list[OutputRecord]:
        own = tx.outputs(
            account.index,
            spent=f.spent,
            address_hash=address_hash,
            kind=f.output_type,
            booked_after=f.booked_after,
            booked_before=f.booked_before,
        )
        if f.spent is True:
            return own
        shared = [r for r in tx.shared_unspent(account.index) if keep(r)]
        return own + sorted(shared, key=lambda r: (r.booked_index, r.output_id))

    return await account.wallet.store.read(read)


async def list_transactions(
    account: Account,
    *,
    state: str | None = None,
    created_after: int | None = None,
    created_before: int | None = None,
) -> list[TransactionRecord]:
    """The account's stored transactions, optionally by state and creation-time range."""
    return await account.wallet.store.read(
        lambda tx: tx.transactions(
            account.index, state=state, created_after=created_after, created_before=created_before
        )
    )
