"""The pictures rebuilt from the topics alone equal the live ones (real broker, both databases)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from mash_common.auth import Role
from mash_common.db import Database
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import running, settings_for, wait_until
from mash_decision.adapters.tables import picture_events, pictures
from mash_decision.bootstrap import build_app
from mash_decision.config import DecisionSettings
from mash_decision.entrypoints import replay as replay_command
from mash_decision.service_layer.handlers import fold_rows
from mash_schemas.events import (
    AgencyEscalated,
    ContactLinked,
    DecisionMade,
    LinkCandidate,
    PictureCompleted,
)
from mash_schemas.topics import DECISIONS

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the contacts' arrival, as in conftest
MANAGER = staff_headers(Role.MASH_MANAGER, "mgr-7")
# Bookkeeping: when this store wrote the row, not anything that happened to the contact.
BOOKKEEPING = {"pictures": {"updated_at"}, "picture_events": {"recorded_at"}}


async def snapshot(url: str, contact_ids: list[str]) -> dict[str, Any]:
    """Every picture row and picture event of these contacts, and each folded picture."""
    db = Database(url)
    try:
        async with db.sessions() as session:
            rows = {
                table.name: [
                    {k: v for k, v in r._mapping.items() if k not in BOOKKEEPING[table.name]}
                    for r in (await session.execute(
                        select(table).where(table.c.contact_id.in_(contact_ids))
                        .order_by(table.c.contact_id, *table.primary_key.columns)
                    )).all()
                ]
                for table in (pictures, picture_events)
            }
            events_by_contact: dict[str, list[Any]] = {c: [] for c in contact_ids}
            for r in (await session.execute(
                select(picture_events).where(picture_events.c.contact_id.in_(contact_ids))
            )).all():
                events_by_contact[r.contact_id].append(r)
    finally:
        await db.dispose()
    rows["folded"] = [fold_rows(c, events_by_contact[c]) for c in contact_ids]  # type: ignore
    return rows


async def test_the_pictures_replayed_from_the_topics_equal_the_live_ones(
    kafka_bootstrap: str, database_url: str, another_database_url: str, clock: Any,
    hub_for: Any, count_stored: Any,
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    decided, late, early, gathering = (hub_for(kafka_bootstrap, settings) for _ in range(4))
    ours = [h.contact_id for h in (decided, late, early, gathering)]
    app = build_app(settings, clock)
    async with running(app, headers=MANAGER) as client:
        # Decided, then changed by a decision that supersedes it; the referrer told.
        await decided.send(decided.contact())
        await decided.send(decided.screened())
        await decided.send(decided.rated("amber", hours=24))
        await decided.send(decided.rated("red", minutes=8, hours=4))
        await decided.send(decided.requested("police", "health", rating="red"))
        await decided.send(decided.answered("police"))
        await decided.send(decided.answered("health", minutes=25))
        # Answers first, the contact last: out of order on three topics, then ready.
        await early.send(early.answered("education", minutes=30))
        await early.send(early.requested("education"))
        await early.send(early.contact())
        # Still gathering: one agency silent.
        await gathering.send(gathering.contact())
        await gathering.send(
            gathering.requested("police", "housing", respond_in=timedelta(hours=5)))
        await gathering.send(gathering.answered("housing"))
        # Silent until the deadline passes, then a late answer, a warning and a breach.
        await late.send(late.contact())
        await late.send(late.requested("police", "camhs"))
        await late.send(late.answered("police"))
        await wait_until(lambda: _at_least(count_stored(app, late.contact_id), 3),
                         what="the late contact's events")
        await wait_until(lambda: _at_least(count_stored(app, gathering.contact_id), 3),
                         what="the gathering contact's events")
        clock.advance(timedelta(minutes=30))
        for hub in (decided, late, early):
            await wait_until(lambda h=hub: _in_queue(client, h.contact_id), what="ready")
        await late.send(late.answered("camhs", minutes=80, late=True))
        await late.send(late.warned())
        await late.send(late.breached())
        await late.send(AgencyEscalated(
            contact_id=late.contact_id, request_id="req-camhs", agency="camhs", rating="amber",
            respond_by=T0 + timedelta(minutes=70), escalated_at=T0 + timedelta(minutes=71)))
        # A repeat contact: intake found an earlier one about the same child.
        await decided.send(ContactLinked(
            contact_id=decided.contact_id, reference=decided.reference, linked_at=T0,
            contacts_in_12_months=2, candidates=[LinkCandidate(
                link_id="link-1", contact_id=early.contact_id, reference=early.reference,
                received_at=T0, strength="likely", score=0.9, basis=["name", "date_of_birth"])]))

        url = f"/v1/contacts/{decided.contact_id}/decision"
        first = await client.post(url, headers=MANAGER, json={
            "outcome": "social_care_s47", "level_of_need": 4, "receiving_team": "Assessment 2",
            "rationale": "Police log shows risk of significant harm",
            "strategy_discussion_agencies": ["police", "health", "childrens-social-care"]})
        assert first.status_code == 201, first.text
        clock.advance(timedelta(minutes=20))
        second = await client.post(url, headers=MANAGER, json={
            "outcome": "social_care_s17", "level_of_need": 3, "receiving_team": "Assessment 2",
            "rationale": "Strategy discussion: no s47 threshold", "supersedes":
            first.json()["decision_id"]})
        assert second.status_code == 201, second.text
        await decided.send(decided.feedback_sent(first.json()["decision_id"], clock.now))

        await wait_until(lambda: _at_least(count_stored(app, late.contact_id), 8),
                         what="the late answer, warning, breach and escalation")
        await wait_until(lambda: _at_least(count_stored(app, decided.contact_id), 12),
                         what="the decided contact's feedback")

        async def relayed() -> bool:
            status = (await client.get("/readyz")).json()
            return status["outbox_pending"] == 0

        await wait_until(relayed, what="every event of ours on the broker")
        made = await wait_until(
            lambda: _n(decided.published(DECISIONS, DecisionMade.event_type), 2),
            what="both decisions on the topic")
        completed = await late.published(DECISIONS, PictureCompleted.event_type)
        assert [c.data.reason for c in completed] == ["deadline_passed"]
        assert len(made) == 2
        live = await snapshot(database_url, ours)

    # The live service has stopped; its store is left alone. Rebuild into an empty one.
    count = await replay_command.replay(kafka_bootstrap, another_database_url, idle_s=3.0)
    assert count.applied >= 20 and set(ours) <= count.contacts
    replayed = await snapshot(another_database_url, ours)

    assert replayed["pictures"] == live["pictures"]
    assert replayed["picture_events"] == live["picture_events"]
    assert replayed["folded"] == live["folded"]
    by_id = {p["contact_id"]: p for p in live["pictures"]}
    assert by_id[decided.contact_id]["status"] == "decided"
    assert by_id[decided.contact_id]["feedback_sent_at"] is not None
    assert by_id[late.contact_id]["ready_reason"] == "deadline_passed"
    assert by_id[late.contact_id]["breaches"] == 1
    assert by_id[early.contact_id]["status"] == "ready"
    assert by_id[gathering.contact_id]["status"] == "gathering"

    # The rebuilt store serves like the live one: the same picture, queue and timeliness.
    rebuilt = settings_for(DecisionSettings, bootstrap=kafka_bootstrap,
                           db_url=another_database_url)
    async with running(build_app(rebuilt, clock), headers=MANAGER) as client:
        picture = (await client.get(f"/v1/pictures/{decided.contact_id}",
                                    headers=MANAGER)).json()
        timeliness = (await client.get(f"/v1/timeliness/{decided.contact_id}")).json()
    assert [d["outcome"] for d in picture["decisions"]] == ["social_care_s47", "social_care_s17"]
    assert picture["decisions"][0]["strategy_discussion_agencies"] == [
        "childrens-social-care", "health", "police"]
    assert picture["decision"]["rationale"] == "Strategy discussion: no s47 threshold"
    assert [r["rating"] for r in picture["rag_history"]] == ["amber", "red"]
    assert timeliness["decided_at"] is not None and timeliness["feedback_sent_at"] is not None
    assert picture["repeat_contacts"]["contacts_in_12_months"] == 2
    assert picture["repeat_contacts"]["earlier"][0]["reference"] == early.reference
    late_folded = next(p for p in replayed["folded"] if p.contact_id == late.contact_id)
    assert [e.agency for e in late_folded.escalations] == ["camhs"]


async def test_the_replay_command_refuses_a_store_that_is_not_empty(
    kafka_bootstrap: str, database_url: str, clock: Any, hub_for: Any, count_stored: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hub = hub_for(kafka_bootstrap, settings)
    app = build_app(settings, clock)
    async with running(app, headers=MANAGER):
        await hub.send(hub.contact())
        await wait_until(lambda: _at_least(count_stored(app, hub.contact_id), 1),
                         what="the contact")
    args = ["--bootstrap", kafka_bootstrap, "--database-url", database_url, "--idle-seconds", "1"]
    code = await asyncio.to_thread(replay_command.main, args, configure_logs=False)
    assert code == 2
    last_line = capsys.readouterr().out.strip().splitlines()[-1]  # after the log lines
    assert "empty store" in json.loads(last_line)["error"]


async def _at_least(probe: Any, n: int) -> bool:
    return await probe >= n


async def _n(probe: Any, n: int) -> Any:
    found = await probe
    return found if len(found) >= n else None


async def _in_queue(client: Any, contact_id: str) -> bool:
    queue = (await client.get("/v1/queue")).json()
    return any(item["contact_id"] == contact_id for item in queue)
