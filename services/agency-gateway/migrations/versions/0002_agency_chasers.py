"""Agency gateway: chasers (a reminder before each agency's deadline, an escalation at it).

Written out in full, so that a later change to the table comes with its own migration. Open
requests made before this version get their escalation at their deadline.

Revision ID: 0002
"""

import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from alembic import op

    op.create_table(
        "agency_chasers",
        sa.Column("request_id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("contact_id", sa.String(64), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(32), nullable=True),
    )
    op.create_index("ix_agency_chasers_contact_id", "agency_chasers", ["contact_id"])
    op.create_index(
        "ix_agency_chasers_due", "agency_chasers", ["fired_at", "cancelled_at", "due_at"]
    )
    op.execute(
        "INSERT INTO agency_chasers (request_id, kind, contact_id, agency, due_at) "
        "SELECT request_id, 'escalate', contact_id, agency, respond_by FROM agency_requests "
        "WHERE status = 'open'"
    )


def downgrade() -> None:
    from alembic import op

    op.drop_index("ix_agency_chasers_due", "agency_chasers")
    op.drop_index("ix_agency_chasers_contact_id", "agency_chasers")
    op.drop_table("agency_chasers")
