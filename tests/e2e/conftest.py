"""The whole hub as processes, started once for the session on a broker of its own.

Triage and decision keep their state in Postgres (so two copies can share it), the other
services in SQLite files: the journey crosses both engines.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from mash_common.broker import EmbeddedBroker, free_port
from mash_common.devstack import SERVICES, Stack
from mash_common.journey import HubClient
from mash_common.kafka import ensure_topics
from mash_common.testing.plugin import create_database, drop_database
from mash_common.testing.service import run_sync

T = TypeVar("T")


run = run_sync


@pytest.fixture(scope="session")
def e2e_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    log = tmp_path_factory.mktemp("e2e-broker") / "tansu.log"
    with EmbeddedBroker(port=free_port(), log_path=log) as broker:
        run(ensure_topics(broker.bootstrap))
        yield broker


@pytest.fixture(scope="session")
def stack(
    e2e_broker: EmbeddedBroker, postgres_admin_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("e2e-data")
    pg = {name: run(create_database(postgres_admin_url)) for name in ("triage", "decision")}
    stack = Stack(
        bootstrap=e2e_broker.bootstrap,
        data_dir=data_dir,
        ports={s.name: free_port() for s in SERVICES},
        database_urls=pg,
        extra_env={
            "MASH_ENV": "test",
            "MASH_SESSION_TIMEOUT_MS": "3000",
            "MASH_HEARTBEAT_INTERVAL_MS": "500",
            "MASH_METADATA_MAX_AGE_MS": "1000",
            "MASH_EPOCH_CHECK_INTERVAL_S": "0.5",
            "MASH_RELAY_INTERVAL_S": "0.05",
            "MASH_TIMER_INTERVAL_S": "0.2",
        },
    )
    try:
        stack.start_all()
        stack.wait_ready(timeout_s=90)
        yield stack
    finally:
        stack.stop_all()
        for url in pg.values():
            run(drop_database(postgres_admin_url, url))


@pytest.fixture(scope="session")
def hub(stack: Stack) -> Iterator[HubClient]:
    client = HubClient({name: stack.url(name) for name, _ in stack.running})
    yield client
    client.close()
