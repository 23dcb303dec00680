"""Agency gateway: runtime tables, agency requests (version 1, written out in full).

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
        "agency_requests",
        sa.Column("request_id", sa.String(36), primary_key=True),
        sa.Column("contact_id", sa.String(64), nullable=False, index=True),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("rating", sa.String(8), nullable=False),
        sa.Column("respond_by", TS, nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("information_requested_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("subject_details", sa.JSON, nullable=False),
        sa.Column("answered_at", TS, nullable=True),
        sa.Column("late", sa.Boolean, nullable=True),
        sa.Column("known_to_agency", sa.Boolean, nullable=True),
        sa.Column("channel", sa.String(8), nullable=True),
        sa.Column("answer", sa.JSON, nullable=True),
    )
    op.create_index(
        "ix_agency_requests_agency_status_respond_by",
        "agency_requests",
        ["agency", "status", "respond_by"],
    )


def downgrade() -> None:
    op.drop_table("agency_requests")
    drop_runtime_tables(op)
