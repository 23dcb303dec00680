"""Every service's migrations build exactly the tables its code uses, on both databases."""

from __future__ import annotations

import importlib

import pytest

from mash_common.testing.migrations import migration_drift

pytestmark = pytest.mark.integration

SERVICES = [
    "mash_intake", "mash_triage", "mash_gateway", "mash_decision", "mash_feedback", "mash_console",
]


@pytest.mark.parametrize("package", SERVICES)
async def test_the_migrations_match_the_tables(package: str, database_url: str) -> None:
    migrations = importlib.import_module(f"{package}.bootstrap").MIGRATIONS
    metadata = importlib.import_module(f"{package}.adapters.tables").metadata
    runtime = package != "mash_console"  # the console keeps no events: no outbox or inbox
    assert await migration_drift(database_url, migrations, metadata, runtime_tables=runtime) == []
