"""Decision: the audit log filtered by the reader's agency (every read by the police's staff).

Revision ID: 0004
"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from alembic import op

    op.create_index("ix_audit_log_agency", "audit_log", ["agency"])


def downgrade() -> None:
    from alembic import op

    op.drop_index("ix_audit_log_agency", "audit_log")
