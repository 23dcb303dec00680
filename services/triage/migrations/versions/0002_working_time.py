"""Triage: the working-time clock, the consent decision, the one-working-day measure and each
agency's deadline (issue 4).

Written out in full, so that a later change to these columns comes with its own migration.
Contacts received before this version have no `decision_due_by`: the service works it out from
`received_at` when it reads them. Deadlines already planned keep the times they were given.

Revision ID: 0002
"""

import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    from alembic import op

    op.add_column("contacts", sa.Column("decision_due_by", TS, nullable=True))
    op.add_column("contacts", sa.Column("agency_respond_by", sa.JSON, nullable=True))
    op.add_column("threshold_decisions", sa.Column("lawful_basis", sa.String(24), nullable=True))
    op.add_column("threshold_decisions",
                  sa.Column("consent_override_reason", sa.JSON, nullable=True))
    op.add_column("threshold_decisions",
                  sa.Column("social_care_response", sa.String(24), nullable=True))
    op.add_column("threshold_decisions",
                  sa.Column("working_hours_to_decide", sa.Float, nullable=True))
    op.add_column("threshold_decisions",
                  sa.Column("within_one_working_day", sa.Boolean, nullable=True))
    op.create_index("ix_threshold_decisions_decided_at", "threshold_decisions", ["decided_at"])


def downgrade() -> None:
    from alembic import op

    op.drop_index("ix_threshold_decisions_decided_at", "threshold_decisions")
    with op.batch_alter_table("threshold_decisions") as batch:
        for column in ("within_one_working_day", "working_hours_to_decide",
                       "social_care_response", "consent_override_reason", "lawful_basis"):
            batch.drop_column(column)
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("agency_respond_by")
        batch.drop_column("decision_due_by")
