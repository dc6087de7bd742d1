"""Transaction payload (TIP-20): an essence plus one unlock per input.

Binary: ``u32 6 | essence | u16 unlockCount | Unlock[]``. The transaction id is BLAKE2b-256 of these bytes
(the block's payload-length prefix is not part of it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from tanglehub.protocol._values import typed_tuple
from tanglehub.protocol.codec import CachedSerializable, Reader, Writer, read_cached
from tanglehub.protocol.errors import DecodeError, InvalidTransactionError, InvalidUnlockError
from tanglehub.protocol.jsonutil import JsonObject, get_field, require_list, require_object
from tanglehub.protocol.payload._common import (
    blake2b256,
    expect_json_payload_kind,
    expect_payload_kind,
    sub,
)
from tanglehub.protocol.payload.essence import MAX_INPUTS, TransactionEssence
from tanglehub.protocol.unlock import (
    AliasUnlock,
    NftUnlock,
    ReferenceUnlock,
    SignatureUnlock,
    Unlock,
    read_unlock,
    unlock_from_json,
)

__all__ = ["TransactionPayload", "check_unlocks"]

_UNLOCK_CLASSES = (SignatureUnlock, ReferenceUnlock, AliasUnlock, NftUnlock)


def check_unlocks(unlocks: Sequence[Unlock], input_count: int) -> None:
    """Check the parameter-free unlock rules of TIP-20.

    One unlock per input; signature unlocks pairwise distinct; a reference unlock at ``i`` points to a
    signature unlock at ``k < i``; an alias or NFT unlock at ``i`` points to some ``k < i``.
    """
    if len(unlocks) != input_count:
        raise InvalidUnlockError(
            f"a transaction needs one unlock per input: {input_count} inputs, {len(unlocks)} unlocks"
        )
    seen: dict[bytes, int] = {}
    for i, u in enumerate(unlocks):
        if isinstance(u, SignatureUnlock):
            key = u.signature.to_bytes()
            if key in seen:
                raise InvalidUnlockError(
                    f"unlocks {seen[key]} and {i} carry the same signature; use a reference unlock"
                )
            seen[key] = i
        elif isinstance(u, ReferenceUnlock):
            if u.reference >= i:
                raise InvalidUnlockError(
                    f"reference unlock {i} must point to an earlier unlock, not {u.reference}"
                )
            if not isinstance(unlocks[u.reference], SignatureUnlock):
                raise InvalidUnlockError(
                    f"reference unlock {i} points to unlock {u.reference}, which is not a signature unlock"
                )
        elif isinstance(u, AliasUnlock | NftUnlock) and u.reference >= i:
            raise InvalidUnlockError(f"{u.NAME} {i} must point to an earlier unlock, not {u.reference}")


@dataclass(frozen=True, slots=True)
class TransactionPayload(CachedSerializable):
    """A signed transaction: the essence and one unlock per input."""

    KIND: ClassVar[int] = 6
    NAME: ClassVar[str] = "transaction payload"

    essence: TransactionEssence
    unlocks: tuple[Unlock, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.essence, TransactionEssence):
            raise InvalidTransactionError(
                f"a transaction payload needs a TransactionEssence, got {type(self.essence).__name__}"
            )
        unlocks = typed_tuple(self.unlocks, _UNLOCK_CLASSES, "the unlocks", InvalidUnlockError)
        object.__setattr__(self, "unlocks", unlocks)
        check_unlocks(unlocks, len(self.essence.inputs))

    def transaction_id(self) -> bytes:
        """BLAKE2b-256 of the payload bytes (type prefix and unlocks included)."""
        return blake2b256(self.to_bytes())

    def write_to(self, w: Writer) -> None:
        """Append ``u32 6 | essence | u16 count | unlocks``."""
        w.u32(self.KIND)
        w.raw(self.essence.to_bytes())  # cached on the essence
        w.u16(len(self.unlocks))
        for u in self.unlocks:
            u.write_to(w)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read one transaction payload, type included."""
        expect_payload_kind(r, cls.KIND, "transaction")
        essence = read_cached(r, TransactionEssence.read_from)
        at = r.offset
        count = r.u16("unlock count")
        if count != len(essence.inputs):
            raise DecodeError(
                f"a transaction needs one unlock per input: {len(essence.inputs)} inputs, {count} unlocks", at
            )
        unlocks = tuple(read_unlock(r) for _ in range(count))
        return cls(essence, unlocks)

    def to_json(self) -> JsonObject:
        """The node API's JSON shape."""
        return {
            "type": self.KIND,
            "essence": self.essence.to_json(),
            "unlocks": [u.to_json() for u in self.unlocks],
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any], path: str = "") -> Self:
        """Parse the node API's JSON shape; errors name the field."""
        obj = require_object(d, path)
        expect_json_payload_kind(obj, cls.KIND, "transaction", path)
        essence = TransactionEssence.from_json(get_field(obj, "essence", path), sub(path, "essence"))
        u_path = sub(path, "unlocks")
        raw = require_list(get_field(obj, "unlocks", path), u_path)
        if len(raw) > MAX_INPUTS:
            raise InvalidTransactionError(f"a transaction has at most {MAX_INPUTS} unlocks, got {len(raw)}")
        return cls(essence, tuple(unlock_from_json(u, f"{u_path}[{i}]") for i, u in enumerate(raw)))
