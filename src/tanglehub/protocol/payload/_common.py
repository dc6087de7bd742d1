"""Helpers shared by the payload modules: payload type checks, JSON paths, hashing, limits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tanglehub.errors import TanglehubError
from tanglehub.protocol._values import typed_tuple
from tanglehub.protocol.codec import Reader
from tanglehub.protocol.errors import DecodeError, JsonShapeError
from tanglehub.protocol.ids import blake2b256
from tanglehub.protocol.jsonutil import get_field, hex_to_bytes, require_int, require_list, sub

__all__ = [
    "BLOCK_ID_LENGTH",
    "MAX_BLOCK_LENGTH",
    "MAX_PARENTS",
    "blake2b256",
    "check_parents",
    "expect_json_payload_kind",
    "expect_payload_kind",
    "ids_from_json",
    "parents_problem",
    "sub",
]

MAX_BLOCK_LENGTH = 32768
"""Longest serialized block, in bytes; no payload can be longer."""
BLOCK_ID_LENGTH = 32
"""Bytes in a block id (and in a milestone id, Merkle root, ...)."""
MAX_PARENTS = 8
"""A block (and a milestone essence) references 1..8 parents."""


def expect_payload_kind(r: Reader, kind: int, name: str) -> None:
    """Consume a payload's u32 type and check it is ``kind``."""
    at = r.offset
    got = r.u32(f"{name} payload type")
    if got != kind:
        raise DecodeError(f"expected payload type {kind} ({name}), got {got}", at)


def expect_json_payload_kind(obj: Mapping[str, Any], kind: int, name: str, path: str) -> None:
    """Check a JSON payload's ``type`` is ``kind``."""
    got = require_int(get_field(obj, "type", path), sub(path, "type"), 0, 2**32 - 1)
    if got != kind:
        raise JsonShapeError(f"expected payload type {kind} ({name}), got {got}", sub(path, "type"))


def check_parents(parents: object, what: str, error: type[TanglehubError]) -> tuple[bytes, ...]:
    """Return ``parents`` as a tuple of bytes if it is a valid parent list (1..8 sorted, unique 32-byte
    ids); otherwise raise ``error`` saying what is wrong with ``what``."""
    seq = typed_tuple(parents, bytes, what, error)
    problem = parents_problem(seq)
    if problem is not None:
        raise error(f"{what}: {problem}")
    return seq


def parents_problem(parents: Sequence[bytes]) -> str | None:
    """Why ``parents`` is not a valid parent list (1..8 ids, strictly ascending), or None."""
    if not 1 <= len(parents) <= MAX_PARENTS:
        return f"there must be 1..{MAX_PARENTS} parents, got {len(parents)}"
    for i, p in enumerate(parents):
        if len(p) != BLOCK_ID_LENGTH:
            return f"parent {i} is {len(p)} bytes, a block id is {BLOCK_ID_LENGTH}"
        if i and parents[i - 1] >= p:
            return "parents must be sorted in ascending byte order without duplicates"
    return None


def ids_from_json(value: object, path: str) -> tuple[bytes, ...]:
    """Parse a JSON array of 32-byte hex ids."""
    items = require_list(value, path)
    return tuple(hex_to_bytes(v, f"{path}[{i}]", BLOCK_ID_LENGTH) for i, v in enumerate(items))
