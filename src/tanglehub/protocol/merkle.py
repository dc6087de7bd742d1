"""The TIP-4 Merkle tree hash used for a milestone's inclusion and applied Merkle roots.

``MTH({})`` is BLAKE2b-256 of nothing; a leaf is ``BLAKE2b-256(0x00 || id)``; an inner node is
``BLAKE2b-256(0x01 || MTH(left) || MTH(right))`` where the left part holds the largest power of two that is
strictly less than the number of ids. Ids (32-byte block ids in white-flag order) are hashed as given.
"""

from __future__ import annotations

from collections.abc import Sequence

from tanglehub.errors import ProtocolValidationError
from tanglehub.protocol.ids import blake2b256

__all__ = [
    "EMPTY_MERKLE_ROOT",
    "MerkleInputError",
    "merkle_root",
    "merkle_root_recursive",
]

_LEAF = b"\x00"
_NODE = b"\x01"


class MerkleInputError(ProtocolValidationError):
    """A Merkle tree was asked to hash something that is not a byte string."""

    code = "MERKLE_INPUT_INVALID"


EMPTY_MERKLE_ROOT = blake2b256(b"")
"""``MTH({})``: the root a milestone carries when it references (or applies) nothing."""


def _leaf(pos: int, item: bytes) -> bytes:
    """The leaf hash of one id, refusing anything that is not bytes-like."""
    if not isinstance(item, bytes | bytearray | memoryview):
        raise MerkleInputError(f"Merkle tree input {pos} is {type(item).__name__}, not bytes")
    return blake2b256(_LEAF + bytes(item))


def _split(count: int) -> int:
    """The largest power of two strictly below ``count`` (``count >= 2``)."""
    return 1 << ((count - 1).bit_length() - 1)


def merkle_root(ids: Sequence[bytes]) -> bytes:
    """The TIP-4 Merkle tree hash of ``ids`` (32 bytes).

    Runs iteratively: the tree shape of TIP-4 equals pairing neighbours level by level and carrying an
    odd last node up unchanged, so n ids cost n leaf hashes and n - 1 node hashes.
    """
    level = [_leaf(pos, item) for pos, item in enumerate(ids)]
    if not level:
        return EMPTY_MERKLE_ROOT
    while len(level) > 1:
        paired = [blake2b256(_NODE + level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def merkle_root_recursive(ids: Sequence[bytes]) -> bytes:
    """The same hash computed literally as TIP-4 defines it (for cross-checking; recursion depth is log n)."""
    leaves = [_leaf(pos, item) for pos, item in enumerate(ids)]
    return _subtree(leaves) if leaves else EMPTY_MERKLE_ROOT


def _subtree(leaves: Sequence[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return blake2b256(_NODE + _subtree(leaves[:k]) + _subtree(leaves[k:]))
