"""Agencies without Kafka: their open requests and their answers over HTTP, from the agency's
own system (its API token) or one of its practitioners signed in to the console (a staff
token naming the agency)."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

import pytest

from mash_common.auth import Role, TokenSigner
from mash_common.codec import decode
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import running, wait_until
from mash_gateway.bootstrap import build_app
from mash_schemas.events import InformationProvided, RecordAccessed
from mash_schemas.topics import AUDIT

pytestmark = pytest.mark.integration

POLICE = {"Authorization": "Bearer dev-police-token"}  # the police's own system
HEALTH = {"Authorization": "Bearer dev-health-token"}
PC = staff_headers(Role.AGENCY_PRACTITIONER, "staff:pc-0001", agency="police")  # at the console
HV = staff_headers(Role.AGENCY_PRACTITIONER, "staff:hv-0002", agency="health")
MANAGER = staff_headers(Role.MASH_MANAGER, "staff:mgr-0007")


def expired(role: Role, user: str, agency: str | None = None) -> dict[str, str]:
    signer = TokenSigner(ttl_s=60, clock=lambda: time.time() - 3600)
    return {"Authorization": f"Bearer {signer.mint(user, role, agency)}"}


async def test_an_agency_reads_and_answers_only_its_own_requests(hub: Any) -> None:
    app = build_app(hub.settings)
    async with running(app) as client:
        contact_id = await hub.information_requested(["police", "health"],
                                                     respond_in=timedelta(hours=1))
        sent = await hub.requests_sent(contact_id, ["police", "health"])
        police = hub.request_of(sent["police"][0])
        health = hub.request_of(sent["health"][0])
        listing = "/v1/agencies/police/requests"

        assert (await client.get(listing, headers=HEALTH)).status_code == 403
        assert (await client.get(listing, headers=HV)).status_code == 403  # health's person
        for role in (Role.MASH_MANAGER, Role.DECISION_MAKER, Role.AUDITOR, Role.ADMINISTRATOR):
            staff = staff_headers(role, agency="police")  # an agency claim opens nothing
            assert (await client.get(listing, headers=staff)).status_code == 403, role
        assert (await client.get(listing)).status_code == 401  # no token at all
        wrong = {"Authorization": "Bearer dev-police-token-guess"}
        assert (await client.get(listing, headers=wrong)).status_code == 403
        late = expired(Role.AGENCY_PRACTITIONER, "staff:pc-0001", "police")
        assert (await client.get(listing, headers=late)).status_code == 401
        # The old trusted headers open nothing any more.
        header_only = {"X-Mash-Agency": "police", "X-Mash-User": "staff:pc-0001"}
        assert (await client.get(listing, headers=header_only)).status_code == 401
        assert (await client.get(listing, headers=POLICE)).status_code == 200  # the system

        async def listed() -> dict[str, Any]:
            found = (await client.get(listing, headers=PC)).json()["requests"]
            return next((r for r in found if r["contact_id"] == contact_id), {})

        mine = await wait_until(listed, what="police's open request")
        assert mine["request_id"] == police.request_id and mine["rating"] == "amber"
        assert mine["subject_details"] == {"child": hub.PROFILE["police"]}
        assert 3500 < mine["seconds_left"] <= 3600 and mine["overdue"] is False
        assert mine["reminded_at"] is None

        answer = {"known_to_agency": False, "summary": "Nothing known on PND."}
        url = f"/v1/agencies/police/requests/{police.request_id}/response"
        assert (await client.post(url, json=answer, headers=HEALTH)).status_code == 403
        assert (await client.post(url, json=answer, headers=HV)).status_code == 403
        assert (await client.post(url, json=answer, headers=MANAGER)).status_code == 403
        assert (await client.post(url, json=answer)).status_code == 401
        # Health's request through police's door: reported exactly like a missing one.
        other = f"/v1/agencies/police/requests/{health.request_id}/response"
        assert (await client.post(other, json=answer, headers=POLICE)).status_code == 404
        assert (await client.post(other, json=answer, headers=PC)).status_code == 404
        missing = f"/v1/agencies/police/requests/{uuid.uuid4()}/response"
        assert (await client.post(missing, json=answer, headers=PC)).status_code == 404
        bad = await client.post(url, json={**answer, "summary": ""}, headers=PC)
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "summary"]

        contradiction = {**answer, "known_to_agency": True, "nothing_known": True}
        assert (await client.post(url, json=contradiction, headers=PC)).status_code == 422

        # The practitioner answers: the answer is theirs, whoever the body names.
        r = await client.post(url, json={**answer, "nothing_known": True,
                                         "responder": "staff:someone-else"}, headers=PC)
        assert r.status_code == 202, r.text
        assert r.json()["status"] == "answered" and r.json()["late"] is False
        again = await client.post(url, json={**answer, "summary": "Retry"}, headers=POLICE)
        assert again.status_code == 200
        assert again.json()["status"] == "already_answered" and again.json()["channel"] == "http"

        [provided] = await hub.provided(contact_id)
        assert isinstance(provided.data, InformationProvided)
        assert provided.data.channel == "http" and provided.data.known_to_agency is False
        assert hub.opened(provided) == {"summary": "Nothing known on PND.",
                                        "responder": "staff:pc-0001", "nothing_known": True}
        assert await listed() == {}  # answered: no longer open

        assert (await client.get(f"/v1/contacts/{contact_id}/requests",
                                 headers=PC)).status_code == 403  # the hub's view, not theirs
        status = (await client.get(f"/v1/contacts/{contact_id}/requests",
                                   headers=MANAGER)).json()
        by_agency = {r["agency"]: r for r in status["requests"]}
        assert by_agency["police"]["status"] == "answered"
        assert by_agency["police"]["channel"] == "http" and by_agency["police"]["late"] is False
        assert by_agency["health"]["status"] == "open"

        # Reading a child's details is audited.
        async def audited() -> list[RecordAccessed]:
            events = [decode(m.value).data for m in await hub.read(AUDIT)]
            mine = [e for e in events
                    if isinstance(e, RecordAccessed) and e.contact_id == contact_id]
            return mine if any(e.accessed_by == "staff:pc-0001" for e in mine) else []

        reads = await wait_until(audited, what="audit of the practitioner's read")
        assert {(a.accessed_by, a.role, a.service, a.agency) for a in reads} >= {
            ("staff:pc-0001", "agency-practitioner", "agency-gateway", "police")}
        assert {a.accessed_by for a in reads} <= {"staff:pc-0001", "agency:police"}
        assert {a.agency for a in reads} == {"police"}  # the practitioner's, or the system's
    assert await hub.published_count(app, InformationProvided.event_type) == 1


async def test_one_request_opens_one_childs_details_and_audits_that_read_alone(
    hub: Any,
) -> None:
    app = build_app(hub.settings)
    async with running(app) as client:
        first = await hub.information_requested(["police", "health"],
                                                respond_in=timedelta(hours=2))
        second = await hub.information_requested(["police"], respond_in=timedelta(hours=3))
        sent = await hub.requests_sent(first, ["police", "health"])
        police = hub.request_of(sent["police"][0])
        health = hub.request_of(sent["health"][0])
        await hub.requests_sent(second, ["police"])
        one = f"/v1/agencies/police/requests/{police.request_id}"

        async def shown() -> dict[str, Any] | None:
            r = await client.get(one, headers=PC)
            return r.json() if r.status_code == 200 else None

        item = await wait_until(shown, what="police's request, opened")
        assert item["contact_id"] == first and item["status"] == "open"
        assert item["subject_details"] == {"child": hub.PROFILE["police"]}
        assert 7100 < item["seconds_left"] <= 7200 and item["answered_at"] is None

        # Only the child whose request was opened is audited, never the other on the list.
        async def audited() -> list[RecordAccessed]:
            events = [decode(m.value).data for m in await hub.read(AUDIT)]
            return [e for e in events if isinstance(e, RecordAccessed)
                    and e.contact_id in (first, second) and e.accessed_by == "staff:pc-0001"]

        reads = await wait_until(audited, what="the read audited")
        assert {(e.contact_id, e.agency, e.action) for e in reads} == {
            (first, "police", "read information request (police)")}

        # Another agency's request through police's door is reported like a missing one.
        other = f"/v1/agencies/police/requests/{health.request_id}"
        assert (await client.get(other, headers=PC)).status_code == 404
        assert (await client.get(other, headers=POLICE)).status_code == 404
        missing = f"/v1/agencies/police/requests/{uuid.uuid4()}"
        assert (await client.get(missing, headers=PC)).status_code == 404
        assert (await client.get(one, headers=HV)).status_code == 403
        assert (await client.get(one, headers=MANAGER)).status_code == 403
        assert (await client.get(one)).status_code == 401

        # Answered: its status, and no child's details any more.
        answer = {"known_to_agency": False, "summary": "Nothing known on PND."}
        r = await client.post(f"{one}/response", json=answer, headers=PC)
        assert r.status_code == 202, r.text
        done = (await client.get(one, headers=POLICE)).json()
        assert done["status"] == "answered" and done["subject_details"] is None
        assert done["answered_at"] and done["late"] is False and done["seconds_left"] is None


async def test_an_http_answer_after_the_deadline_is_late_and_an_unknown_agency_is_404(
    hub: Any,
) -> None:
    app = build_app(hub.settings)
    async with running(app) as client:
        contact_id = await hub.information_requested(["education"],
                                                     respond_in=timedelta(minutes=-5))
        sent = await hub.requests_sent(contact_id, ["education"])
        education = hub.request_of(sent["education"][0])
        full = {
            "known_to_agency": True, "summary": "Attendance 81% this term.",
            "involvement_summary": "Pastoral support since September.",
            "risk_information": "Often arrives without breakfast.",
            "relevant_dates": [{"date": "2026-10-01", "what": "Welfare meeting"}],
            "responding_practitioner": {"name": "Ms Head", "role": "Designated lead"},
            "attachments": [{"uri": "https://school.example/docs/7", "title": "Attendance"}],
        }
        r = await client.post(
            f"/v1/agencies/education/requests/{education.request_id}/response",
            json=full, headers=hub.token("education"),
        )
        assert r.status_code == 202 and r.json()["late"] is True
        [provided] = await hub.provided(contact_id)
        opened = hub.opened(provided)
        assert opened["risk_information"] == "Often arrives without breakfast."
        assert opened["relevant_dates"] == full["relevant_dates"]
        assert opened["responding_practitioner"]["name"] == "Ms Head"
        assert opened["attachments"][0]["uri"] == "https://school.example/docs/7"
        fire = {"Authorization": "Bearer dev-fire-token"}
        assert (await client.get("/v1/agencies/fire/requests", headers=fire)).status_code == 404
        assert (await client.get("/openapi.json")).status_code == 200
