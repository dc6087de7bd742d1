"""TREASURY: the recoveries table and the treasury ledger accounts.

Revision ID: 0004_treasury
Revises: 0003_payouts
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_treasury"
down_revision = "0003_payouts"
branch_labels = None
depends_on = None

_BIGPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_BIGFK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ACCOUNTS = ("hub:cold", "hub:hot_wallet", "hub:recovered", "hub:uncredited")


def upgrade() -> None:
    """Create ``recoveries`` and the accounts ``hub:cold`` (sent to cold storage), ``hub:hot_wallet`` (its
    counterpart: what left the hot wallet other than withdrawals), ``hub:recovered`` / ``hub:uncredited``."""
    op.create_table(
        "recoveries",
        sa.Column("id", _BIGPK, primary_key=True, autoincrement=True),
        sa.Column("deposit_output_id", sa.String(70), nullable=False),
        sa.Column("address", sa.String(100), nullable=False),
        sa.Column("address_source", sa.String(16), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("return_amount", sa.BigInteger, nullable=False),
        sa.Column("topup", sa.BigInteger, nullable=False),
        sa.Column("native_tokens", sa.Text, nullable=True),
        sa.Column("nft_id", sa.String(66), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("reason_code", sa.String(64), nullable=True),
        sa.Column("batch_id", _BIGFK, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recoveries"),
        sa.UniqueConstraint("deposit_output_id", name="uq_recoveries_deposit_output_id"),
        sa.ForeignKeyConstraint(
            ["deposit_output_id"], ["deposits.output_id"], name="fk_recoveries_deposit_output_id_deposits"
        ),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name="fk_recoveries_batch_id_batches"),
    )
    accounts = sa.table(
        "ledger_accounts", sa.column("account"), sa.column("kind"), sa.column("user_id"), sa.column("available")
    )
    op.bulk_insert(accounts, [{"account": a, "kind": "hub", "user_id": None, "available": 0} for a in ACCOUNTS])


def downgrade() -> None:
    """Drop ``recoveries`` and the treasury accounts."""
    names = ", ".join(f"'{a}'" for a in ACCOUNTS)
    op.execute(f"DELETE FROM ledger_accounts WHERE account IN ({names})")  # noqa: S608 - constant names
    op.drop_table("recoveries")
