"""The gateway against the real broker and both databases: requests out, answers in."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest

from mash_common.codec import decode
from mash_common.crypto import contact_kid
from mash_common.testing.service import produce, running, wait_until
from mash_gateway.bootstrap import build_app
from mash_schemas.envelope import utcnow
from mash_schemas.events import InformationProvided, InformationRequested, RagRated
from mash_schemas.topics import TRIAGE, agency_requests, agency_responses

pytestmark = pytest.mark.integration

ASKED = ["police", "health", "education"]
PROVIDED = InformationProvided.event_type


async def test_an_information_request_becomes_one_request_per_agency_with_its_profile(
    hub: Any,
) -> None:
    app = build_app(hub.settings)
    async with running(app, headers=hub.STAFF) as client:
        contact_id = str(uuid.uuid4())
        # Other types on mash.triage are not the gateway's: ignored, not dead-lettered. Same
        # key, same partition: it is handled before the request that follows it.
        rag = RagRated(
            contact_id=contact_id, rating="amber", rated_by="staff:mgr-1", rated_at=utcnow(),
            deadline=utcnow(), rationale=hub.sealer.seal(contact_kid(contact_id), {}),
        )
        rag_id, _ = await hub.publish(TRIAGE, rag, subject=contact_id, source="/mash/triage")
        await hub.information_requested(ASKED, contact_id=contact_id)
        sent = await hub.requests_sent(contact_id, ASKED)

        for agency in ASKED:
            [message] = sent[agency]
            request = hub.request_of(message)
            assert message.key == contact_id.encode()
            assert (request.agency, request.contact_id) == (agency, contact_id)
            assert request.subject_details.kid == f"agency:{agency}"
            assert b"Brook" not in message.value  # operators see ciphertext only
            assert hub.open_details(agency, request) == {"child": hub.PROFILE[agency]}, agency
        for agency in ("camhs", "housing"):
            assert not [m for m in await hub.read(agency_requests(agency))
                        if decode(m.value).subject == contact_id]

        status = (await client.get(f"/v1/contacts/{contact_id}/requests")).json()
        assert sorted(r["agency"] for r in status["requests"]) == sorted(ASKED)
        for r in status["requests"]:
            assert r["status"] == "open" and r["answered_at"] is None and not r["overdue"]
            assert 4 * 3600 - 120 < r["seconds_left"] <= 4 * 3600
    assert not [letter for letter, original in await hub.dead_letters()
                if rag_id.encode() in original]


async def test_a_kafka_answer_is_provided_for_the_picture_and_a_duplicate_changes_nothing(
    hub: Any,
) -> None:
    app = build_app(hub.settings)
    async with running(app, headers=hub.STAFF) as client:
        contact_id = await hub.information_requested(["police", "health"])
        sent = await hub.requests_sent(contact_id, ["police", "health"])
        police = hub.request_of(sent["police"][0])

        _, value = await hub.answer("police", police, summary="Two incidents at the home.")
        [provided] = await hub.provided(contact_id)
        data = provided.data
        assert isinstance(data, InformationProvided)
        assert (data.request_id, data.agency, data.channel) == (police.request_id, "police",
                                                                "kafka")
        assert data.known_to_agency is True and data.late is False
        assert provided.subject == contact_id and data.summary.kid == contact_kid(contact_id)
        assert hub.opened(provided) == {"summary": "Two incidents at the home.",
                                        "responder": "police:PC-1234"}

        # The agency answers again (a new event), and the first answer is redelivered.
        again_id, _ = await hub.answer("police", police, summary="Changed my mind.")
        await produce(hub.bootstrap, agency_responses("police"), value,
                      key=f'"{contact_id}"'.encode())
        await wait_until(lambda: hub.inbox_outcome(app, again_id), what="second answer taken")

        async def redelivery_ignored() -> bool:
            return bool((await client.get("/readyz")).json()["duplicates_ignored"] >= 1)

        await wait_until(redelivery_ignored, what="redelivered answer ignored")
        assert await hub.inbox_outcome(app, again_id) == "applied"  # taken, not a dead letter
        assert await hub.published_count(app, PROVIDED) == 1

        status = (await client.get(f"/v1/contacts/{contact_id}/requests")).json()
        by_agency = {r["agency"]: r for r in status["requests"]}
        assert by_agency["police"]["status"] == "answered"
        assert by_agency["police"]["channel"] == "kafka" and by_agency["police"]["late"] is False
        assert by_agency["police"]["seconds_left"] is None
        assert by_agency["health"]["status"] == "open" and by_agency["health"]["seconds_left"] > 0
    assert len(await hub.provided(contact_id)) == 1
    assert not [letter for letter, _ in await hub.dead_letters()
                if police.request_id in letter.reason]


async def test_an_answer_after_the_deadline_is_accepted_and_marked_late(hub: Any) -> None:
    app = build_app(hub.settings)
    async with running(app, headers=hub.STAFF) as client:
        contact_id = await hub.information_requested(["housing"],
                                                     respond_in=timedelta(seconds=-30))
        housing = hub.request_of((await hub.requests_sent(contact_id, ["housing"]))["housing"][0])
        [r] = (await client.get(f"/v1/contacts/{contact_id}/requests")).json()["requests"]
        assert r["overdue"] is True and r["seconds_left"] < -29

        await hub.answer("housing", housing)
        [provided] = await hub.provided(contact_id)
        assert isinstance(provided.data, InformationProvided) and provided.data.late is True
        [r] = (await client.get(f"/v1/contacts/{contact_id}/requests")).json()["requests"]
        assert r["status"] == "answered" and r["late"] is True


async def test_answers_that_cannot_be_applied_are_dead_lettered_with_the_reason(
    hub: Any,
) -> None:
    app = build_app(hub.settings)
    async with running(app):
        contact_id = await hub.information_requested(["police", "health"])
        sent = await hub.requests_sent(contact_id, ["police", "health"])
        police = hub.request_of(sent["police"][0])
        health = hub.request_of(sent["health"][0])
        topic = agency_responses("police")
        key = contact_id.encode()  # one key: one partition, so these are taken in order
        marker = uuid.uuid4().hex
        not_json = f"not json {marker}".encode()
        not_cloudevent = json.dumps({"hello": marker}).encode()
        no_data = json.dumps({
            "specversion": "1.0", "id": marker, "source": "/agency/police",
            "type": "uk.mash.agency.response.v1", "subject": contact_id,
            "data": {"request_id": police.request_id},
        }).encode()
        await produce(hub.bootstrap, topic, not_json, key=key)
        await produce(hub.bootstrap, topic, not_cloudevent, key=key)
        await produce(hub.bootstrap, topic, no_data, key=key)
        unknown = str(uuid.uuid4())
        unknown_id, _ = await hub.answer("police", police, request_id=unknown, key=key)
        other_agency_id, _ = await hub.answer("police", health, key=key)
        other_contact = str(uuid.uuid4())
        other_contact_id, _ = await hub.answer("police", police, subject=other_contact, key=key)
        # ...and the consumer carries on: a good answer after them all is provided.
        await hub.answer("police", police, key=key)
        [provided] = await hub.provided(contact_id)
        assert isinstance(provided.data, InformationProvided)
        assert provided.data.request_id == police.request_id

        async def letters() -> dict[str, Any]:
            found = {}
            for letter, original in await hub.dead_letters():
                for name, needle in {
                    "not_json": not_json, "not_cloudevent": not_cloudevent, "no_data": no_data,
                    "unknown": unknown_id.encode(), "other_agency": other_agency_id.encode(),
                    "other_contact": other_contact_id.encode(),
                }.items():
                    if needle in original:
                        found[name] = letter
            return found if len(found) == 6 else {}

        found = await wait_until(letters, what="six dead letters")
    for letter in found.values():
        assert letter.consumer == "agency-gateway" and letter.source_topic == topic
    assert found["not_json"].reason.startswith("not JSON")
    assert found["not_cloudevent"].reason == "not a valid CloudEvent envelope"
    assert any("known_to_agency" in e for e in found["no_data"].errors)
    assert found["unknown"].reason == f"no information request {unknown}"
    assert found["other_agency"].reason == (
        f"request {health.request_id} is addressed to health, not police")
    assert found["other_contact"].reason == (
        f"request {police.request_id} is about contact {contact_id}, not {other_contact}")


async def test_an_information_request_the_gateway_cannot_serve_is_dead_lettered(
    hub: Any,
) -> None:
    app = build_app(hub.settings)
    async with running(app):
        contact_id = str(uuid.uuid4())
        now = utcnow()
        base: dict[str, Any] = dict(
            contact_id=contact_id, reference="MASH-2026-000043", rating="red",
            respond_by=now + timedelta(hours=4), requested_by="staff:mgr-0007",
            requested_at=now,
        )
        fire = InformationRequested(
            **base, agencies=["police", "fire-service"],
            need_to_know=hub.sealer.seal(contact_kid(contact_id), {"child": {}}),
        )
        elsewhere = InformationRequested(
            **base, agencies=["police"],
            need_to_know=hub.sealer.seal(contact_kid("another contact"), {"child": {}}),
        )
        fire_id, _ = await hub.publish(TRIAGE, fire, subject=contact_id, source="/mash/triage")
        elsewhere_id, _ = await hub.publish(TRIAGE, elsewhere, subject=contact_id,
                                            source="/mash/triage")
        # An agency system cannot slip a request in through its responses topic.
        injected_id, _ = await hub.publish(
            agency_responses("police"), InformationRequested(**{**base, "agencies": ["police"]},
                                                             need_to_know=fire.need_to_know),
            subject=contact_id, source="/agency/police")

        async def all_refused() -> bool:
            outcomes = [await hub.inbox_outcome(app, i)
                        for i in (fire_id, elsewhere_id, injected_id)]
            return outcomes == ["dead_lettered"] * 3

        await wait_until(all_refused, what="three refused requests")

        async def reasons_published() -> dict[str, str]:
            letters = await hub.dead_letters()
            reasons = {
                name: letter.reason
                for name, i in (("fire", fire_id), ("elsewhere", elsewhere_id),
                                ("injected", injected_id))
                for letter, original in letters if i.encode() in original
            }
            return reasons if len(reasons) == 3 else {}

        reasons = await wait_until(reasons_published, what="three dead letters")
    assert reasons["fire"] == "not an agency this hub consults: fire-service"
    assert "not this contact's key" in reasons["elsewhere"]
    assert reasons["injected"] == "information requests are taken only from mash.triage"
    assert not [m for m in await hub.read(agency_requests("police"))
                if decode(m.value).subject == contact_id]
