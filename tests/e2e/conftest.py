"""The whole hub as processes, started once for the session on a broker of its own.

Triage and decision keep their state in Postgres (so two copies can share it), the other
services in SQLite files: the journey crosses both engines.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mash_common.broker import EmbeddedBroker, free_port
from mash_common.devstack import Stack
from mash_common.journey import HubClient
from mash_common.kafka import ensure_topics
from mash_common.testing.service import run_sync
from mash_common.testing.stack import running_stack

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
    with running_stack(
        e2e_broker.bootstrap, postgres_admin_url, tmp_path_factory.mktemp("e2e-data")
    ) as stack:
        yield stack


@pytest.fixture(scope="session")
def hub(stack: Stack) -> Iterator[HubClient]:
    client = HubClient({name: stack.url(name) for name, _ in stack.running})
    yield client
    client.close()
