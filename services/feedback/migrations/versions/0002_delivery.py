"""Feedback: deliveries (email with retries, outcome events), the contact's channel, and the
decision's strategy discussion and signpost service.

Revision ID: 0002
"""

import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen: everything is written out here, not read from the live metadata.


def upgrade() -> None:
    from alembic import op

    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("channel", sa.String(8), nullable=True))
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("strategy_discussion_agencies", sa.JSON, nullable=True))
        batch.add_column(sa.Column("signpost_service", sa.String(200), nullable=True))
    op.create_table(
        "deliveries",
        sa.Column("delivery_id", sa.String(64), primary_key=True),
        sa.Column("decision_id", sa.String(64), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("contact_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_deliveries_contact_id", "deliveries", ["contact_id"])
    op.create_index("ix_deliveries_next_attempt_at", "deliveries", ["next_attempt_at"])


def downgrade() -> None:
    from alembic import op

    op.drop_table("deliveries")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("signpost_service")
        batch.drop_column("strategy_discussion_agencies")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("channel")
