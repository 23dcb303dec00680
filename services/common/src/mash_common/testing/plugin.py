"""Pytest fixtures every test suite shares (loaded with `-p mash_common.testing.plugin`).

Real parts only: the broker is Kafka in a testcontainer where a Docker engine answers, else the
embedded Tansu broker; Postgres is a testcontainer where Docker answers, else the server on
127.0.0.1:5432. With MASH_TEST_POSTGRES=required (as `make test` and CI set it) an unreachable
Postgres fails the run loudly instead of skipping.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from mash_common.broker import EmbeddedBroker, free_port

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Kafka-protocol broker for the whole session."""
    if docker_available() and os.environ.get("MASH_TEST_BROKER", "auto") == "auto":
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer() as kafka:
            yield kafka.get_bootstrap_server()
        return
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    with EmbeddedBroker(port=free_port(), log_path=log) as broker:
        yield broker.bootstrap


@pytest.fixture
def embedded_broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    """A broker of the test's own, for tests that stop and restart it."""
    with EmbeddedBroker(port=free_port(), log_path=tmp_path / "tansu.log") as broker:
        yield broker


def _pg_required() -> bool:
    return os.environ.get("MASH_TEST_POSTGRES", "").lower() in {"1", "required", "true", "yes"}


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A Postgres server URL (asyncpg) for creating throw-away databases."""
    if docker_available() and not os.environ.get("MASH_TEST_POSTGRES_URL"):
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver="asyncpg") as pg:
            yield pg.get_connection_url()
        return
    url = os.environ.get("MASH_TEST_POSTGRES_URL", PG_DEFAULT)
    # In a thread of its own: this fixture may be first requested from inside a running loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        problem = pool.submit(asyncio.run, _pg_problem(url)).result()
    if problem:
        message = f"Postgres at {url} is unreachable: {problem}"
        if _pg_required():
            pytest.fail(message + " (MASH_TEST_POSTGRES=required)", pytrace=False)
        pytest.skip(message + "; set MASH_TEST_POSTGRES=required to make this fail")
    yield url


async def _pg_problem(url: str) -> str | None:
    import asyncpg

    try:
        conn = await asyncpg.connect(_plain(url), timeout=5)
        await conn.close()
        return None
    except Exception as exc:  # any failure is reported, not hidden
        return f"{type(exc).__name__}: {exc}"


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def create_database(admin_url: str) -> str:
    import asyncpg

    name = f"mash_t_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(_plain(admin_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name


async def drop_database(admin_url: str, url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(_plain(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture
async def postgres_url(postgres_admin_url: str) -> AsyncIterator[str]:
    """A fresh, empty Postgres database for one test."""
    url = await create_database(postgres_admin_url)
    yield url
    await drop_database(postgres_admin_url, url)


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Each persistence test runs against both engines."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/test.db"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    url = await create_database(admin)
    yield url
    await drop_database(admin, url)
