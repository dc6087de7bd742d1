"""AUTHORIZATION: the exchange's withdrawal authorization kept on each withdrawal.

Revision ID: 0005_authorization
Revises: 0004_treasury
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_authorization"
down_revision = "0004_treasury"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``withdrawals.authorization`` ("0x" + 128 hex, nullable): passed to the signer in the justification."""
    with op.batch_alter_table("withdrawals") as batch:
        batch.add_column(sa.Column("authorization", sa.String(130), nullable=True))


def downgrade() -> None:
    """Drop ``withdrawals.authorization``."""
    with op.batch_alter_table("withdrawals") as batch:
        batch.drop_column("authorization")
