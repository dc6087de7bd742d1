"""The ``users`` table: one row per exchange user, keyed by the exchange's own id."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from tanglehub.hub.models.base import Base
from tanglehub.hub.models.types import BigIntPK

__all__ = ["User"]


class User(Base):
    """An exchange user: ``external_id`` is the exchange's unique id (what the API calls ``userId``)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    """Unix time in milliseconds."""
