"""The journeys run on a broker of their own.

The session broker carries every other suite's traffic; by the time these tests run in a full
`make test` its `mash.audit` topic holds thousands of reads, which a fresh decision service
(a new consumer group reading from the start) must append to its audit log before it reaches
the events these tests publish. A clean broker keeps the journeys about the journey.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mash_common.broker import EmbeddedBroker, free_port
from mash_common.kafka import ensure_topics
from mash_common.testing.service import run_sync


@pytest.fixture(scope="module")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("journeys-broker") / "tansu.log"
    with EmbeddedBroker(port=free_port(), log_path=log) as broker:
        run_sync(ensure_topics(broker.bootstrap))
        yield broker.bootstrap
