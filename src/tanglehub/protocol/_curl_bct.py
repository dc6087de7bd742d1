"""Bit-sliced Curl-P-81 in numpy: 64 independent Curl states per ``uint64`` word, many words at once.

Each trit of each state is held as two bits, one in a ``lo`` plane and one in a ``hi`` plane::

    trit  -1  0  1
    lo     1  1  0        lo = (trit != 1)
    hi     0  1  1        hi = (trit != -1)

(``lo = hi = 0`` never occurs). Planes are arrays of shape ``(rows, words)``: bit ``j`` of word ``w`` of row
``r`` belongs to lane ``64 * w + j``. With ``a`` the trit at ``p(i)`` and ``b`` the trit at ``p(i + 1)`` the
S-box ``S(a, b)`` becomes three bitwise expressions (checked against the truth table in the tests)::

    d      = a.lo & (a.hi ^ b.lo)          # the result is 1 exactly when d is set
    new.lo = ~d
    new.hi = (a.lo ^ b.hi) | d

For nonce search the last rounds only compute the state rows the trailing-zero test (and the rounds after
them) read, which saves several of the 81 rounds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from tanglehub.protocol._curl import (
    B1T6_TABLE,
    HASH_LENGTH,
    ROUNDS,
    STATE_LENGTH,
    PowInputError,
    round_indices,
)

__all__ = [
    "LANES_PER_WORD",
    "NonceKernel",
    "hash_many",
    "pack",
    "transform",
    "unpack",
]

LANES_PER_WORD = 64
"""Curl states carried by one ``uint64`` word."""

U64 = npt.NDArray[np.uint64]
Trits = npt.NDArray[np.int8]

_IDX = np.array(round_indices(), dtype=np.intp)
_ONES = np.uint64(0xFFFF_FFFF_FFFF_FFFF)

_B1T6 = np.array(B1T6_TABLE, dtype=np.int8)
"""The b1t6 table of :mod:`tanglehub.protocol._curl` as an array, indexed by byte value."""


def pack(trits: Trits) -> tuple[U64, U64]:
    """Bit-slice ``trits`` of shape ``(lanes, rows)`` into ``(lo, hi)`` planes of shape ``(rows, words)``.

    Lanes beyond ``trits.shape[0]`` (up to the next multiple of 64) are filled with zero trits.
    """
    lanes, rows = trits.shape
    words = -(-lanes // LANES_PER_WORD)
    padded = np.zeros((words * LANES_PER_WORD, rows), dtype=np.int8)
    padded[:lanes] = trits
    by_row = padded.reshape(words, LANES_PER_WORD, rows).transpose(2, 0, 1)
    lo = np.ascontiguousarray(np.packbits(by_row != 1, axis=-1, bitorder="little")).view("<u8")[..., 0]
    hi = np.ascontiguousarray(np.packbits(by_row != -1, axis=-1, bitorder="little")).view("<u8")[..., 0]
    return np.ascontiguousarray(lo, dtype=np.uint64), np.ascontiguousarray(hi, dtype=np.uint64)


def unpack(lo: U64, hi: U64, lanes: int) -> Trits:
    """Invert :func:`pack`: planes of shape ``(rows, words)`` to trits of shape ``(lanes, rows)``."""
    rows, words = lo.shape
    lo_bits = np.unpackbits(lo.astype("<u8").view(np.uint8).reshape(rows, words, 8), axis=-1, bitorder="little")
    hi_bits = np.unpackbits(hi.astype("<u8").view(np.uint8).reshape(rows, words, 8), axis=-1, bitorder="little")
    trits = hi_bits.astype(np.int8) - lo_bits.astype(np.int8)
    return np.ascontiguousarray(trits.reshape(rows, words * LANES_PER_WORD).T[:lanes])


def transform(lo: U64, hi: U64) -> tuple[U64, U64]:
    """One full Curl-P-81 transform of bit-sliced 729-row states (returns new arrays)."""
    words = lo.shape[1]
    g_lo = np.empty((STATE_LENGTH + 1, words), dtype=np.uint64)
    g_hi = np.empty_like(g_lo)
    lo, hi = lo.copy(), hi.copy()
    tmp = np.empty_like(lo)
    for _ in range(ROUNDS):
        _round(lo, hi, g_lo, g_hi, tmp)
    return lo, hi


def _round(lo: U64, hi: U64, g_lo: U64, g_hi: U64, tmp: U64) -> None:
    """One full round in place: gather the inputs, apply the bit-sliced S-box to all 729 rows."""
    np.take(lo, _IDX, axis=0, out=g_lo, mode="clip")
    np.take(hi, _IDX, axis=0, out=g_hi, mode="clip")
    a_lo, b_lo, a_hi, b_hi = g_lo[:-1], g_lo[1:], g_hi[:-1], g_hi[1:]
    np.bitwise_xor(a_hi, b_lo, out=tmp)
    np.bitwise_and(tmp, a_lo, out=tmp)
    np.bitwise_xor(a_lo, b_hi, out=hi)
    np.bitwise_or(hi, tmp, out=hi)
    np.invert(tmp, out=lo)


def hash_many(blocks: Sequence[Sequence[int]] | Trits, squeeze: int = 1) -> Trits:
    """Curl-P-81 of many equal-length inputs in parallel (absorb all blocks, squeeze ``squeeze`` blocks)."""
    arr = np.asarray(blocks, dtype=np.int8)
    lanes, length = arr.shape
    state_lo, state_hi = pack(np.zeros((lanes, STATE_LENGTH), dtype=np.int8))
    for off in range(0, length, HASH_LENGTH):
        blk_lo, blk_hi = pack(arr[:, off : off + HASH_LENGTH])
        state_lo[:HASH_LENGTH], state_hi[:HASH_LENGTH] = blk_lo, blk_hi
        state_lo, state_hi = transform(state_lo, state_hi)
    out = []
    for n in range(squeeze):
        if n:
            state_lo, state_hi = transform(state_lo, state_hi)
        out.append(unpack(state_lo[:HASH_LENGTH], state_hi[:HASH_LENGTH], lanes))
    return np.concatenate(out, axis=1)


def _tail_schedule(zeros: int) -> list[npt.NDArray[np.intp]]:
    """Rows each of the last rounds must compute so that the final rows ``243 - zeros .. 242`` are right.

    Element ``k`` is for round ``ROUNDS - 1 - k``; the list stops once a round needs most of the state.
    """
    needed = np.arange(HASH_LENGTH - zeros, HASH_LENGTH, dtype=np.intp)
    schedule: list[npt.NDArray[np.intp]] = []
    while len(needed) < STATE_LENGTH * 2 // 3 and len(schedule) < ROUNDS - 1:
        schedule.append(needed)
        needed = np.union1d(_IDX[needed], _IDX[needed + 1])
    return schedule


class NonceKernel:
    """Search nonces for one block: 64 x ``words`` consecutive nonces per :meth:`search` call.

    ``hash_trits`` is b1t6 of BLAKE2b-256(block without nonce) (192 trits); a nonce qualifies when the
    Curl hash of ``hash_trits || b1t6(nonce as u64 LE) || 000`` ends in at least ``zeros`` zero trits.
    """

    def __init__(self, hash_trits: Sequence[int], zeros: int, words: int = 32) -> None:
        """Prepare buffers and the pruned schedule of the last rounds."""
        if not 1 <= zeros <= HASH_LENGTH:
            raise PowInputError(f"a nonce search needs 1..243 trailing zero trits, not {zeros}")
        self.words = words
        self.batch = words * LANES_PER_WORD
        const = np.zeros((1, STATE_LENGTH), dtype=np.int8)
        const[0, :192] = np.asarray(hash_trits, dtype=np.int8)
        c_lo, c_hi = pack(const)
        all_ones = np.full(words, _ONES, dtype=np.uint64)
        self._init_lo = np.where((c_lo[:, :1] & np.uint64(1)) != 0, all_ones, np.uint64(0))
        self._init_hi = np.where((c_hi[:, :1] & np.uint64(1)) != 0, all_ones, np.uint64(0))
        self._lo = np.empty((STATE_LENGTH, words), dtype=np.uint64)
        self._hi = np.empty_like(self._lo)
        self._g_lo = np.empty((STATE_LENGTH + 1, words), dtype=np.uint64)
        self._g_hi = np.empty_like(self._g_lo)
        self._tmp = np.empty_like(self._lo)
        self._tail = _tail_schedule(zeros)[::-1]
        self._full_rounds = ROUNDS - len(self._tail)
        self._zero_rows = slice(HASH_LENGTH - zeros, HASH_LENGTH)
        self._lane_offsets = np.arange(self.batch, dtype=np.uint64)

    def _load(self, first_nonce: int) -> None:
        """Initial states for nonces ``first_nonce .. first_nonce + batch - 1`` (wrapping past 2^64)."""
        nonces = self._lane_offsets + np.uint64(first_nonce)
        nonce_bytes = nonces.astype("<u8").view(np.uint8).reshape(self.batch, 8)
        trits = _B1T6[nonce_bytes].reshape(self.batch, 48)
        n_lo, n_hi = pack(trits)
        self._lo[:] = self._init_lo
        self._hi[:] = self._init_hi
        self._lo[192:240] = n_lo
        self._hi[192:240] = n_hi

    def search(self, first_nonce: int, valid: int | None = None) -> int | None:
        """The offset of the first qualifying nonce from ``first_nonce``, or None.

        Only the first ``valid`` offsets (default: the whole batch) count, so a search near 2^64 can stop
        before nonces that would wrap around.
        """
        self._load(first_nonce)
        lo, hi, g_lo, g_hi, tmp = self._lo, self._hi, self._g_lo, self._g_hi, self._tmp
        for _ in range(self._full_rounds):
            _round(lo, hi, g_lo, g_hi, tmp)
        for rows in self._tail:
            a_idx, b_idx = _IDX[rows], _IDX[rows + 1]
            a_lo, a_hi, b_lo, b_hi = lo[a_idx], hi[a_idx], lo[b_idx], hi[b_idx]
            d = a_lo & (a_hi ^ b_lo)
            hi[rows] = (a_lo ^ b_hi) | d
            lo[rows] = ~d
        zero = np.bitwise_and.reduce(lo[self._zero_rows] & hi[self._zero_rows], axis=0)
        for word in np.flatnonzero(zero).tolist():
            bits = int(zero[word])
            offset = word * LANES_PER_WORD + (bits & -bits).bit_length() - 1
            return offset if valid is None or offset < valid else None
        return None
