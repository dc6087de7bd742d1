"""CORE tables: users, deposit addresses, deposits, the double-entry ledger, transfers, scanner state, events.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None

_BIGPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the CORE tables and seed the scanner-state rows."""
    op.create_table(
        "users",
        sa.Column("id", _BIGPK, primary_key=True, autoincrement=True),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("external_id", name="uq_users_external_id"),
    )
    op.create_table(
        "deposit_addresses",
        sa.Column("address_index", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("address_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("bech32", sa.String(100), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("assigned_at", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint("address_index", name="pk_deposit_addresses"),
        sa.UniqueConstraint("address_hash", name="uq_deposit_addresses_address_hash"),
        sa.UniqueConstraint("bech32", name="uq_deposit_addresses_bech32"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_deposit_addresses_user_id_users"),
    )
    op.create_index("ix_deposit_addresses_user_assigned", "deposit_addresses", ["user_id", "assigned_at"])
    op.create_index(
        "ix_deposit_addresses_unassigned",
        "deposit_addresses",
        ["address_index"],
        postgresql_where=sa.text("user_id IS NULL"),
        sqlite_where=sa.text("user_id IS NULL"),
    )
    op.create_table(
        "journal_transactions",
        sa.Column("id", _BIGPK, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_journal_transactions"),
        sa.UniqueConstraint("reference", name="uq_journal_transactions_reference"),
    )
    op.create_table(
        "ledger_accounts",
        sa.Column("account", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("available", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("account", name="pk_ledger_accounts"),
        sa.UniqueConstraint("user_id", name="uq_ledger_accounts_user_id"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_ledger_accounts_user_id_users"),
        sa.CheckConstraint(
            "kind <> 'user' OR available >= 0", name="ck_ledger_accounts_user_available_non_negative"
        ),
    )
    op.create_table(
        "journal_lines",
        sa.Column("id", _BIGPK, primary_key=True, autoincrement=True),
        sa.Column("journal_tx_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account", sa.String(80), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_journal_lines"),
        sa.ForeignKeyConstraint(
            ["journal_tx_id"],
            ["journal_transactions.id"],
            name="fk_journal_lines_journal_tx_id_journal_transactions",
        ),
        sa.ForeignKeyConstraint(
            ["account"], ["ledger_accounts.account"], name="fk_journal_lines_account_ledger_accounts"
        ),
    )
    op.create_index("ix_journal_lines_journal_tx_id", "journal_lines", ["journal_tx_id"])
    op.create_index("ix_journal_lines_account", "journal_lines", ["account", "journal_tx_id"])
    op.create_table(
        "deposits",
        sa.Column("output_id", sa.String(70), nullable=False),
        sa.Column("address_index", sa.Integer, nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("credited_amount", sa.BigInteger, nullable=False),
        sa.Column("deposit_class", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("output_type", sa.Integer, nullable=False),
        sa.Column("milestone_index", sa.BigInteger, nullable=False),
        sa.Column("milestone_timestamp", sa.BigInteger, nullable=False),
        sa.Column("unlock_at", sa.BigInteger, nullable=True),
        sa.Column("sender", sa.String(100), nullable=True),
        sa.Column("tag", sa.Text, nullable=True),
        sa.Column("metadata_hex", sa.Text, nullable=True),
        sa.Column("native_tokens", sa.Text, nullable=True),
        sa.Column("journal_tx_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("credited_at", sa.BigInteger, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("output_id", name="pk_deposits"),
        sa.ForeignKeyConstraint(
            ["address_index"],
            ["deposit_addresses.address_index"],
            name="fk_deposits_address_index_deposit_addresses",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_deposits_user_id_users"),
        sa.ForeignKeyConstraint(
            ["journal_tx_id"], ["journal_transactions.id"], name="fk_deposits_journal_tx_id_journal_transactions"
        ),
    )
    op.create_index("ix_deposits_user_id", "deposits", ["user_id", "milestone_index"])
    op.create_index("ix_deposits_status_unlock", "deposits", ["status", "unlock_at"])
    op.create_index("ix_deposits_milestone", "deposits", ["milestone_index"])
    op.create_table(
        "transfers",
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("legs", sa.Text, nullable=False),
        sa.Column("journal_tx_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("idempotency_key", name="pk_transfers"),
        sa.ForeignKeyConstraint(
            ["journal_tx_id"], ["journal_transactions.id"], name="fk_transfers_journal_tx_id_journal_transactions"
        ),
    )
    op.create_table(
        "scanner_state",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_scanner_state"),
    )
    op.create_table(
        "events",
        sa.Column("seq", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_events"),
    )
    op.create_index("ix_events_kind_seq", "events", ["kind", "seq"])
    state = sa.table("scanner_state", sa.column("name"), sa.column("value"), sa.column("updated_at"))
    op.bulk_insert(state, [{"name": "write_guard", "value": 0, "updated_at": 0}])
    accounts = sa.table(
        "ledger_accounts", sa.column("account"), sa.column("kind"), sa.column("user_id"), sa.column("available")
    )
    op.bulk_insert(accounts, [{"account": "hub:deposits", "kind": "hub", "user_id": None, "available": 0}])


def downgrade() -> None:
    """Drop the CORE tables."""
    for table in (
        "events",
        "scanner_state",
        "transfers",
        "deposits",
        "journal_lines",
        "ledger_accounts",
        "journal_transactions",
        "deposit_addresses",
        "users",
    ):
        op.drop_table(table)
