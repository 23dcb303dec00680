"""Runtime tables only: the echo service used to test the shared runtime."""

from mash_common.db import create_runtime_tables, drop_runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    from alembic import op

    create_runtime_tables(op)


def downgrade() -> None:
    from alembic import op

    drop_runtime_tables(op)
