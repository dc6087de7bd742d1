"""The ``scanner_state`` table: the scanner's cursor (next milestone to read) and write-guard rows."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from tanglehub.hub.models.base import Base

__all__ = ["ScannerState"]


class ScannerState(Base):
    """A named integer the workers keep: ``scanner`` holds the next milestone index to scan; ``write_guard``
    is bumped at the start of every SQLite write transaction (see :func:`tanglehub.hub.db.lock_writes`)."""

    __tablename__ = "scanner_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
