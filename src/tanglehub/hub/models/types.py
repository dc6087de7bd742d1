"""Column types shared by the hub's tables."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer

__all__ = ["BigIntPK"]

BigIntPK = BigInteger().with_variant(Integer(), "sqlite")
"""A 64-bit integer primary key; plain INTEGER on SQLite so that it is the rowid (auto-assigned)."""
