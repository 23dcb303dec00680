"""The migrations build exactly the tables the code uses, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from mash_common.db import Database
from mash_intake.adapters.tables import metadata
from mash_intake.bootstrap import MIGRATIONS

pytestmark = pytest.mark.integration


def _table(difference: Any) -> str | None:
    if isinstance(difference, list):
        difference = difference[0]
    kind, *args = difference
    if kind.endswith("_table"):
        return str(args[0].name)
    if kind.endswith(("_index", "_constraint", "_fk")):
        return str(args[0].table.name)
    if kind.endswith("_column") or kind.startswith("modify_"):
        return str(args[1])
    return None


async def test_the_migrations_match_the_tables(database_url: str) -> None:
    db = Database(database_url)
    try:
        await db.migrate(MIGRATIONS)
        await db.migrate(MIGRATIONS)

        def diff(conn: Connection) -> list[Any]:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return [d for d in compare_metadata(context, metadata)
                    if _table(d) in metadata.tables]

        async with db.engine.connect() as conn:
            assert await conn.run_sync(diff) == []
    finally:
        await db.dispose()
