"""The journeys run on a broker of their own.

The session broker carries every other suite's traffic (deliberately malformed messages
included): a fresh service reading it from the start spends its first minutes on other suites'
events. Decision's audit log now reads `mash.audit` on a consumer of its own, so that backlog
no longer holds up the pictures, but a clean broker still keeps the journeys about the journey,
and quick.
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
