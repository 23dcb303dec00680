"""Decision against the real broker and both databases."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest

from mash_common.auth import Role
from mash_common.codec import decode
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import produce, read_topic, running, settings_for, wait_until
from mash_decision.bootstrap import build_app
from mash_decision.config import DecisionSettings
from mash_schemas.events import DeadLetter, DecisionMade, PictureCompleted, RecordAccessed
from mash_schemas.topics import AUDIT, CONTACTS, DECISIONS, INFORMATION, TRIAGE, dead_letters

pytestmark = pytest.mark.integration

MANAGER = staff_headers(Role.MASH_MANAGER, "mgr-7")


async def in_queue(client: Any, contact_id: str) -> dict[str, Any] | None:
    queue = (await client.get("/v1/queue")).json()
    return next((item for item in queue if item["contact_id"] == contact_id), None)


async def test_a_picture_is_ready_for_decision_when_every_agency_has_answered(
    kafka_bootstrap: str, database_url: str, clock: Any, hub_for: Any
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hub = hub_for(kafka_bootstrap, settings)
    async with running(build_app(settings, clock), headers=MANAGER) as client:
        await hub.send(hub.contact())
        await hub.send(hub.screened())
        await hub.send(hub.rated("red", hours=4))
        await hub.send(hub.requested("police", "health", rating="red"))
        await hub.send(hub.answered("police", summary="Domestic abuse call-out last month"))
        await hub.send(hub.answered("health", minutes=25))

        item = await wait_until(lambda: in_queue(client, hub.contact_id), what="ready picture")
        assert item["rating"] == "red" and item["reference"] == hub.reference
        assert item["ready_reason"] == "all_answered" and item["silent"] == []
        assert item["time_left_seconds"] == 4 * 3600 - 45 * 60

        r = await client.get(f"/v1/pictures/{hub.contact_id}", headers=MANAGER)
        assert r.status_code == 200, r.text
        picture = r.json()
        assert picture["status"] == "ready"
        police = next(a for a in picture["agencies"] if a["agency"] == "police")
        assert police["answer"] == {"summary": "Domestic abuse call-out last month"}
        assert [e["type"] for e in picture["timeline"]][:2] == [
            "uk.mash.contact.received.v1", "uk.mash.threshold.decided.v1"]
        contact = picture["timeline"][0]["data"]
        assert contact["personal"] == {"sealed": True}  # the child's details stay in intake

        completed = await wait_until(
            lambda: hub.published(DECISIONS, PictureCompleted.event_type), what="completion")
        audit = await wait_until(
            lambda: hub.published(AUDIT, RecordAccessed.event_type), what="audit event")
    assert len(completed) == 1
    assert completed[0].data.reason == "all_answered"
    assert completed[0].data.answered == ["health", "police"]
    assert audit[0].data.accessed_by == "mgr-7" and audit[0].data.action == "read picture"


async def test_when_the_agencies_time_runs_out_the_picture_is_ready_with_whoever_answered(
    kafka_bootstrap: str, database_url: str, clock: Any, hub_for: Any, count_stored: Any
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hub = hub_for(kafka_bootstrap, settings)
    app = build_app(settings, clock)
    async with running(app, headers=MANAGER) as client:
        await hub.send(hub.contact())
        await hub.send(hub.requested("police", "health", respond_in=timedelta(hours=1)))
        await hub.send(hub.answered("police"))
        await wait_until(lambda: _at_least(count_stored(app, hub.contact_id), 3),
                         what="three stored events")
        clock.advance(timedelta(minutes=24))  # one minute before the agencies' deadline
        assert await in_queue(client, hub.contact_id) is None

        clock.advance(timedelta(minutes=2))
        item = await wait_until(lambda: in_queue(client, hub.contact_id), what="deadline")
        assert item["ready_reason"] == "deadline_passed"
        assert item["answered"] == ["police"] and item["silent"] == ["health"]

        await hub.send(hub.answered("health", minutes=80, late=True))
        await wait_until(lambda: _at_least(count_stored(app, hub.contact_id), 5),
                         what="the late answer")
        picture = (await client.get(f"/v1/pictures/{hub.contact_id}", headers=MANAGER)).json()
        health = next(a for a in picture["agencies"] if a["agency"] == "health")
        assert health["answered"] and health["late"]
        assert picture["completion"]["silent"] == ["health"]  # as it stood when completed
        completed = await hub.published(DECISIONS, PictureCompleted.event_type)
    assert [c.data.reason for c in completed] == ["deadline_passed"]


async def _at_least(probe: Any, n: int) -> bool:
    return await probe >= n


async def test_events_arriving_out_of_order_make_the_same_picture(
    kafka_bootstrap: str, database_url: str, clock: Any, hub_for: Any
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hub = hub_for(kafka_bootstrap, settings)
    # The information topic runs ahead of triage, and triage ahead of contacts.
    await hub.send(hub.answered("police", minutes=20))
    await hub.send(hub.answered("education", minutes=30))
    await hub.send(hub.rated("green", minutes=40, hours=72))
    await hub.send(hub.requested("police", "education", minutes=10))
    await hub.send(hub.rated("amber", minutes=6, hours=24))
    await hub.send(hub.contact())
    async with running(build_app(settings, clock), headers=MANAGER) as client:
        item = await wait_until(lambda: in_queue(client, hub.contact_id), what="ready picture")
        picture = (await client.get(f"/v1/pictures/{hub.contact_id}", headers=MANAGER)).json()
        completed = await wait_until(
            lambda: hub.published(DECISIONS, PictureCompleted.event_type), what="completion")
    assert item["rating"] == "green"  # the latest rating by its own time
    assert item["ready_reason"] == "all_answered"
    assert picture["reference"] == hub.reference
    times = [e["time"] for e in picture["timeline"]]
    assert times == sorted(times)
    assert len(completed) == 1 and completed[0].data.answered == ["education", "police"]


async def test_the_queue_puts_red_first_then_the_least_time_left(
    kafka_bootstrap: str, database_url: str, clock: Any, hub_for: Any
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    ratings = {"green": 72, "amber-later": 30, "red": 4, "amber-sooner": 20}
    hubs = {name: hub_for(kafka_bootstrap, settings) for name in ratings}
    for name, hours in ratings.items():
        hub = hubs[name]
        await hub.send(hub.contact())
        await hub.send(hub.rated(name.split("-")[0], hours=hours))
        await hub.send(hub.requested("police"))
        await hub.send(hub.answered("police"))
    ours = {hub.contact_id: name for name, hub in hubs.items()}
    async with running(build_app(settings, clock), headers=MANAGER) as client:

        async def all_ready() -> list[str] | None:
            queue = (await client.get("/v1/queue")).json()
            order = [ours[i["contact_id"]] for i in queue if i["contact_id"] in ours]
            return order if len(order) == len(ours) else None

        order = await wait_until(all_ready, what="four ready pictures")
    assert order == ["red", "amber-sooner", "amber-later", "green"]


async def test_the_decision_rules(
    kafka_bootstrap: str, database_url: str, clock: Any, hub_for: Any, count_stored: Any
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hub = hub_for(kafka_bootstrap, settings)
    app = build_app(settings, clock)
    decision = {"outcome": "early_help", "level_of_need": 2, "receiving_team": "Early Help East",
                "rationale": "Needs support with routines; no significant harm"}
    url = f"/v1/contacts/{hub.contact_id}/decision"
    async with running(app, headers=MANAGER) as client:
        unknown = await client.post("/v1/contacts/no-such-contact/decision", json=decision,
                                    headers=MANAGER)
        assert unknown.status_code == 404

        await hub.send(hub.contact())
        await hub.send(hub.requested("police", "health"))
        await hub.send(hub.answered("police"))
        await wait_until(lambda: _at_least(count_stored(app, hub.contact_id), 3),
                         what="stored events")
        not_ready = await client.post(url, json=decision, headers=MANAGER)
        assert not_ready.status_code == 409 and "health" in not_ready.json()["detail"]

        no_team = await client.post(url, json={**decision, "receiving_team": None},
                                    headers=MANAGER)
        assert no_team.status_code == 422
        assert no_team.json()["detail"][0]["loc"] == ["body", "receiving_team"]
        off_scale = await client.post(url, json={**decision, "level_of_need": 7},
                                      headers=MANAGER)
        assert off_scale.status_code == 422 and "between 1 and 4" in off_scale.text

        await hub.send(hub.answered("health"))
        await wait_until(lambda: in_queue(client, hub.contact_id), what="ready picture")
        first = await client.post(url, json=decision, headers=MANAGER)
        assert first.status_code == 201, first.text
        assert first.json()["decided_by"] == "mgr-7"
        again = await client.post(url, json=decision, headers=MANAGER)
        assert again.status_code == 409 and first.json()["decision_id"] in again.text
        wrong = await client.post(url, json={**decision, "supersedes": "not-the-current-one"},
                                  headers=MANAGER)
        assert wrong.status_code == 409
        assert await in_queue(client, hub.contact_id) is None  # decided: off the queue

        made = await wait_until(lambda: hub.published(DECISIONS, DecisionMade.event_type),
                                what="decision event")
    assert len(made) == 1
    event = made[0].data
    assert (event.outcome, event.level_of_need, event.decided_by) == ("early_help", 2, "mgr-7")
    assert hub.sealer.open(event.rationale) == {"rationale": decision["rationale"]}
    raw = [m.value for m in await read_topic(kafka_bootstrap, DECISIONS)
           if m.key.decode() == hub.contact_id]
    assert not any(b"routines" in v for v in raw)  # the rationale travels sealed


async def test_a_decision_is_changed_only_by_one_that_supersedes_it(
    kafka_bootstrap: str, database_url: str, clock: Any, hub_for: Any
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hub = hub_for(kafka_bootstrap, settings)
    url = f"/v1/contacts/{hub.contact_id}/decision"
    async with running(build_app(settings, clock), headers=MANAGER) as client:
        await hub.send(hub.contact())
        await hub.send(hub.requested("police"))
        await hub.send(hub.answered("police"))
        await wait_until(lambda: in_queue(client, hub.contact_id), what="ready picture")
        first = (await client.post(url, headers=MANAGER, json={
            "outcome": "nfa", "level_of_need": 1, "rationale": "No concerns found on checks"})
        ).json()
        clock.advance(timedelta(minutes=30))
        second = await client.post(url, headers=MANAGER, json={
            "outcome": "social_care_s17", "level_of_need": 3, "receiving_team": "Assessment 2",
            "rationale": "Police log changes the picture", "supersedes": first["decision_id"]})
        assert second.status_code == 201, second.text
        stale = await client.post(url, headers=MANAGER, json={
            "outcome": "nfa", "level_of_need": 1, "rationale": "Back to the first view",
            "supersedes": first["decision_id"]})
        assert stale.status_code == 409
        picture = (await client.get(f"/v1/pictures/{hub.contact_id}", headers=MANAGER)).json()
        made = await wait_until(
            lambda: _n(hub.published(DECISIONS, DecisionMade.event_type), 2), what="decisions")
    assert picture["status"] == "decided"
    assert picture["decision"]["decision_id"] == second.json()["decision_id"]
    assert picture["decision"]["rationale"] == "Police log changes the picture"
    assert [d["outcome"] for d in picture["decisions"]] == ["nfa", "social_care_s17"]
    assert [m.data.supersedes for m in made] == [None, first["decision_id"]]


async def _n(probe: Any, n: int) -> Any:
    found = await probe
    return found if len(found) >= n else None


async def test_a_redelivered_event_changes_nothing(
    kafka_bootstrap: str, database_url: str, clock: Any, hub_for: Any, count_stored: Any
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hub = hub_for(kafka_bootstrap, settings)
    app = build_app(settings, clock)
    async with running(app, headers=MANAGER) as client:
        await hub.send(hub.contact())
        await hub.send(hub.requested("police"))
        event_id, value = await hub.send(hub.answered("police"))
        await wait_until(lambda: in_queue(client, hub.contact_id), what="ready picture")
        stored = await count_stored(app, hub.contact_id)
        before = (await client.get("/readyz")).json()["duplicates_ignored"]

        await produce(kafka_bootstrap, INFORMATION, value, key=hub.contact_id.encode())
        await wait_until(lambda: _more(client, before), what="the duplicate to be ignored")
        assert await count_stored(app, hub.contact_id) == stored
        completed = await hub.published(DECISIONS, PictureCompleted.event_type)
    assert len(completed) == 1


async def _more(client: Any, before: int) -> bool:
    return (await client.get("/readyz")).json()["duplicates_ignored"] > before


async def test_a_malformed_message_on_each_topic_is_dead_lettered_and_the_consumer_carries_on(
    kafka_bootstrap: str, database_url: str, clock: Any, hub_for: Any, count_stored: Any
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hub = hub_for(kafka_bootstrap, settings)
    marker = hub.contact_id.encode()
    key = hub.contact_id.encode()
    app = build_app(settings, clock)
    async with running(app, headers=MANAGER) as client:
        await produce(kafka_bootstrap, CONTACTS, b"not json " + marker, key=key)
        half_rating = (
            b'{"specversion":"1.0","id":"' + marker + b'-rag","source":"/mash/triage",'
            b'"type":"uk.mash.rag.rated.v1","subject":"' + marker + b'",'
            b'"time":"2026-03-02T09:00:00Z","data":{"contact_id":"' + marker + b'"}}'
        )
        await produce(kafka_bootstrap, TRIAGE, half_rating, key=key)
        await produce(kafka_bootstrap, INFORMATION, b'{"hello":"' + marker + b'"}', key=key)
        await hub.send(hub.answered("police"), subject="someone-else")
        await hub.send(hub.contact())  # the consumer carries on

        await wait_until(lambda: _at_least(count_stored(app, hub.contact_id), 1),
                         what="the good event after the bad ones")

        async def letters() -> list[DeadLetter] | None:
            found = []
            for m in await read_topic(kafka_bootstrap, dead_letters("decision")):
                letter = decode(m.value).data
                assert isinstance(letter, DeadLetter)
                if marker in base64.b64decode(letter.original):
                    found.append(letter)
            return found if len({f.source_topic for f in found}) == 3 and len(found) >= 4 \
                else None

        found = await wait_until(letters, what="four dead letters")
        status = (await client.get("/readyz")).json()
    by_topic: dict[str, list[DeadLetter]] = {}
    for letter in found:
        by_topic.setdefault(letter.source_topic, []).append(letter)
    assert by_topic[CONTACTS][0].reason.startswith("not JSON")
    assert by_topic[TRIAGE][0].reason == "data does not match uk.mash.rag.rated.v1"
    assert any("data.rating" in e for e in by_topic[TRIAGE][0].errors)
    reasons = {letter.reason for letter in by_topic[INFORMATION]}
    assert reasons == {"not a valid CloudEvent envelope", "the event's subject is not its contact"}
    assert all(letter.consumer == "decision" for letter in found)
    assert status["dead_lettered"] >= 4 and status["consumer"] is True


async def test_each_outcome_asks_for_what_it_needs_and_the_decision_event_carries_it(
    kafka_bootstrap: str, database_url: str, clock: Any, hub_for: Any
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    s47, signpost = hub_for(kafka_bootstrap, settings), hub_for(kafka_bootstrap, settings)
    async with running(build_app(settings, clock), headers=MANAGER) as client:
        for hub in (s47, signpost):
            await hub.send(hub.contact())
            await hub.send(hub.screened())
            await hub.send(hub.rated("red", hours=4))
            await hub.send(hub.requested("police"))
            await hub.send(hub.answered("police"))
        for hub in (s47, signpost):
            await wait_until(lambda h=hub: in_queue(client, h.contact_id), what="ready")

        s47_url = f"/v1/contacts/{s47.contact_id}/decision"
        body = {"outcome": "social_care_s47", "level_of_need": 4, "receiving_team": "CP team",
                "rationale": "Injury unexplained; strategy discussion held this morning"}
        missing = await client.post(s47_url, json=body, headers=MANAGER)
        assert missing.status_code == 422
        assert missing.json()["detail"][0]["loc"] == ["body", "strategy_discussion_agencies"]
        left_out = await client.post(s47_url, headers=MANAGER, json={
            **body, "strategy_discussion_agencies": ["police", "childrens-social-care"]})
        assert left_out.status_code == 422 and "health" in left_out.text
        made = await client.post(s47_url, headers=MANAGER, json={
            **body, "strategy_discussion_agencies": ["police", "health", "childrens-social-care",
                                                     "education"],
            "strategy_discussion_at": "2026-03-02T09:40:00Z"})
        assert made.status_code == 201, made.text

        sp_url = f"/v1/contacts/{signpost.contact_id}/decision"
        sp = {"outcome": "signpost", "level_of_need": 1,
              "rationale": "Family asked for help with budgeting; no safeguarding concern"}
        no_service = await client.post(sp_url, json=sp, headers=MANAGER)
        assert no_service.status_code == 422
        assert no_service.json()["detail"][0]["loc"] == ["body", "signpost_service"]
        signposted = await client.post(sp_url, headers=MANAGER,
                                       json={**sp, "signpost_service": "Citizens Advice"})
        assert signposted.status_code == 201, signposted.text

        timeliness = (await client.get(f"/v1/timeliness/{s47.contact_id}")).json()
        summary = (await client.get("/v1/timeliness")).json()
        unknown = await client.get("/v1/timeliness/no-such-contact")
        events = {
            e.data.contact_id: e.data
            for hub in (s47, signpost)
            for e in await wait_until(
                lambda h=hub: h.published(DECISIONS, DecisionMade.event_type), what="decision")
        }
    decided = events[s47.contact_id]
    assert decided.strategy_discussion_agencies == [
        "childrens-social-care", "education", "health", "police"]
    assert decided.strategy_discussion_at is not None
    assert events[signpost.contact_id].signpost_service == "Citizens Advice"
    assert events[signpost.contact_id].strategy_discussion_agencies is None

    assert unknown.status_code == 404
    assert timeliness["reference"] == s47.reference and timeliness["rating"] == "red"
    seconds = timeliness["seconds_from_received"]
    assert seconds["threshold"] == 5 * 60 and seconds["rated"] == 6 * 60
    assert seconds["all_answered"] == 20 * 60 and seconds["decided"] == 45 * 60
    assert seconds["feedback_sent"] is None  # feedback has not said so yet
    assert timeliness["decided_in_time"] is True
    assert timeliness["agencies"][0]["agency"] == "police"
    assert timeliness["agencies"][0]["silent"] is False
    assert summary["contacts"] >= 2 and summary["stages"]["decided"]["reached"] >= 2
    assert summary["decided_in_time"] >= 2
