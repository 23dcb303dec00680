"""Every move triage does not allow is refused with a clear message, and publishes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mash_common.auth import Role
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import running, wait_until
from mash_schemas.events import RagRated, ThresholdDecided
from mash_schemas.topics import TRIAGE
from mash_triage.bootstrap import build_app
from mash_triage.config import TriageSettings

pytestmark = pytest.mark.integration

DECISION_MAKER = staff_headers(Role.DECISION_MAKER, "staff:dm-0042")
MANAGER = staff_headers(Role.MASH_MANAGER, "staff:mgr-0007")

MASH = {"outcome": "mash", "level_of_need": 3, "rationale": "needs a multi-agency picture"}
AMBER = {"rating": "amber", "rationale": "no immediate danger; school is watching"}


def refusal(r: httpx.Response, status: int) -> str:
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    return detail if isinstance(detail, str) else " / ".join(d["msg"] for d in detail)


async def test_every_illegal_transition_is_a_409_saying_why(
    settings: TriageSettings, hub: Any, clock: Any
) -> None:
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        unscreened, screened_out, in_mash, left = [await hub.send_contact() for _ in range(4)]
        await hub.screened(client, unscreened, screened_out, in_mash, left)

        def decide(contact_id: str, body: dict[str, Any]) -> Any:
            return client.post(f"/v1/contacts/{contact_id}/threshold-decision", json=body)

        def rate(contact_id: str, body: dict[str, Any]) -> Any:
            return client.post(f"/v1/contacts/{contact_id}/rag-rating", json=body,
                               headers=MANAGER)

        # Rating before the threshold decision.
        msg = refusal(await rate(unscreened, AMBER), 409)
        assert "no threshold decision yet" in msg and "into the MASH" in msg

        # Deciding twice.
        assert (await decide(screened_out, {**MASH, "outcome": "signpost"})).status_code == 200
        msg = refusal(await decide(screened_out, MASH), 409)
        assert "already has a threshold decision" in msg and "'signpost'" in msg

        # Rating a contact the decision maker did not put into the MASH.
        msg = refusal(await rate(screened_out, AMBER), 409)
        assert "did not enter the MASH" in msg and "only contacts in the MASH are RAG rated" in msg

        # A re-rating that changes nothing, or tries to choose agencies again.
        assert (await decide(in_mash, MASH)).status_code == 200
        assert (await rate(in_mash, AMBER)).status_code == 200
        msg = refusal(await rate(in_mash, AMBER), 409)
        assert "already rated amber" in msg and "must change the rating" in msg
        msg = refusal(await rate(in_mash, {**AMBER, "rating": "red", "agencies": ["camhs"]}), 409)
        assert "agencies are chosen then" in msg

        # Rating (or deciding) a contact that has left the MASH.
        assert (await decide(left, MASH)).status_code == 200
        assert (await rate(left, AMBER)).status_code == 200
        await hub.send_decision(left, decided_at=clock.now)

        async def gone() -> bool:
            return (await client.get(f"/v1/contacts/{left}")).json()["status"] == "decided"

        await wait_until(gone, what="the decision to reach triage")
        msg = refusal(await rate(left, {**AMBER, "rating": "red"}), 409)
        assert "has left the MASH" in msg and "can no longer be rated" in msg
        msg = refusal(await decide(left, MASH), 409)
        assert "already has a threshold decision" in msg

        # Unknown contacts.
        assert "no contact nobody" in refusal(await decide("nobody", MASH), 404)
        assert "no contact nobody" in refusal(await rate("nobody", AMBER), 404)

        # Nothing refused reached the topic: one decision and one rating each.
        decided = await hub.wait_for(TRIAGE, screened_out, ThresholdDecided.event_type)
        rated = await hub.wait_for(TRIAGE, in_mash, RagRated.event_type)
        assert len(decided) == 1 and len(rated) == 1
        assert await hub.events(TRIAGE, unscreened) == []


async def test_bad_requests_are_a_422_naming_the_field(
    settings: TriageSettings, hub: Any, clock: Any
) -> None:
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        contact_id = await hub.send_contact()
        await hub.screened(client, contact_id)
        url = f"/v1/contacts/{contact_id}/threshold-decision"

        r = await client.post(url, json={**MASH, "rationale": "   "})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "rationale"]
        assert "rationale is required" in r.text
        r = await client.post(url, json={"outcome": "mash", "level_of_need": 3})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "rationale"]
        r = await client.post(url, json={**MASH, "level_of_need": 0})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "level_of_need"]
        r = await client.post(url, json={**MASH, "level_of_need": 5})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "level_of_need"]
        assert "between 1 and 4" in r.text
        r = await client.post(url, json={**MASH, "outcome": "maybe"})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "outcome"]
        # The consent decision: another basis needs the reason consent is overridden.
        r = await client.post(url, json={**MASH, "consent": {"lawful_basis": "public_task"}})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "consent"]
        assert "reason for overriding consent" in r.text
        r = await client.post(url, json={**MASH, "consent": {"lawful_basis": "consent",
                                                             "override_reason": "why not"}})
        assert r.status_code == 422 and "rests on consent" in r.text
        r = await client.post(url, json={**MASH, "consent": {"lawful_basis": "whim"}})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][:3] == [
            "body", "consent", "lawful_basis"]
        # A strategy discussion or section 47 goes with straight to social care only.
        r = await client.post(url, json={**MASH, "social_care_response": "section_47"})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["body", "social_care_response"]

        assert (await client.post(url, json=MASH)).status_code == 200  # none of that counted
        rate = f"/v1/contacts/{contact_id}/rag-rating"
        r = await client.post(rate, json={**AMBER, "rating": "purple"}, headers=MANAGER)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "rating"]
        r = await client.post(rate, json={**AMBER, "agencies": ["police", "witchfinders"]},
                              headers=MANAGER)
        assert r.status_code == 422 and "unknown agency witchfinders" in r.text
        r = await client.post(rate, json={**AMBER, "agencies": []}, headers=MANAGER)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "agencies"]
        r = await client.post(rate, json={**AMBER, "rationale": ""}, headers=MANAGER)
        assert r.status_code == 422 and "rationale is required" in r.text
        assert (await client.post(rate, json=AMBER, headers=MANAGER)).status_code == 200
