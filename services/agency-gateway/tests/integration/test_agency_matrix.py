"""The matrix: for every agency the hub consults, the request it receives carries exactly its
profile's fields, and its credentials read nothing addressed to another agency."""

from __future__ import annotations

from typing import Any

import pytest

from mash_common.testing.service import running, wait_until
from mash_gateway.bootstrap import build_app
from mash_gateway.domain.profiles import field_paths
from mash_schemas.codes import AGENCIES

pytestmark = pytest.mark.integration


async def test_every_agency_gets_exactly_its_profile_and_reads_only_its_own(hub: Any) -> None:
    agencies = list(hub.settings.agencies)
    assert agencies == list(AGENCIES)
    profiles = hub.settings.profiles()
    app = build_app(hub.settings)
    async with running(app, headers=hub.STAFF) as client:
        contact_id = await hub.information_requested(agencies)
        sent = await hub.requests_sent(contact_id, agencies)
        requests = {a: hub.request_of(sent[a][0]) for a in agencies}

        for agency in agencies:
            [message] = sent[agency]
            details = hub.open_details(agency, requests[agency])
            expected = {f for f in profiles.fields_for(agency) if f.startswith("child.")}
            # The test's child holds every child field but the due date; no household.
            expected.discard("child.expected_due_date")
            assert field_paths(details) == expected, agency
            assert b"Brook" not in message.value and b"hungry" not in message.value

        # Each agency's system (its API token) and each of its practitioners (a staff token).
        for agency, mine in [(a, door) for a in agencies
                             for door in (hub.token(a), hub.practitioner(a, f"staff:{a}-1"))]:

            async def listed(agency: str = agency, mine: dict[str, str] = mine) -> list[Any]:
                r = await client.get(f"/v1/agencies/{agency}/requests?limit=500", headers=mine)
                assert r.status_code == 200, r.text
                found = [x for x in r.json()["requests"] if x["contact_id"] == contact_id]
                assert all(x["agency"] == agency for x in r.json()["requests"])
                return found

            [own] = await wait_until(listed, what=f"{agency}'s own request")
            assert own["request_id"] == requests[agency].request_id
            assert field_paths(own["subject_details"]) == field_paths(
                hub.open_details(agency, requests[agency]))
            for other in agencies:
                if other == agency:
                    continue
                r = await client.get(f"/v1/agencies/{other}/requests", headers=mine)
                assert r.status_code == 403, (agency, other)
                theirs = requests[other].request_id
                answer = {"known_to_agency": False, "summary": "Nothing known."}
                r = await client.post(f"/v1/agencies/{other}/requests/{theirs}/response",
                                      json=answer, headers=mine)
                assert r.status_code == 403, (agency, other)
                # ...and through its own door another's request looks missing.
                r = await client.post(f"/v1/agencies/{agency}/requests/{theirs}/response",
                                      json=answer, headers=mine)
                assert r.status_code == 404, (agency, other)
        status = (await client.get(f"/v1/contacts/{contact_id}/requests")).json()
        assert all(r["status"] == "open" for r in status["requests"])
