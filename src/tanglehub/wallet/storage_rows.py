"""How rows of the wallet state database map to records: column lists and row decoders.

Kept apart from :mod:`tanglehub.wallet.storage_queries` (the queries themselves) so each module has one job.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any, Protocol

from tanglehub.errors import CodecError
from tanglehub.protocol.output import Output, output_from_bytes
from tanglehub.protocol.payload import TransactionPayload
from tanglehub.wallet.errors import StorageError
from tanglehub.wallet.storage_schema import AddressRecord, OutputRecord, TransactionRecord

__all__ = [
    "OUTPUT_COLUMNS",
    "TX_COLUMNS",
    "UPDATABLE_TX_FIELDS",
    "StoredEvent",
    "address_row",
    "unix_now",
    "output_row",
    "tx_row",
]

OUTPUT_COLUMNS = (
    "output_id, account_idx, address_hash, output, block_id, booked_index, booked_timestamp, "
    "spent, spent_tx_id, spent_index, spent_timestamp, chain_id"
)
TX_COLUMNS = (
    "tx_id, account_idx, payload, block_id, state, conflict_reason, inclusion_index, note, "
    "created_at, updated_at, attempts"
)
UPDATABLE_TX_FIELDS = frozenset({"block_id", "state", "conflict_reason", "inclusion_index", "note", "attempts"})


class StoredEvent(Protocol):
    """What :meth:`StoreTx.add_event` needs from an event (see :mod:`tanglehub.wallet.events`)."""

    @property
    def kind(self) -> str:
        """The event's kind name (``NewOutput``, ``SpentOutput``, ...)."""
        ...

    @property
    def account_index(self) -> int | None:
        """The account the event concerns (None for wallet-wide events)."""
        ...

    def to_json(self) -> dict[str, Any]:
        """The event's JSON object."""
        ...


def unix_now() -> int:
    return int(time.time())


DECODED_OUTPUTS_KEPT = 16_384
"""Decoded outputs kept in memory, keyed by their bytes (outputs are immutable; a prepare then reads its
inputs without decoding them again, as the SDK keeps its outputs in memory)."""
_decoded: dict[bytes, Output] = {}
_decoded_lock = threading.Lock()


def remember_output(data: bytes, output: Output) -> None:
    """Keep ``output`` (whose serialization is ``data``) for :func:`decode_output`; oldest entries go first."""
    with _decoded_lock:
        if data in _decoded:
            return
        if len(_decoded) >= DECODED_OUTPUTS_KEPT:
            del _decoded[next(iter(_decoded))]
        _decoded[data] = output


def decode_output(data: bytes) -> Output:
    """The output serialized as ``data`` (from memory when seen before); raises CodecError if it is not one."""
    with _decoded_lock:
        known = _decoded.get(data)
    if known is not None:
        return known
    output = output_from_bytes(data)
    remember_output(data, output)
    return output


def output_row(row: Sequence[Any]) -> OutputRecord:
    try:
        output = decode_output(bytes(row[3]))
    except CodecError as exc:
        raise StorageError(f"stored output 0x{bytes(row[0]).hex()} does not decode: {exc}") from exc
    return OutputRecord(
        output_id=bytes(row[0]),
        account_index=int(row[1]),
        address_hash=bytes(row[2]),
        output=output,
        block_id=None if row[4] is None else bytes(row[4]),
        booked_index=int(row[5]),
        booked_timestamp=int(row[6]),
        spent=bool(row[7]),
        spent_tx_id=None if row[8] is None else bytes(row[8]),
        spent_index=row[9],
        spent_timestamp=row[10],
        chain_id=None if row[11] is None else bytes(row[11]),
    )


def tx_row(row: Sequence[Any]) -> TransactionRecord:
    try:
        payload = TransactionPayload.from_bytes(bytes(row[2]))
    except CodecError as exc:
        raise StorageError(f"stored transaction 0x{bytes(row[0]).hex()} does not decode: {exc}") from exc
    return TransactionRecord(
        tx_id=bytes(row[0]),
        account_index=int(row[1]),
        payload=payload,
        block_id=None if row[3] is None else bytes(row[3]),
        state=str(row[4]),
        conflict_reason=row[5],
        inclusion_index=row[6],
        note=row[7],
        created_at=int(row[8]),
        updated_at=int(row[9]),
        attempts=int(row[10]),
    )


def address_row(row: Sequence[Any]) -> AddressRecord:
    return AddressRecord(int(row[0]), bool(row[1]), int(row[2]), bytes(row[3]), str(row[4]), bool(row[5]))
