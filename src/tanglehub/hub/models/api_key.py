"""The ``api_keys`` table: hashed API keys with scopes (the secret itself is shown once and never stored)."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from tanglehub.hub.models.base import Base

__all__ = ["ApiKey"]


class ApiKey(Base):
    """One API key: ``thk_<key_id>_<secret>`` is what the client sends; only SHA-256(secret) is kept here.

    ``scopes`` is a space-separated, sorted subset of ``read deposit transfer withdraw admin``. A revoked key
    keeps its row (``revoked_at`` set) so the audit trail of who had access survives.
    """

    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[str] = mapped_column(String(200))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    """Hex SHA-256 of the key's secret part (256 random bits, so a fast hash is enough)."""
    created_at: Mapped[int] = mapped_column(BigInteger)
    """Unix ms."""
    revoked_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """Unix ms, or None while the key is valid."""
