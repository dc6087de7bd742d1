"""Proof of work for blocks (TIP-12 over TIP-5 b1t6 and Curl-P-81).

A block's score is ``3**z / len(block)`` where ``z`` counts the trailing zero trits of::

    CurlP81( b1t6(BLAKE2b-256(block without its 8 nonce bytes)) || b1t6(nonce as u64 LE) || 0 0 0 )

:func:`pow_score` scores one block and :func:`find_nonce` mines, both with the bit-sliced numpy kernel of
:mod:`tanglehub.protocol._curl_bct` (64 Curl states per ``uint64`` word); mining can use several processes.
The search always returns the *smallest* qualifying nonce at or after ``start``, whatever the number of
workers, so a given block, target and start always give the same nonce.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Sequence

from tanglehub.protocol._curl import (
    CurlP81,
    PowCancelledError,
    PowInputError,
    PowTimeoutError,
    PowWorkerError,
    b1t6_decode,
    b1t6_encode,
    curl_p81_hash,
    trits_to_trytes,
    trytes_to_trits,
)
from tanglehub.protocol._curl_bct import NonceKernel, hash_many
from tanglehub.protocol._curl_workers import SearchJob, available_cores, search_in_processes

__all__ = [
    "MAX_NONCE",
    "NONCE_LENGTH",
    "CurlP81",
    "PowCancelledError",
    "PowInputError",
    "PowTimeoutError",
    "PowWorkerError",
    "b1t6_decode",
    "b1t6_encode",
    "curl_p81_hash",
    "find_nonce",
    "min_pow_score_met",
    "pow_digest_trits",
    "pow_score",
    "required_trailing_zeros",
    "trailing_zeros",
    "trits_to_trytes",
    "trytes_to_trits",
]

NONCE_LENGTH = 8
"""Bytes of the nonce at the end of a serialized block (u64 little endian)."""

MAX_NONCE = 2**64 - 1
"""Largest nonce a block can carry."""

_MAX_ZEROS = 243
_WORDS = 32
"""uint64 words per kernel batch (2048 nonces): the fastest size measured on a 2-core x86-64 box."""

_IN_PROCESS_MAX_ZEROS = 11
"""With ``workers=None``, targets up to 3**11 expected hashes (well under a second) are mined in-process."""


def _as_bytes(data: bytes | bytearray | memoryview, what: str) -> bytes:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise PowInputError(f"{what} must be bytes, not {type(data).__name__}")
    return bytes(data)


def pow_digest_trits(block_bytes: bytes) -> list[int]:
    """The 243 Curl input trits of a full block: b1t6(BLAKE2b-256(prefix)) || b1t6(nonce) || 000."""
    data = _as_bytes(block_bytes, "block")
    if len(data) < NONCE_LENGTH:
        raise PowInputError(f"a block ends with an {NONCE_LENGTH}-byte nonce; got only {len(data)} bytes")
    digest = hashlib.blake2b(data[:-NONCE_LENGTH], digest_size=32).digest()
    return b1t6_encode(digest) + b1t6_encode(data[-NONCE_LENGTH:]) + [0, 0, 0]


def trailing_zeros(trits: Sequence[int]) -> int:
    """How many trits at the end of ``trits`` are zero."""
    count = 0
    for trit in reversed(trits):
        if trit:
            break
        count += 1
    return count


def pow_score(block_bytes: bytes) -> float:
    """The TIP-12 PoW score of a serialized block (nonce included): ``3**z / len(block)``.

    Hashes with the bit-sliced kernel (one lane, about 4x faster than the plain reference Curl, which the
    tests hold it to).
    """
    data = _as_bytes(block_bytes, "block")
    zeros = trailing_zeros(hash_many([pow_digest_trits(data)])[0].tolist())
    return int(3**zeros) / len(data)


def min_pow_score_met(block_bytes: bytes, min_score: float) -> bool:
    """True when the block's PoW score is at least ``min_score`` (always true for a target of 0 or less)."""
    data = _as_bytes(block_bytes, "block")
    if len(data) < NONCE_LENGTH:
        raise PowInputError(f"a block ends with an {NONCE_LENGTH}-byte nonce; got only {len(data)} bytes")
    if min_score <= 0:
        return True
    return pow_score(data) >= min_score


def required_trailing_zeros(block_length: int, min_score: float) -> int:
    """The fewest trailing zero trits a block of ``block_length`` bytes needs to score ``min_score``."""
    if block_length <= 0:
        raise PowInputError("a block has at least one byte")
    if math.isnan(min_score):
        raise PowInputError("the minimum PoW score is not a number")
    for zeros in range(_MAX_ZEROS + 1):
        if int(3**zeros) / block_length >= min_score:
            return zeros
    raise PowInputError(
        f"a score of {min_score} cannot be reached by a {block_length}-byte block "
        f"(the most is 3**243 / {block_length})"
    )


def find_nonce(
    block_bytes_without_nonce: bytes,
    min_score: float,
    *,
    workers: int | None = None,
    start: int = 0,
    timeout: float | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """The smallest nonce ``>= start`` giving the block (prefix + nonce as u64 LE) a score ``>= min_score``.

    ``workers`` processes share the nonce space (``1``: in this process; ``None``: in-process for easy
    targets, otherwise one process per available core). ``timeout`` (seconds) bounds the search and raises
    :class:`PowTimeoutError`; setting ``cancel`` from another thread raises :class:`PowCancelledError`.
    The answer does not depend on ``workers``.
    """
    prefix = _as_bytes(block_bytes_without_nonce, "block prefix")
    if not 0 <= start <= MAX_NONCE:
        raise PowInputError(f"start nonce must be 0..{MAX_NONCE}, got {start}")
    if workers is not None and workers < 1:
        raise PowInputError(f"workers must be at least 1, got {workers}")
    if timeout is not None and not timeout >= 0:
        raise PowInputError(f"timeout must be a number of seconds >= 0, got {timeout}")
    zeros = required_trailing_zeros(len(prefix) + NONCE_LENGTH, min_score)
    if zeros == 0:
        return start
    hash_trits = b1t6_encode(hashlib.blake2b(prefix, digest_size=32).digest())
    deadline = None if timeout is None else time.monotonic() + timeout
    if workers is None:
        workers = 1 if zeros <= _IN_PROCESS_MAX_ZEROS else available_cores()
    if workers == 1:
        return _search_here(hash_trits, zeros, start, deadline, cancel)
    job = SearchJob(tuple(hash_trits), zeros, _WORDS, start)
    found = search_in_processes(job, workers, deadline=deadline, cancel=cancel)
    if found is None:
        raise PowInputError(f"no nonce from {start} to {MAX_NONCE} reaches the score {min_score}")
    return found


def _search_here(
    hash_trits: list[int], zeros: int, start: int, deadline: float | None, cancel: threading.Event | None
) -> int:
    """Single-process search, checking the deadline and the cancel flag between batches."""
    kernel = NonceKernel(hash_trits, zeros, words=_WORDS)
    first = start
    while first <= MAX_NONCE:
        if cancel is not None and cancel.is_set():
            raise PowCancelledError(f"nonce search cancelled after trying nonces {start}..{first - 1}")
        if deadline is not None and time.monotonic() > deadline:
            raise PowTimeoutError(
                f"no nonce with {zeros} trailing zero trits among nonces {start}..{first - 1}; "
                "allow more time or lower the target score"
            )
        offset = kernel.search(first, valid=MAX_NONCE - first + 1)
        if offset is not None:
            return first + offset
        first += kernel.batch
    raise PowInputError(f"no nonce from {start} to {MAX_NONCE} has {zeros} trailing zero trits")
