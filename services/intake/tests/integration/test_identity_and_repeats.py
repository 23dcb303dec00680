"""Repeat contacts about the same child are linked, ranked, counted and decided by a person."""

from __future__ import annotations

import pytest

from mash_common.auth import Role
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import running
from mash_intake.bootstrap import build_app
from mash_intake.config import IntakeSettings
from mash_schemas.events import ContactLinkDecided, ContactLinked
from mash_schemas.topics import CONTACTS

from .conftest import ManualClock, marf, wait_for

pytestmark = pytest.mark.integration

STAFF = staff_headers(Role.DECISION_MAKER, "staff:dm-0042")


def child(**fields: object) -> dict[str, object]:
    return {"first_name": "Amara", "last_name": "Okafor-Brook", "date_of_birth": "2016-03-09",
            "postcode": "MK46 4AD", "gender": "female", **fields}


async def test_a_third_contact_about_the_same_child_is_linked_to_both_earlier_ones(
    settings: IntakeSettings, kafka_bootstrap: str, clock: ManualClock
) -> None:
    async with running(build_app(settings, clock=clock), headers=STAFF) as client:
        first = (await client.post("/v1/contacts", json=marf(children=[child()]))).json()
        clock.advance(days=40)
        second = (await client.post("/v1/contacts", json=marf(children=[
            child(first_name="Amarah", last_name="Okafor")]))).json()  # misspelt, half the name
        clock.advance(days=40)
        third = (await client.post("/v1/contacts", json=marf(children=[
            child(first_name="Okafor", last_name="Amara", postcode="MK9 3EP"),  # swapped, moved
            child(first_name="Leo", date_of_birth="2016-03-09")]))).json()  # a twin
        [linked] = await wait_for(kafka_bootstrap, CONTACTS, key=third["contact_id"],
                                  event_type=ContactLinked.event_type)
        links = (await client.get(f"/v1/contacts/{third['contact_id']}/links")).json()
        twin = third["contacts"][1]["contact_id"]
        twin_links = (await client.get(f"/v1/contacts/{twin}/links")).json()

    data = linked.data
    assert isinstance(data, ContactLinked)
    assert [(c.contact_id, c.strength) for c in data.candidates] == [
        (second["contact_id"], "likely"), (first["contact_id"], "likely")] or [
        (c.contact_id, c.strength) for c in data.candidates] == [
        (first["contact_id"], "likely"), (second["contact_id"], "likely")]
    assert data.contacts_in_12_months == 3  # "third contact in 12 months"
    assert links["contacts_in_12_months"] == 3
    assert {link["status"] for link in links["links"]} == {"proposed"}
    assert {link["strength"] for link in twin_links["links"]} <= {"possible"}
    assert twin_links["contacts_in_12_months"] == 1
    assert b"Amara" not in linked.envelope.model_dump_json().encode()


async def test_the_same_nhs_number_is_an_exact_match_and_a_person_decides(
    settings: IntakeSettings, kafka_bootstrap: str
) -> None:
    async with running(build_app(settings), headers=STAFF) as client:
        await client.post("/v1/contacts", json=marf(children=[child(nhs_number="9434765919")]))
        later = (await client.post("/v1/contacts", json=marf(children=[
            {"first_name": "Mara", "date_of_birth": "2016-03-09",
             "nhs_number": "943 476 5919"}]))).json()
        [linked] = await wait_for(kafka_bootstrap, CONTACTS, key=later["contact_id"],
                                  event_type=ContactLinked.event_type)
        [candidate] = linked.data.candidates  # type: ignore[attr-defined]
        assert (candidate.strength, candidate.basis) == ("exact", ["nhs_number"])
        r = await client.post(f"/v1/links/{candidate.link_id}/decision",
                              json={"decision": "rejected"})
        assert r.status_code == 200 and r.json()["contacts_in_12_months"] == 1
        again = await client.post(f"/v1/links/{candidate.link_id}/decision",
                                  json={"decision": "confirmed"})
        missing = await client.post("/v1/links/nope/decision", json={"decision": "confirmed"})
        [decided] = await wait_for(kafka_bootstrap, CONTACTS, key=later["contact_id"],
                                   event_type=ContactLinkDecided.event_type)
    assert again.status_code == 409 and "already rejected by staff:dm-0042" in again.text
    assert missing.status_code == 404
    data = decided.data
    assert isinstance(data, ContactLinkDecided)
    assert (data.decision, data.decided_by, data.strength) == ("rejected", "staff:dm-0042",
                                                               "exact")
