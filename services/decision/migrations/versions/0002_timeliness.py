"""Decision: when each stage of a contact was reached, its RAG history, and the events the
picture keeps without a rule for them.

Revision ID: 0002
"""

import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen: the columns are written out here, not read from the live metadata.
COLUMNS = (
    ("threshold_at", sa.DateTime(timezone=True)),
    ("rated_at", sa.DateTime(timezone=True)),
    ("all_answered_at", sa.DateTime(timezone=True)),
    ("decided_at", sa.DateTime(timezone=True)),
    ("feedback_sent_at", sa.DateTime(timezone=True)),
    ("rag_history", sa.JSON),
    ("other_events", sa.JSON),
)


def upgrade() -> None:
    from alembic import op

    with op.batch_alter_table("pictures") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    from alembic import op

    with op.batch_alter_table("pictures") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
