"""Decision: the audit log, every read of a child's record, append-only and hash chained.

Revision ID: 0003
"""

import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Frozen: the table is written out here, not read from the live metadata.


def upgrade() -> None:
    from alembic import op

    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer().with_variant(sa.BigInteger(), "postgresql"),
                  primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("accessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accessed_by", sa.String(255), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("agency", sa.String(64), nullable=True),
        sa.Column("contact_id", sa.String(255), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_log_accessed_at", "audit_log", ["accessed_at"])
    op.create_index("ix_audit_log_accessed_by", "audit_log", ["accessed_by"])
    op.create_index("ix_audit_log_contact_id", "audit_log", ["contact_id"])


def downgrade() -> None:
    from alembic import op

    op.drop_table("audit_log")
