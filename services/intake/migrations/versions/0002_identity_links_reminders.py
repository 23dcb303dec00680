"""Intake: identity keys, candidate links, written-form reminders (version 2, written in full).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "identity_keys",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("contact_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", "contact_id"),
    )
    op.create_index("ix_identity_keys_contact_id", "identity_keys", ["contact_id"])
    op.create_table(
        "links",
        sa.Column("link_id", sa.String(36), primary_key=True),
        sa.Column("contact_id", sa.String(36), nullable=False),
        sa.Column("linked_contact_id", sa.String(36), nullable=False),
        sa.Column("strength", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("basis", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.UniqueConstraint("contact_id", "linked_contact_id", name="uq_links_pair"),
    )
    op.create_index("ix_links_contact_id", "links", ["contact_id"])
    op.create_index("ix_links_linked_contact_id", "links", ["linked_contact_id"])
    op.create_table(
        "written_form_reminders",
        sa.Column("family_group_id", sa.String(36), primary_key=True),
        sa.Column("contact_id", sa.String(36), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("fired_at", TS, nullable=True),
        sa.Column("followed_at", TS, nullable=True),
        sa.Column("followed_by", sa.String(36), nullable=True),
    )
    op.create_index("ix_written_form_reminders_due_at", "written_form_reminders", ["due_at"])


def downgrade() -> None:
    for table in ("written_form_reminders", "links", "identity_keys"):
        op.drop_table(table)
