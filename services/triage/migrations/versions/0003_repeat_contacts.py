"""Triage: repeat contacts, intake's candidate links and the decisions on them (issue 4).

Written out in full, so that a later change to these tables comes with its own migration.
No foreign key to contacts: a link may arrive before the contact it belongs to.

Revision ID: 0003
"""

import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)  # adapters.tables.UtcDateTime stores through this type


def upgrade() -> None:
    from alembic import op

    op.create_table(
        "contact_links",
        sa.Column("link_id", sa.String(36), primary_key=True),
        sa.Column("contact_id", sa.String(36), nullable=False),
        sa.Column("linked_contact_id", sa.String(36), nullable=False),
        sa.Column("linked_reference", sa.String(32), nullable=True),
        sa.Column("linked_received_at", TS, nullable=True),
        sa.Column("strength", sa.String(8), nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("rank", sa.Integer, nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("linked_at", TS, nullable=True),
    )
    op.create_index("ix_contact_links_contact_id", "contact_links", ["contact_id"])
    op.create_table(
        "repeat_counts",
        sa.Column("contact_id", sa.String(36), primary_key=True),
        sa.Column("contacts_in_12_months", sa.Integer, nullable=False),
        sa.Column("as_of", TS, nullable=False),
    )


def downgrade() -> None:
    from alembic import op

    op.drop_table("repeat_counts")
    op.drop_index("ix_contact_links_contact_id", "contact_links")
    op.drop_table("contact_links")
