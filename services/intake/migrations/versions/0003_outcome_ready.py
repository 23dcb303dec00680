"""Intake: outcomes ready for the referrer (version 3, written in full).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    # One row per contact whose outcome feedback for the referrer was recorded (FeedbackSent).
    op.create_table(
        "outcomes_ready",
        sa.Column("contact_id", sa.String(36), primary_key=True),
        sa.Column("decision_id", sa.String(64), nullable=False),
        sa.Column("ready_at", TS, nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outcomes_ready")
