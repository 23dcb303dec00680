"""Agency gateway: runtime tables, agency requests.

Revision ID: 0001
"""

from mash_common.db import create_runtime_tables, drop_runtime_tables
from mash_gateway.adapters.tables import metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    from alembic import op

    create_runtime_tables(op)
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    from alembic import op

    metadata.drop_all(op.get_bind())
    drop_runtime_tables(op)
