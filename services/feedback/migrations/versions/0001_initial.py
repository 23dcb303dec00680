"""Feedback: runtime tables, cases, decisions, feedback.

Revision ID: 0001
"""

import sqlalchemy as sa

from mash_common.db import create_runtime_tables, drop_runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The tables are spelled out here rather than created from the live metadata, so that later
# migrations can alter them without this one already creating the altered shape.


def upgrade() -> None:
    from alembic import op

    create_runtime_tables(op)
    op.create_table(
        "cases",
        sa.Column("contact_id", sa.String(64), primary_key=True),
        sa.Column("has_contact", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("reference", sa.String(32), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("referrer_kind", sa.String(16), nullable=True),
        sa.Column("referrer_agency", sa.String(200), nullable=True),
        sa.Column("contact_source", sa.String(4), nullable=True),
        sa.Column("immediate_risk", sa.Boolean, nullable=True),
        sa.Column("concern_factors", sa.JSON, nullable=True),
        sa.Column("personal", sa.JSON, nullable=True),
    )
    op.create_table(
        "decisions",
        sa.Column("decision_id", sa.String(64), primary_key=True),
        sa.Column("contact_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("level_of_need", sa.Integer, nullable=False),
        sa.Column("receiving_team", sa.String(200), nullable=True),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.String(64), nullable=True),
        sa.Column("rationale", sa.JSON, nullable=False),
    )
    op.create_index("ix_decisions_contact_id", "decisions", ["contact_id"])
    op.create_table(
        "feedback",
        sa.Column("decision_id", sa.String(64), primary_key=True),
        sa.Column("audience", sa.String(16), primary_key=True),
        sa.Column("contact_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("referrer_kind", sa.String(16), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message", sa.JSON, nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_feedback_contact_id", "feedback", ["contact_id"])


def downgrade() -> None:
    from alembic import op

    op.drop_table("feedback")
    op.drop_table("decisions")
    op.drop_table("cases")
    drop_runtime_tables(op)
