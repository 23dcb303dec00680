"""Feedback against the real broker and both databases."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from mash_common.auth import Role
from mash_common.codec import decode
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import produce, read_topic, running, settings_for, wait_until
from mash_feedback.bootstrap import build_app
from mash_feedback.config import FeedbackSettings
from mash_schemas.events import DeadLetter, FeedbackSent, RecordAccessed
from mash_schemas.topics import AUDIT, CONTACTS, DECISIONS, FEEDBACK, dead_letters

pytestmark = pytest.mark.integration

STAFF = staff_headers(Role.MASH_MANAGER, "mgr-7")
FAMILY = ("Ava", "Brook", "Dean", "Margaret", "Mill Lane", "MK1 1AA")


def feedback_sent(hub: Any, n: int) -> Any:
    async def probe() -> list[Any] | None:
        found = await hub.published(FEEDBACK, FeedbackSent.event_type)
        return found if len(found) >= n else None

    return probe


def by_audience(events: list[Any]) -> dict[str, FeedbackSent]:
    return {e.data.audience: e.data for e in events}


async def test_a_professional_gets_the_outcome_and_the_receiving_team_a_summary(
    kafka_bootstrap: str, database_url: str, hub_for: Any
) -> None:
    settings = settings_for(FeedbackSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hub = hub_for(kafka_bootstrap, settings, "professional")
    async with running(build_app(settings)) as client:
        await hub.send(hub.contact())
        decision = hub.decision("early_help", "Early Help East")
        await hub.send(decision)
        sent = await wait_until(feedback_sent(hub, 2), what="two FeedbackSent")
        r = await client.get(f"/v1/feedback/{hub.contact_id}", headers=STAFF)
        audit = await wait_until(lambda: hub.published(AUDIT, RecordAccessed.event_type),
                                 what="audit event")
    events = by_audience(sent)
    assert len(sent) == 2
    assert events["referrer"].referrer_kind == "professional"
    assert (events["referrer"].channel, events["referrer"].status) == ("record", "recorded")
    assert (events["receiving_team"].channel, events["receiving_team"].status) == (
        "kafka", "sent")
    assert {e.data.decision_id for e in sent} == {decision.decision_id}

    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "recorded" and body["reference"] == hub.reference
    [recorded] = body["decisions"]
    messages = {f["audience"]: f["message"] for f in recorded["feedback"]}
    assert "Dear Jo Class" in messages["referrer"]["body"]
    assert "Early Help East will contact the family" in messages["referrer"]["body"]
    assert messages["receiving_team"]["to"] == "Early Help East"
    assert "Needs support with routines" in messages["receiving_team"]["body"]
    assert audit[0].data.service == "feedback" and audit[0].data.accessed_by == "mgr-7"


async def test_a_decision_that_arrives_before_its_contact_waits_for_it(
    kafka_bootstrap: str, database_url: str, hub_for: Any
) -> None:
    settings = settings_for(FeedbackSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hub = hub_for(kafka_bootstrap, settings, "public")
    async with running(build_app(settings)) as client:
        await hub.send(hub.decision("social_care_s47", "Assessment 2"))

        async def waiting_for_the_contact() -> bool:
            r = await client.get(f"/v1/feedback/{hub.contact_id}", headers=STAFF)
            return r.status_code == 404 and r.json()["detail"]["status"] == "awaiting_contact"

        await wait_until(waiting_for_the_contact, what="the decision to be kept")
        assert await hub.published(FEEDBACK, FeedbackSent.event_type) == []

        await hub.send(hub.contact())
        sent = await wait_until(feedback_sent(hub, 2), what="two FeedbackSent")
        body = (await client.get(f"/v1/feedback/{hub.contact_id}", headers=STAFF)).json()
    assert by_audience(sent)["referrer"].referrer_kind == "public"
    messages = {f["audience"]: f["message"] for f in body["decisions"][0]["feedback"]}
    public = messages["referrer"]["subject"] + messages["referrer"]["body"]
    for name in FAMILY:
        assert name not in public
    for disclosure in ("section 47", "Assessment 2", "social care"):
        assert disclosure not in public
    assert messages["referrer"]["to"] == "margaret@example.org"
    assert "Ava Brook" in messages["receiving_team"]["body"]  # the team needs to find her


async def test_an_anonymous_referrer_is_told_nothing(
    kafka_bootstrap: str, database_url: str, hub_for: Any
) -> None:
    settings = settings_for(FeedbackSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hub = hub_for(kafka_bootstrap, settings, "anonymous")
    async with running(build_app(settings)) as client:
        await hub.send(hub.contact())
        await hub.send(hub.decision("nfa", None))
        sent = await wait_until(feedback_sent(hub, 2), what="two FeedbackSent")
        body = (await client.get(f"/v1/feedback/{hub.contact_id}", headers=STAFF)).json()
    events = by_audience(sent)
    assert (events["referrer"].channel, events["referrer"].status) == ("none", "not_required")
    assert events["referrer"].referrer_kind == "anonymous"
    assert events["receiving_team"].status == "not_required"  # no further action: no team
    assert all(f["message"] is None for f in body["decisions"][0]["feedback"])


async def test_feedback_is_recorded_exactly_once_per_decision(
    kafka_bootstrap: str, database_url: str, hub_for: Any
) -> None:
    settings = settings_for(FeedbackSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hub = hub_for(kafka_bootstrap, settings, "professional")
    async with running(build_app(settings)) as client:
        _, contact = await hub.send(hub.contact())
        first = hub.decision("nfa", None)
        _, decided = await hub.send(first)
        await wait_until(feedback_sent(hub, 2), what="the first feedback")

        before = (await client.get("/readyz")).json()["duplicates_ignored"]
        await hub.resend(decided, DECISIONS)  # redelivered: same event id
        await hub.resend(contact, CONTACTS)

        async def ignored() -> bool:
            return (await client.get("/readyz")).json()["duplicates_ignored"] >= before + 2

        await wait_until(ignored, what="both duplicates to be ignored")
        second = hub.decision("social_care_s17", "Assessment 2", supersedes=first.decision_id,
                              hours=40)
        await hub.send(second)
        sent = await wait_until(feedback_sent(hub, 4), what="the second decision's feedback")
        await asyncio.sleep(1)
        sent = await hub.published(FEEDBACK, FeedbackSent.event_type)
        body = (await client.get(f"/v1/feedback/{hub.contact_id}", headers=STAFF)).json()
    assert len(sent) == 4
    assert sorted((e.data.decision_id, e.data.audience) for e in sent) == sorted(
        (d.decision_id, a) for d in (first, second) for a in ("referrer", "receiving_team"))
    assert [d["decision_id"] for d in body["decisions"]] == [first.decision_id,
                                                            second.decision_id]
    latest = {f["audience"]: f["message"] for f in body["decisions"][1]["feedback"]}
    assert "replaces the outcome" in latest["referrer"]["body"]


async def test_a_malformed_message_on_each_topic_is_dead_lettered_and_the_consumer_carries_on(
    kafka_bootstrap: str, database_url: str, hub_for: Any
) -> None:
    settings = settings_for(FeedbackSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hub = hub_for(kafka_bootstrap, settings, "professional")
    marker = hub.contact_id.encode()
    key = hub.contact_id.encode()
    async with running(build_app(settings)) as client:
        await produce(kafka_bootstrap, CONTACTS, b"\xff\xfe not json " + marker, key=key)
        half_decision = (
            b'{"specversion":"1.0","id":"' + marker + b'-d","source":"/mash/decision",'
            b'"type":"uk.mash.decision.made.v1","subject":"' + marker + b'",'
            b'"time":"2026-03-02T09:00:00Z","data":{"contact_id":"' + marker + b'",'
            b'"outcome":"adopted"}}'
        )
        await produce(kafka_bootstrap, DECISIONS, half_decision, key=key)
        await hub.send(hub.decision(), subject="someone-else")
        await hub.send(hub.contact())
        await hub.send(hub.decision())  # the consumer carries on
        await wait_until(feedback_sent(hub, 2), what="feedback after the bad messages")

        async def letters() -> list[DeadLetter] | None:
            found = []
            for m in await read_topic(kafka_bootstrap, dead_letters("feedback")):
                letter = decode(m.value).data
                assert isinstance(letter, DeadLetter)
                if marker in base64.b64decode(letter.original):
                    found.append(letter)
            return found if len(found) >= 3 else None

        found = await wait_until(letters, what="three dead letters")
        status = (await client.get("/readyz")).json()
    by_topic: dict[str, list[DeadLetter]] = {}
    for letter in found:
        by_topic.setdefault(letter.source_topic, []).append(letter)
    assert by_topic[CONTACTS][0].reason.startswith("not JSON")
    reasons = {letter.reason for letter in by_topic[DECISIONS]}
    assert reasons == {"data does not match uk.mash.decision.made.v1",
                       "the event's subject is not its contact"}
    bad_data = next(x for x in by_topic[DECISIONS] if x.reason.startswith("data"))
    assert any(e.startswith("data.outcome") for e in bad_data.errors)
    assert all(letter.consumer == "feedback" for letter in found)
    assert status["dead_lettered"] >= 3 and status["consumer"] is True
