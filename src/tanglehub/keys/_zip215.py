"""Exact ZIP-215 / TIP-14 Ed25519 verification in plain integer arithmetic (the slow fallback path).

Used only when libsodium rejects a signature, to decide the edge cases libsodium is stricter about:
non-canonical encodings of A and R (y >= p, or x = 0 with the sign bit set) and small-order points are
accepted, S >= L is rejected, and the cofactored equation [8][S]B = [8]R + [8][k]A is checked with
k = SHA-512(R_bytes || A_bytes || M) over the bytes exactly as provided.
"""

from __future__ import annotations

import hashlib

__all__ = ["GROUP_ORDER", "verify_zip215"]

_P = 2**255 - 19
_D = (-121665 * pow(121666, _P - 2, _P)) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)
GROUP_ORDER = 2**252 + 27742317777372353535851937790883648493
"""L, the order of the prime-order subgroup."""

# A point in extended coordinates (X, Y, Z, T) with x = X/Z, y = Y/Z, x*y = T/Z.
_Point = tuple[int, int, int, int]
_IDENTITY: _Point = (0, 1, 1, 0)
_BY = 4 * pow(5, _P - 2, _P) % _P


def _recover_x(y: int, sign: int) -> int | None:
    """x for ``y`` with the given sign bit, without canonicality checks; ``None`` if not on the curve."""
    u = (y * y - 1) % _P
    v = (_D * y * y + 1) % _P
    x = u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P) % _P
    vxx = v * x * x % _P
    if vxx == (-u) % _P:
        x = x * _SQRT_M1 % _P
    elif vxx != u:
        return None
    if x & 1 != sign:
        x = (-x) % _P
    return x


def _decompress(encoded: bytes) -> _Point | None:
    value = int.from_bytes(encoded, "little")
    y = (value & ((1 << 255) - 1)) % _P
    x = _recover_x(y, value >> 255)
    if x is None:
        return None
    return (x, y, 1, x * y % _P)


def _add(p: _Point, q: _Point) -> _Point:
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % _P
    b = (y1 + x1) * (y2 + x2) % _P
    c = 2 * t1 * t2 * _D % _P
    d = 2 * z1 * z2 % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _double(p: _Point) -> _Point:
    x1, y1, z1, _ = p
    a = x1 * x1 % _P
    b = y1 * y1 % _P
    c = 2 * z1 * z1 % _P
    h = a + b
    e = h - (x1 + y1) * (x1 + y1)
    g = a - b
    f = c + g
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _negate(p: _Point) -> _Point:
    x, y, z, t = p
    return ((-x) % _P, y, z, (-t) % _P)


def _double_scalar_mult(a: int, p: _Point, b: int, q: _Point) -> _Point:
    """[a]P + [b]Q by interleaved double-and-add (Straus)."""
    pq = _add(p, q)
    result = _IDENTITY
    for bit in range(max(a.bit_length(), b.bit_length()) - 1, -1, -1):
        result = _double(result)
        pick = ((a >> bit) & 1, (b >> bit) & 1)
        if pick == (1, 1):
            result = _add(result, pq)
        elif pick == (1, 0):
            result = _add(result, p)
        elif pick == (0, 1):
            result = _add(result, q)
    return result


_BASE: _Point = (_recover_x(_BY, 0) or 0, _BY, 1, (_recover_x(_BY, 0) or 0) * _BY % _P)


def verify_zip215(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Decide a 32-byte public key / 64-byte signature pair by the ZIP-215 rules."""
    s = int.from_bytes(signature[32:], "little")
    if s >= GROUP_ORDER:
        return False
    a_point = _decompress(public_key)
    r_point = _decompress(signature[:32])
    if a_point is None or r_point is None:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little") % GROUP_ORDER
    # [S]B - [k]A - R, then multiplied by the cofactor 8; valid iff that is the identity.
    point = _add(_double_scalar_mult(s, _BASE, k, _negate(a_point)), _negate(r_point))
    for _ in range(3):
        point = _double(point)
    x, y, z, _ = point
    return x % _P == 0 and (y - z) % _P == 0
