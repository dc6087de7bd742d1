"""Storage deposit (TIP-19): the amount an output must hold to pay for the ledger space it occupies.

``vByteCost * (vByteFactorKey * 34 + vByteFactorData * (40 + len(output bytes)))``: the 34-byte output id
is weighted as key, the output and its 40 bytes of metadata (block id, milestone index and timestamp) as data.
"""

from __future__ import annotations

from typing import Protocol

from tanglehub.protocol.params import RentStructure

__all__ = [
    "MIN_BASIC_OUTPUT_LENGTH",
    "OUTPUT_ID_KEY_BYTES",
    "OUTPUT_METADATA_DATA_BYTES",
    "min_deposit_basic",
    "storage_deposit",
    "storage_deposit_for_length",
]

OUTPUT_ID_KEY_BYTES = 34
"""Bytes of the output id, weighted with the key factor."""
OUTPUT_METADATA_DATA_BYTES = 32 + 4 + 4
"""Bytes of per-output metadata (block id, milestone index booked, milestone timestamp booked)."""
MIN_BASIC_OUTPUT_LENGTH = 1 + 8 + 1 + 1 + 1 + 33 + 1
"""Serialized length of a Basic output with only an Address unlock condition: type, amount, no native
tokens, one unlock condition (type + 33-byte address), no features. Every address kind is 33 bytes."""


class _Encodable(Protocol):
    def to_bytes(self) -> bytes: ...


def storage_deposit_for_length(length: int, rent: RentStructure) -> int:
    """The storage deposit of an output whose serialized form is ``length`` bytes long."""
    v_bytes = rent.v_byte_factor_key * OUTPUT_ID_KEY_BYTES + rent.v_byte_factor_data * (
        OUTPUT_METADATA_DATA_BYTES + length
    )
    return rent.v_byte_cost * v_bytes


def storage_deposit(output: _Encodable, rent: RentStructure) -> int:
    """The minimum amount ``output`` must hold under ``rent`` (its amount field does not matter)."""
    return storage_deposit_for_length(len(output.to_bytes()), rent)


def min_deposit_basic(rent: RentStructure) -> int:
    """The storage deposit of the smallest Basic output (one Address unlock condition, nothing else);
    also the least a storage deposit return may ask for."""
    return storage_deposit_for_length(MIN_BASIC_OUTPUT_LENGTH, rent)
