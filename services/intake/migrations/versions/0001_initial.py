"""Intake: runtime tables, contacts, submissions, counters (version 1, written out in full).

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from mash_common.db import create_runtime_tables, drop_runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_runtime_tables(op)
    op.create_table(
        "contacts",
        sa.Column("contact_id", sa.String(36), primary_key=True),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column("family_group_id", sa.String(36), nullable=False, index=True),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("contact_type", sa.String(16), nullable=False),
        sa.Column("contact_source", sa.String(4), nullable=False),
        sa.Column("referrer_kind", sa.String(16), nullable=False),
        sa.Column("immediate_risk", sa.Integer, nullable=False),
        sa.Column("child_index", sa.Integer, nullable=False),
        sa.Column("child_dob", sa.Date, nullable=True),
        sa.Column("personal", sa.JSON, nullable=False),
        sa.Column("status_token_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "submissions",
        sa.Column("idempotency_key", sa.String(200), primary_key=True),
        sa.Column("family_group_id", sa.String(36), nullable=False),
        sa.Column("response", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in ("counters", "submissions", "contacts"):
        op.drop_table(table)
    drop_runtime_tables(op)
