"""Contacts from intake wait for screening; the decision maker's threshold decision moves them
on. Against the real broker and both databases."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from mash_common.auth import Role
from mash_common.db import Database
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import running
from mash_schemas.events import RecordAccessed, ThresholdDecided
from mash_schemas.topics import AUDIT, TRIAGE
from mash_triage.adapters.tables import contacts
from mash_triage.bootstrap import build_app
from mash_triage.config import TriageSettings

pytestmark = pytest.mark.integration

DECISION_MAKER = staff_headers(Role.DECISION_MAKER, "staff:dm-0042")
MANAGER = staff_headers(Role.MASH_MANAGER, "staff:mgr-0007")



async def test_contacts_wait_for_screening_immediate_risk_first_then_oldest(
    settings: TriageSettings, hub: Any, clock: Any
) -> None:
    t0 = clock.now
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        newest = await hub.send_contact(received_at=t0 + timedelta(hours=3), first_name="Cal")
        oldest = await hub.send_contact(received_at=t0, first_name="Ava")
        risky = await hub.send_contact(received_at=t0 + timedelta(hours=2), immediate_risk=True,
                                       first_name="Bo")
        items = await hub.screened(client, newest, oldest, risky)

    assert [i["contact_id"] for i in items] == [risky, oldest, newest]
    first = items[0]
    assert first["immediate_risk"] is True and first["child_age_years"] == 8
    assert first["child"]["first_name"] == "Bo" and first["child"]["last_name"] == "Brook"
    assert "address" not in first["child"]  # a list shows enough to recognise, no more
    assert first["concern_factors"] == ["16A"] and first["reference"].startswith("MASH-")

    # The personal data is kept in the database exactly as it travelled: sealed.
    db = Database(settings.db_url)
    try:
        async with db.sessions() as session:
            stored = (
                await session.execute(select(contacts.c.personal)
                                      .where(contacts.c.contact_id == risky))
            ).scalar_one()
    finally:
        await db.dispose()
    assert stored["kid"] == f"contact:{risky}" and "Brook" not in str(stored)


async def test_into_the_mash_moves_a_contact_to_the_rating_queue_and_is_published(
    settings: TriageSettings, hub: Any, clock: Any
) -> None:
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        into = await hub.send_contact()
        out = await hub.send_contact()
        await hub.screened(client, into, out)

        r = await client.post(
            f"/v1/contacts/{into}/threshold-decision", headers=DECISION_MAKER,
            json={"outcome": "mash", "level_of_need": 3,
                  "rationale": "Brook family known to police; neglect indicators"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "awaiting_rating" and r.json()["decided_by"] == "staff:dm-0042"
        r = await client.post(
            f"/v1/contacts/{out}/threshold-decision", headers=DECISION_MAKER,
            json={"outcome": "early_help", "level_of_need": 2, "rationale": "support at school"},
        )
        assert r.status_code == 200 and r.json()["status"] == "closed"

        screening = (await client.get("/v1/screening", params={"limit": 1000})).json()["items"]
        rating = (await client.get("/v1/rating-queue", params={"limit": 1000})).json()
        assert {into, out}.isdisjoint(i["contact_id"] for i in screening)
        assert [i["contact_id"] for i in rating["items"]] == [into]
        assert rating["waiting"] == 1 and rating["items"][0]["level_of_need"] == 3
        assert rating["items"][0]["child"]["first_name"] == "Ava"

        [decided] = await hub.wait_for(TRIAGE, into, ThresholdDecided.event_type)
        [closed] = await hub.wait_for(TRIAGE, out, ThresholdDecided.event_type)
        raw = await hub.raw(TRIAGE, into)

    data = decided.data
    assert (data.outcome, data.level_of_need, data.decided_by) == ("mash", 3, "staff:dm-0042")
    assert decided.subject == into and data.decided_at == clock.now
    assert hub.sealer.open(data.rationale)["rationale"].startswith("Brook family known")
    assert data.rationale.kid == f"contact:{into}"
    assert not any(b"Brook" in value for value in raw)  # the rationale is sealed on the topic
    assert closed.data.outcome == "early_help"


async def test_reading_a_contact_is_audited_and_an_unknown_one_is_404(
    settings: TriageSettings, hub: Any, clock: Any
) -> None:
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        contact_id = await hub.send_contact()
        await hub.screened(client, contact_id)
        r = await client.get(f"/v1/contacts/{contact_id}", headers=DECISION_MAKER)
        assert r.status_code == 200, r.text
        record = r.json()
        missing = await client.get("/v1/contacts/no-such-contact", headers=DECISION_MAKER)
        [audit] = await hub.wait_for(AUDIT, contact_id, RecordAccessed.event_type)

    assert record["status"] == "awaiting_threshold" and record["threshold_decision"] is None
    assert record["child"]["first_name"] == "Ava" and "hungry" in record["concern"]["summary"]
    assert [s["action"] for s in record["history"]] == ["contact received"]
    assert missing.status_code == 404 and "no contact no-such-contact" in missing.text
    a = audit.data
    assert (a.accessed_by, a.role, a.service) == ("staff:dm-0042", "decision-maker", "triage")
    assert a.accessed_at == clock.now


async def test_straight_to_social_care_with_the_consent_decision_and_its_reason(
    settings: TriageSettings, hub: Any, clock: Any
) -> None:
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        risky = await hub.send_contact(immediate_risk=True)
        await hub.screened(client, risky)
        r = await client.post(
            f"/v1/contacts/{risky}/threshold-decision", headers=DECISION_MAKER,
            json={"outcome": "social_care", "level_of_need": 4,
                  "rationale": "Ava has a burn the school cannot explain",
                  "social_care_response": "strategy_discussion",
                  "consent": {"lawful_basis": "vital_interests",
                              "override_reason": "telling the Brook parents may put Ava at risk"}},
        )
        assert r.status_code == 200, r.text
        [decided] = await hub.wait_for(TRIAGE, risky, ThresholdDecided.event_type)
        record = (await client.get(f"/v1/contacts/{risky}", headers=DECISION_MAKER)).json()
        raw = await hub.raw(TRIAGE, risky)

    answer = r.json()
    assert answer["status"] == "closed" and answer["level_of_need_name"].startswith("specialist")
    assert answer["consent"]["lawful_basis"] == "vital_interests"
    d = decided.data
    assert (d.outcome, d.social_care_response, d.lawful_basis) == (
        "social_care", "strategy_discussion", "vital_interests")
    assert hub.sealer.open(d.rationale)["consent_override_reason"].startswith("telling the Brook")
    assert (d.working_hours_to_decide, d.within_one_working_day) == (0.0, True)
    assert not any(b"Brook" in value for value in raw)  # the reason travels sealed
    t = record["threshold_decision"]
    assert t["social_care_response"] == "strategy_discussion"
    assert t["consent"] == {"lawful_basis": "vital_interests",
                            "override_reason": "telling the Brook parents may put Ava at risk"}


async def test_the_one_working_day_expectation_is_measured_for_every_contact(
    settings: TriageSettings, hub: Any, clock: Any
) -> None:
    # A week in January (GMT, no bank holiday) of a year no other test uses: the summary
    # counts every contact received in its window, and the broker is shared between tests.
    year = random.randrange(2030, 2090)
    monday = datetime(year, 1, 8, tzinfo=UTC)
    monday += timedelta(days=(7 - monday.weekday()) % 7)

    def day(offset: int, hour: int) -> datetime:
        return monday + timedelta(days=offset, hours=hour)

    clock.now = day(0, 11)
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        on_time = await hub.send_contact(received_at=day(0, 9))
        late = await hub.send_contact(received_at=day(-4, 10))  # Thursday: due Friday 10:00
        friday = await hub.send_contact(received_at=day(-3, 16))  # due Monday 16:00: not yet
        waiting_long = await hub.send_contact(received_at=day(-5, 9))  # Wednesday
        items = await hub.screened(client, on_time, late, friday, waiting_long)
        for contact_id in (on_time, late):
            r = await client.post(
                f"/v1/contacts/{contact_id}/threshold-decision", headers=DECISION_MAKER,
                json={"outcome": "early_help", "level_of_need": 2, "rationale": "support"})
            assert r.status_code == 200, r.text
        [late_event] = await hub.wait_for(TRIAGE, late, ThresholdDecided.event_type)
        summary = (await client.get("/v1/timeliness", params={
            "since": day(-7, 0).isoformat(), "until": day(1, 0).isoformat()})).json()
        record = (await client.get(f"/v1/contacts/{waiting_long}")).json()
        bad = await client.get("/v1/timeliness", params={"since": "2026-01-05T00:00:00"})

    def z(t: datetime) -> str:
        return t.isoformat().replace("+00:00", "Z")

    due = {i["contact_id"]: i["decision_due_by"] for i in items}
    assert due[friday] == z(day(0, 16)) and due[late] == z(day(-3, 10))
    assert (late_event.data.working_hours_to_decide, late_event.data.within_one_working_day) \
        == (17.0, False)  # Thursday 7 + Friday 8 + Monday 2
    assert summary["decided"] == 2 and summary["decided_within_one_working_day"] == 1
    assert summary["decided_late"] == 1 and summary["share_within_one_working_day"] == 0.5
    assert summary["mean_working_hours_to_decide"] == 9.5
    assert summary["longest_working_hours_to_decide"] == 17.0
    assert summary["awaiting_decision"] == 2 and summary["awaiting_past_one_working_day"] == 1
    t = record["timeliness"]
    assert t["due_by"] == z(day(-5, 17)) and t["within_one_working_day"] is False
    assert t["working_hours"] == 26.0  # Wed 8 + Thu 8 + Fri 8 + Mon 2
    assert bad.status_code == 422 and "time zone" in bad.text
