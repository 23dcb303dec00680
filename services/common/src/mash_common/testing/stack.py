"""The whole hub as processes for end-to-end tests (see tests/e2e)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from mash_common.broker import free_port
from mash_common.devstack import SERVICES, Stack
from mash_common.testing.plugin import create_database, drop_database
from mash_common.testing.service import run_sync as run

FAST_ENV = {
    "MASH_ENV": "test",
    "MASH_SESSION_TIMEOUT_MS": "3000",
    "MASH_HEARTBEAT_INTERVAL_MS": "500",
    "MASH_METADATA_MAX_AGE_MS": "1000",
    "MASH_EPOCH_CHECK_INTERVAL_S": "0.5",
    "MASH_RELAY_INTERVAL_S": "0.05",
    "MASH_TIMER_INTERVAL_S": "0.2",
    # The console's queues page re-reads the queues this often (browser tests wait on it).
    "MASH_CONSOLE_QUEUE_REFRESH_S": "2",
}


@contextlib.contextmanager
def running_stack(
    bootstrap: str, postgres_admin_url: str, data_dir: Path, extra_env: dict[str, str] | None = None
) -> Iterator[Stack]:
    """Every service as a process; triage and decision on fresh Postgres databases."""
    pg = {name: run(create_database(postgres_admin_url)) for name in ("triage", "decision")}
    stack = Stack(
        bootstrap=bootstrap,
        data_dir=data_dir,
        ports={s.name: free_port() for s in SERVICES},
        database_urls=pg,
        extra_env={**FAST_ENV, **(extra_env or {})},
    )
    try:
        stack.create_demo_staff()
        stack.start_all()
        stack.wait_ready(timeout_s=90)
        yield stack
    finally:
        stack.stop_all()
        for url in pg.values():
            run(drop_database(postgres_admin_url, url))
