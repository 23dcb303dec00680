"""SQLAlchemy 2 async engine, sessions and Alembic migrations for one service's database.

SQLite (aiosqlite) is the embedded default, Postgres (asyncpg) the production database. The
runtime tables every service needs (outbox, inbox, runtime state) live in `runtime_metadata`;
each service adds its own tables in its own metadata and migrations.
"""

from __future__ import annotations

import asyncio
import hashlib
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    event,
    text,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Always an aware UTC datetime in and out. SQLite keeps no offset, so a value is stored as
    naive UTC there and read back as UTC; Postgres keeps timestamptz. Use it for every time."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a datetime without a timezone cannot be stored")
        utc: datetime = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        result: datetime = (
            value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        )
        return result


runtime_metadata = MetaData()

# The outbox: every event a service publishes, written in the same transaction as the state
# change. It doubles as the service's durable event log, republished when a broker comes back
# empty.
outbox_table = Table(
    "outbox",
    runtime_metadata,
    Column("seq", Integer().with_variant(BigInteger(), "postgresql"), primary_key=True,
           autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("event_type", String(128), nullable=False),
    Column("topic", String(255), nullable=False),
    Column("key", String(255), nullable=True),
    Column("value", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("published_at", UtcDateTime, nullable=True, index=True),
)

# The inbox: ids of the events this service has applied, recorded in the same transaction as
# the change, so a redelivered event changes nothing.
inbox_table = Table(
    "inbox",
    runtime_metadata,
    Column("event_id", String(64), primary_key=True),
    Column("event_type", String(128), nullable=False),
    Column("topic", String(255), nullable=False),
    Column("applied_at", UtcDateTime, nullable=False),
    Column("outcome", String(32), nullable=False),
)

runtime_state_table = Table(
    "runtime_state",
    runtime_metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_conn: Any, _: Any) -> None:
    dbapi_conn.isolation_level = None  # let _sqlite_begin emit BEGIN itself
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo, "pool_pre_ping": not self.is_sqlite}
        if self.is_sqlite:
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            # Take SQLite's write lock when a transaction begins (BEGIN IMMEDIATE): a deferred
            # transaction that reads and then writes fails at once with SQLITE_BUSY when another
            # connection (relay, consumer, API, or a second copy) writes meanwhile.
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer, and its busy handler polls: a consumer that commits and begins
        # again at once can starve another waiting in the same process for many seconds. Write
        # transactions here queue on a FIFO lock instead (one per event loop); other processes
        # still meet busy_timeout.
        self._writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary())

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on any error."""
        if not self.is_sqlite:
            async with self.sessions() as session, session.begin():
                yield session
            return
        loop = asyncio.get_running_loop()
        writer = self._writers.get(loop)
        if writer is None:
            writer = self._writers[loop] = asyncio.Lock()
        async with writer, self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def migrate(self, migrations_dir: Path) -> None:
        """Run the service's Alembic migrations to head (serialised across copies)."""

        def upgrade(conn: Connection) -> None:
            cfg = Config()
            cfg.set_main_option("script_location", str(migrations_dir))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

        async with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                lock = int(hashlib.sha1(str(migrations_dir).encode()).hexdigest()[:12], 16)
                await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock})
            await conn.run_sync(upgrade)

    async def dispose(self) -> None:
        await self.engine.dispose()


async def claim(session: AsyncSession, table: Table, key: dict[str, Any]) -> None:
    """Create the row if it is missing, then hold it until the transaction ends.

    Two copies of a service (or the consumer and a timer) can work on one contact at once, from
    different topics; holding its row makes them take turns, so each sees what the other
    committed. (SQLite's BEGIN IMMEDIATE already serialises every writer.)
    """
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql, sqlite

    insert_for = postgresql.insert if session.get_bind().dialect.name == "postgresql" else (
        sqlite.insert
    )
    await session.execute(insert_for(table).values(**key).on_conflict_do_nothing())
    where = [table.c[name] == value for name, value in key.items()]
    await session.execute(select(*table.primary_key.columns).where(*where).with_for_update())


def run_alembic_env(target_metadata: list[MetaData]) -> None:
    """The body of every service's migrations/env.py."""
    from alembic import context

    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("migrations run through Database.migrate(), which passes a connection")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def create_runtime_tables(op: Any) -> None:
    """Called by each service's first migration: outbox, inbox, runtime state, as of version 1.

    Written out in full (not `runtime_metadata.create_all`) so that a later change to the
    tables above comes with its own migration and never alters what version 1 created.
    """
    import sqlalchemy as sa

    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer().with_variant(sa.BigInteger(), "postgresql"),
                  primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("event_type", sa.String(128), nullable=False),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("key", sa.String(255), nullable=True),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_outbox_published_at", "outbox", ["published_at"])
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("event_type", sa.String(128), nullable=False),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
    )
    op.create_table(
        "runtime_state",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def drop_runtime_tables(op: Any) -> None:
    for table in ("runtime_state", "inbox", "outbox"):
        op.drop_table(table)
