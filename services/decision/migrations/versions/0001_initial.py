"""Decision: runtime tables, pictures, picture events.

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
        "pictures",
        sa.Column("contact_id", sa.String(64), primary_key=True),
        sa.Column("reference", sa.String(32), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("has_contact", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("threshold_outcome", sa.String(16), nullable=True),
        sa.Column("level_of_need", sa.Integer, nullable=True),
        sa.Column("rating", sa.String(8), nullable=True),
        sa.Column("rating_rank", sa.Integer, nullable=False, server_default=sa.text("3")),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("respond_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("agencies", sa.JSON, nullable=True),
        sa.Column("answers", sa.JSON, nullable=True),
        sa.Column("breaches", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("warned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ready_reason", sa.String(16), nullable=True),
        sa.Column("decision_id", sa.String(64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_pictures_status", "pictures", ["status"])
    op.create_table(
        "picture_events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("contact_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(128), nullable=False),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_picture_events_contact_id", "picture_events", ["contact_id"])


def downgrade() -> None:
    from alembic import op

    op.drop_table("picture_events")
    op.drop_table("pictures")
    drop_runtime_tables(op)
