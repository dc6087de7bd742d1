"""Plain reference Curl-P-81 (TIP-12) and the b1t6 / tryte encodings (TIP-5).

This module is deliberately simple and slow (one hash takes a few milliseconds): it is the yardstick the
bit-sliced kernel in :mod:`tanglehub.protocol._curl_bct` is tested against, and it scores single blocks.

Trits are ints in ``{-1, 0, 1}``. The state is 729 trits; a hash is the first 243 trits of the state after
one transform of 81 rounds. Each round replaces every state trit ``i`` by ``S(c[p(i)], c[p(i + 1)])`` where
``c`` is the previous state, ``p(i) = 364 * i mod 729`` and ``S(a, b) = TRUTH_TABLE[a + 4 * b + 5]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from tanglehub.errors import ProtocolValidationError

__all__ = [
    "B1T6_TABLE",
    "HASH_LENGTH",
    "ROUNDS",
    "STATE_LENGTH",
    "TRUTH_TABLE",
    "TRYTE_ALPHABET",
    "CurlP81",
    "PowCancelledError",
    "PowInputError",
    "PowTimeoutError",
    "PowWorkerError",
    "b1t6_decode",
    "b1t6_encode",
    "curl_p81_hash",
    "round_indices",
    "trits_to_trytes",
    "trytes_to_trits",
]

HASH_LENGTH = 243
"""Trits absorbed or squeezed per Curl call (one block)."""

STATE_LENGTH = 3 * HASH_LENGTH
"""Trits in the Curl state."""

ROUNDS = 81
"""Rounds of one Curl-P-81 transform."""

TRUTH_TABLE: tuple[int, ...] = (1, 0, -1, 2, 1, -1, 0, 2, -1, 1, 0)
"""The Curl S-box, indexed by ``a + 4 * b + 5`` (entries 3 and 7 are never used)."""

TRYTE_ALPHABET = "9ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""Tryte characters for values 0..13 followed by -13..-1."""


class PowInputError(ProtocolValidationError):
    """Trits, trytes, block bytes, a nonce or a PoW target that cannot be used as given."""

    code = "POW_INPUT_INVALID"


class PowTimeoutError(ProtocolValidationError):
    """Nonce search gave up: no nonce reaching the target score was found within the time allowed."""

    code = "POW_TIMEOUT"
    http_status: ClassVar[int] = 503


class PowWorkerError(ProtocolValidationError):
    """The worker processes of a multi-process nonce search could not be started or died."""

    code = "POW_WORKER_FAILED"
    http_status: ClassVar[int] = 500


class PowCancelledError(PowTimeoutError):
    """Nonce search was cancelled by the caller before a nonce was found."""

    code = "POW_CANCELLED"


def round_indices() -> tuple[int, ...]:
    """The 730 state positions one round reads, in order: trit ``i`` uses entries ``i`` and ``i + 1``."""
    return tuple((364 * i) % STATE_LENGTH for i in range(STATE_LENGTH + 1))


_PAIRS: tuple[tuple[int, int], ...] = tuple(
    (a, b) for a, b in zip(round_indices()[:-1], round_indices()[1:], strict=True)
)


def _balanced_trits(value: int, count: int) -> tuple[int, ...]:
    """``value`` as ``count`` balanced trits, least significant first."""
    out = []
    for _ in range(count):
        rem = value % 3
        if rem == 2:
            rem = -1
        out.append(rem)
        value = (value - rem) // 3
    return tuple(out)


B1T6_TABLE = tuple(_balanced_trits(b - 256 if b >= 128 else b, 6) for b in range(256))
"""b1t6 of every byte value: six balanced trits of the byte read as a signed int8, least significant first."""
_B1T6_INVERSE: dict[tuple[int, ...], int] = {t: b for b, t in enumerate(B1T6_TABLE)}


def _check_trits(trits: Sequence[int], what: str) -> None:
    for pos, trit in enumerate(trits):
        if trit not in (-1, 0, 1):
            raise PowInputError(f"{what}: trit {pos} is {trit!r}; trits must be -1, 0 or 1")


def transform(state: list[int]) -> list[int]:
    """Return the state after one Curl-P-81 transform (81 rounds) of the 729-trit ``state``."""
    table = TRUTH_TABLE
    pairs = _PAIRS
    for _ in range(ROUNDS):
        c = state
        state = [table[c[a] + 4 * c[b] + 5] for a, b in pairs]
    return state


class CurlP81:
    """A Curl-P-81 sponge: absorb 243-trit blocks, squeeze 243-trit blocks (reference speed)."""

    def __init__(self) -> None:
        """Start from the all-zero state."""
        self._state = [0] * STATE_LENGTH

    def absorb(self, trits: Sequence[int]) -> None:
        """Absorb a multiple of 243 trits, transforming after each block."""
        if len(trits) % HASH_LENGTH:
            raise PowInputError(f"Curl absorbs whole blocks of {HASH_LENGTH} trits, got {len(trits)}")
        _check_trits(trits, "Curl input")
        for off in range(0, len(trits), HASH_LENGTH):
            self._state[:HASH_LENGTH] = trits[off : off + HASH_LENGTH]
            self._state = transform(self._state)

    def squeeze(self, length: int = HASH_LENGTH) -> list[int]:
        """Squeeze a multiple of 243 trits; the state is transformed between consecutive blocks."""
        if length <= 0 or length % HASH_LENGTH:
            raise PowInputError(f"Curl squeezes whole blocks of {HASH_LENGTH} trits, got {length}")
        out: list[int] = []
        for n in range(length // HASH_LENGTH):
            if n:
                self._state = transform(self._state)
            out.extend(self._state[:HASH_LENGTH])
        return out


def curl_p81_hash(trits: Sequence[int]) -> list[int]:
    """The 243-trit Curl-P-81 hash of ``trits`` (a multiple of 243 trits), by the plain reference code."""
    curl = CurlP81()
    curl.absorb(trits)
    return curl.squeeze()


def b1t6_encode(data: bytes) -> list[int]:
    """TIP-5 b1t6: each byte, read as a signed int8, becomes 6 balanced trits, least significant first."""
    out: list[int] = []
    for byte in data:
        out.extend(B1T6_TABLE[byte])
    return out


def b1t6_decode(trits: Sequence[int]) -> bytes:
    """Invert :func:`b1t6_encode`; raises PowInputError on a length or group that no byte encodes to."""
    if len(trits) % 6:
        raise PowInputError(f"b1t6 data is a multiple of 6 trits, got {len(trits)}")
    out = bytearray()
    for off in range(0, len(trits), 6):
        group = tuple(trits[off : off + 6])
        byte = _B1T6_INVERSE.get(group)
        if byte is None:
            raise PowInputError(f"trits {off}..{off + 5} do not encode a byte in b1t6")
        out.append(byte)
    return bytes(out)


def trits_to_trytes(trits: Sequence[int]) -> str:
    """Trits (a multiple of 3, least significant first per tryte) as tryte characters."""
    if len(trits) % 3:
        raise PowInputError(f"trytes need a multiple of 3 trits, got {len(trits)}")
    _check_trits(trits, "trits")
    chars = []
    for off in range(0, len(trits), 3):
        value = trits[off] + 3 * trits[off + 1] + 9 * trits[off + 2]
        chars.append(TRYTE_ALPHABET[value % 27])
    return "".join(chars)


def trytes_to_trits(trytes: str) -> list[int]:
    """Tryte characters (``9A-Z``) as trits, three per tryte, least significant first."""
    out: list[int] = []
    for pos, char in enumerate(trytes):
        idx = TRYTE_ALPHABET.find(char)
        if idx < 0:
            raise PowInputError(f"character {pos} ({char!r}) is not a tryte; use 9 and A-Z")
        out.extend(_balanced_trits(idx - 27 if idx > 13 else idx, 3))
    return out
