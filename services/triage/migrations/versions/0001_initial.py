"""Triage: runtime tables, contacts, threshold decisions, RAG ratings, deadlines.

The tables are spelled out here rather than created from adapters/tables.py: a migration is a
frozen step, so a later migration that changes a table still applies to a fresh database.

Revision ID: 0001
"""

import sqlalchemy as sa

from mash_common.db import create_runtime_tables, drop_runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)  # adapters.tables.UtcDateTime stores through this type


def upgrade() -> None:
    from alembic import op

    create_runtime_tables(op)
    op.create_table(
        "contacts",
        sa.Column("contact_id", sa.String(36), primary_key=True),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("family_group_id", sa.String(36), nullable=False, index=True),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("contact_type", sa.String(16), nullable=False),
        sa.Column("contact_source", sa.String(4), nullable=False),
        sa.Column("referrer_kind", sa.String(16), nullable=False),
        sa.Column("immediate_risk", sa.Boolean, nullable=False),
        sa.Column("concern_factors", sa.JSON, nullable=False),
        sa.Column("child_age_years", sa.Integer, nullable=True),
        sa.Column("personal", sa.JSON, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("level_of_need", sa.Integer, nullable=True),
        sa.Column("rating", sa.String(8), nullable=True),
        sa.Column("deadline", TS, nullable=True),
        sa.Column("agencies", sa.JSON, nullable=True),
        sa.Column("information_requested_at", TS, nullable=True),
        sa.Column("decision_id", sa.String(64), nullable=True),
        sa.Column("decision_outcome", sa.String(32), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_contacts_queue", "contacts", ["status", "immediate_risk", "received_at", "contact_id"]
    )
    op.create_table(
        "threshold_decisions",
        sa.Column("contact_id", sa.String(36), sa.ForeignKey("contacts.contact_id"),
                  primary_key=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("level_of_need", sa.Integer, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("role", sa.String(50), nullable=False),
        sa.Column("decided_at", TS, nullable=False),
        sa.Column("rationale", sa.JSON, nullable=False),
    )
    op.create_table(
        "rag_ratings",
        sa.Column("contact_id", sa.String(36), sa.ForeignKey("contacts.contact_id"),
                  primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("rating", sa.String(8), nullable=False),
        sa.Column("previous_rating", sa.String(8), nullable=True),
        sa.Column("rated_by", sa.String(100), nullable=False),
        sa.Column("role", sa.String(50), nullable=False),
        sa.Column("rated_at", TS, nullable=False),
        sa.Column("deadline", TS, nullable=False),
        sa.Column("rationale", sa.JSON, nullable=False),
    )
    op.create_table(
        "deadlines",
        sa.Column("deadline_id", sa.Integer().with_variant(sa.BigInteger(), "postgresql"),
                  primary_key=True, autoincrement=True),
        sa.Column("contact_id", sa.String(36), sa.ForeignKey("contacts.contact_id"),
                  nullable=False, index=True),
        sa.Column("rating_seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("rating", sa.String(8), nullable=False),
        sa.Column("deadline", TS, nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("fired_at", TS, nullable=True),
        sa.Column("cancelled_at", TS, nullable=True),
        sa.Column("cancel_reason", sa.String(32), nullable=True),
        sa.UniqueConstraint("contact_id", "rating_seq", "kind"),
    )
    op.create_index("ix_deadlines_due", "deadlines", ["fired_at", "cancelled_at", "due_at"])


def downgrade() -> None:
    from alembic import op

    for table in ("deadlines", "rag_ratings", "threshold_decisions", "contacts"):
        op.drop_table(table)
    drop_runtime_tables(op)
