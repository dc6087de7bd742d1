"""PAYOUTS tables: hub_outputs, hot_addresses, batches, withdrawals; the withdrawal ledger accounts.

Revision ID: 0003_payouts
Revises: 0002_edge
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_payouts"
down_revision = "0002_edge"
branch_labels = None
depends_on = None

_BIGPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_BIGFK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the part 2 payout tables and the ``hub:withdrawals_pending`` / ``hub:withdrawals_paid`` accounts."""
    op.create_table(
        "hot_addresses",
        sa.Column("address_index", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("address_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("bech32", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("address_index", name="pk_hot_addresses"),
        sa.UniqueConstraint("address_hash", name="uq_hot_addresses_address_hash"),
        sa.UniqueConstraint("bech32", name="uq_hot_addresses_bech32"),
    )
    op.create_table(
        "batches",
        sa.Column("id", _BIGPK, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("request", sa.Text, nullable=True),
        sa.Column("payload", sa.LargeBinary, nullable=True),
        sa.Column("transaction_id", sa.String(66), nullable=True),
        sa.Column("block_id", sa.String(66), nullable=True),
        sa.Column("milestone", sa.BigInteger, nullable=True),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("justification", sa.Text, nullable=True),
        sa.Column("submitted_at", sa.BigInteger, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_batches"),
    )
    op.create_index("ix_batches_state", "batches", ["state", "id"])
    op.create_index("ix_batches_transaction_id", "batches", ["transaction_id"])
    op.create_table(
        "hub_outputs",
        sa.Column("output_id", sa.String(70), nullable=False),
        sa.Column("output", sa.LargeBinary, nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("address_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("account", sa.Integer, nullable=False),
        sa.Column("change", sa.Integer, nullable=False),
        sa.Column("address_index", sa.Integer, nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reserved_by", _BIGFK, nullable=True),
        sa.Column("created_by", _BIGFK, nullable=True),
        sa.Column("created_milestone", sa.BigInteger, nullable=True),
        sa.Column("spent_milestone", sa.BigInteger, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("output_id", name="pk_hub_outputs"),
        sa.ForeignKeyConstraint(["reserved_by"], ["batches.id"], name="fk_hub_outputs_reserved_by_batches"),
        sa.ForeignKeyConstraint(["created_by"], ["batches.id"], name="fk_hub_outputs_created_by_batches"),
    )
    op.create_index("ix_hub_outputs_state_amount", "hub_outputs", ["state", "amount"])
    op.create_index("ix_hub_outputs_reserved_by", "hub_outputs", ["reserved_by"])
    op.create_table(
        "withdrawals",
        sa.Column("id", _BIGPK, primary_key=True, autoincrement=True),
        sa.Column("user_id", _BIGFK, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("address", sa.String(100), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("tag", sa.Text, nullable=True),
        sa.Column("metadata_json", sa.Text, nullable=True),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("internal", sa.Boolean, nullable=False),
        sa.Column("solo", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("reason_code", sa.String(64), nullable=True),
        sa.Column("batch_id", _BIGFK, nullable=True),
        sa.Column("transaction_id", sa.String(66), nullable=True),
        sa.Column("block_id", sa.String(66), nullable=True),
        sa.Column("milestone", sa.BigInteger, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_withdrawals"),
        sa.UniqueConstraint("idempotency_key", name="uq_withdrawals_idempotency_key"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_withdrawals_user_id_users"),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name="fk_withdrawals_batch_id_batches"),
    )
    op.create_index("ix_withdrawals_state", "withdrawals", ["state", "id"])
    op.create_index("ix_withdrawals_user", "withdrawals", ["user_id", "id"])
    op.create_index("ix_withdrawals_batch_id", "withdrawals", ["batch_id"])
    accounts = sa.table(
        "ledger_accounts", sa.column("account"), sa.column("kind"), sa.column("user_id"), sa.column("available")
    )
    op.bulk_insert(
        accounts,
        [
            {"account": "hub:withdrawals_pending", "kind": "hub", "user_id": None, "available": 0},
            {"account": "hub:withdrawals_paid", "kind": "hub", "user_id": None, "available": 0},
        ],
    )


def downgrade() -> None:
    """Drop the PAYOUTS tables and accounts."""
    op.execute("DELETE FROM ledger_accounts WHERE account IN ('hub:withdrawals_pending', 'hub:withdrawals_paid')")
    for table in ("withdrawals", "hub_outputs", "batches", "hot_addresses"):
        op.drop_table(table)
