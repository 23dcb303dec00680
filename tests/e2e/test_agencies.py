"""Three agencies, three ways: police answer from an outside Kafka client process, health over
the HTTP route, education never answers. On a red contact whose timescale is shortened to
seconds by configuration, the picture shows two answers and one escalation at the deadline."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mash_common.broker import EmbeddedBroker, free_port
from mash_common.codec import DecodeError, decode
from mash_common.devstack import Stack
from mash_common.journey import HubClient, poll
from mash_common.kafka import ensure_topics
from mash_common.synthetic import marf
from mash_common.testing.service import read_topic, run_sync
from mash_common.testing.stack import running_stack
from mash_schemas.topics import INFORMATION

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "docs" / "recipes" / "answer_request.py"
RED_HOURS = 0.012  # 43 seconds, around the clock: the agencies' deadlines fall inside it


@pytest.fixture(scope="module")
def short_clock_stack(
    postgres_admin_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("agencies")
    with EmbeddedBroker(port=free_port(), log_path=tmp / "tansu.log") as broker:
        run_sync(ensure_topics(broker.bootstrap))
        env = {"MASH_TRIAGE_RAG_TIMESCALE_HOURS":
               json.dumps({"red": RED_HOURS, "amber": 24, "green": 72})}
        with running_stack(broker.bootstrap, postgres_admin_url, tmp / "data", env) as stack:
            yield stack


def test_two_answers_and_one_escalation_at_the_deadline(short_clock_stack: Stack) -> None:
    stack = short_clock_stack
    hub = HubClient({name: stack.url(name) for name, _ in stack.running})
    try:
        cid = hub.post_contact(marf(random.Random(5), 1))["contact_id"]
        hub.threshold_decision(cid, level_of_need=4)
        hub.rag_rating(cid, rating="red", agencies=["police", "health", "education"])
        requests = {r["agency"]: r for r in hub.wait_for_requests(cid, 3)}

        # Police: an outside system with its own Kafka client (confluent-kafka), in a process.
        subprocess.run(
            [sys.executable, str(RECIPE), "--bootstrap", stack.bootstrap, "--agency", "police",
             "--contact-id", cid, "--request-id", requests["police"]["request_id"], "--known",
             "--summary", "Attended a domestic incident at the address last month."],
            check=True, capture_output=True, timeout=60,
        )
        # Health: the HTTP route, with the health credential.
        hub.answer_over_http("health", requests["health"]["request_id"], known=True,
                             summary="Two missed appointments at the GP surgery.")
        # Education: silence.

        item = hub.wait_in_decision_queue(cid, timeout=120)
        assert sorted(item["answered"]) == ["health", "police"]
        assert item["silent"] == ["education"]

        def escalated() -> list[str]:
            out = []
            for m in run_sync(read_topic(stack.bootstrap, INFORMATION, timeout_ms=300)):
                try:
                    event = decode(m.value)
                except DecodeError:
                    continue
                if event.subject == cid and event.type == "uk.mash.agency.escalated.v1":
                    out.append(getattr(event.data, "agency", ""))
            return out

        assert poll(escalated, timeout=60, what="the escalation for education") == ["education"]
        status = {r["agency"]: r for r in hub.agency_requests(cid)}
        assert status["education"]["no_answer_by_deadline"] is True
        assert status["police"]["status"] == "answered"
        assert status["health"]["status"] == "answered"

        picture = json.dumps(hub.picture(cid))
        assert "Attended a domestic incident" in picture
        assert "Two missed appointments" in picture
    finally:
        hub.close()
