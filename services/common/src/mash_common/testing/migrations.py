"""Do a service's migrations build exactly the tables its code uses?"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from mash_common.db import Database, runtime_metadata


def _table(difference: Any) -> str | None:
    """Which table an Alembic autogenerate difference is about."""
    if isinstance(difference, list):  # modify_* come as a list of tuples
        difference = difference[0]
    kind, *args = difference
    if kind.endswith("_table"):
        return str(args[0].name)
    if kind.endswith(("_index", "_constraint", "_fk")):
        return str(args[0].table.name)
    if kind.endswith("_column") or kind.startswith("modify_"):
        return str(args[1])
    return None


async def migration_drift(
    database_url: str, migrations: Path, metadata: MetaData, *, runtime_tables: bool = True
) -> list[Any]:
    """Migrate an empty database (twice: a second start finds nothing to do) and list every
    difference between it and the service's tables plus (for a service on the shared runtime,
    not the console) the runtime's outbox, inbox and state tables."""
    db = Database(database_url)
    try:
        await db.migrate(migrations)
        await db.migrate(migrations)
        shared = [runtime_metadata] if runtime_tables else []
        owned = set(metadata.tables) | {t for m in shared for t in m.tables}

        def diff(conn: Connection) -> list[Any]:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            # Alembic compares a sequence of MetaData too (its stubs say only one).
            both: Any = [*shared, metadata]
            return [d for d in compare_metadata(context, both)
                    if _table(d) in owned]

        async with db.engine.connect() as conn:
            return await conn.run_sync(diff)
    finally:
        await db.dispose()
