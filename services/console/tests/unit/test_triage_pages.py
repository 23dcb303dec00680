"""Screening (the decision maker), repeat contacts (casework staff) and RAG rating (the
manager), over triage's and intake's APIs."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import Any

import httpx
from fastapi.testclient import TestClient

from mash_common.auth import Caller
from mash_console.adapters.upstream import Upstreams
from mash_console.config import ConsoleSettings

CONTACT = "0b6f2a4e-1f59-4d8e-9a3c-3c1d2f0a7b11"
EARLIER = "7e3d2c1b-0a9f-4e8d-b7c6-5a4b3c2d1e0f"
LINK = "3c2b1a09-8f7e-4d6c-a5b4-c3d2e1f0a9b8"
DECIDED_LINK = "4d3c2b1a-9f8e-4d6c-a5b4-c3d2e1f0a9b9"
EVERYONE = ("dm.patel", "mgr.jones", "police.khan", "health.obi", "education.reid",
            "auditor.ng", "admin.silva")

CHILD = {"first_name": "Ava", "last_name": "Brook", "date_of_birth": "2017-05-01",
         "expected_due_date": None}
CONCERN = {"summary": "Came to school hungry three days running.", "happened_on": "2026-11-03",
           "factors": ["16A"], "immediate_risk": False, "referrer_level_of_need": 2}


def triage_record(status: str = "awaiting_threshold", **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "contact_id": CONTACT, "reference": "MASH-2026-000123",
        "family_group_id": "f3e2d1c0-b9a8-4765-8432-10fedcba9876",
        "received_at": "2026-11-02T09:30:00Z", "channel": "phone", "contact_type": "concern",
        "contact_source": "2A", "referrer_kind": "professional", "immediate_risk": False,
        "concern_factors": ["16A", "3A"], "child_age_years": 9,
        "repeat_contacts": {"contacts_in_12_months": 2, "exact": 0, "likely": 1, "possible": 0,
                            "confirmed": 0, "rejected": 0, "links": []},
        "child": CHILD, "concern": CONCERN, "status": status, "threshold_decision": None,
        "rating": None, "deadline": None, "ratings": [], "information_request": None,
        "proposed_agencies": None,
        "timeliness": {"due_by": "2026-11-03T09:30:00Z", "decided_at": None,
                       "working_hours": None, "within_one_working_day": None},
        "deadlines": [], "decision": None, "history": [],
    }
    if status in ("awaiting_rating", "rated"):
        record["threshold_decision"] = {
            "outcome": "mash", "level_of_need": 3, "decided_by": "dm.patel",
            "role": "decision-maker", "decided_at": "2026-11-02T11:00:00Z",
            "rationale": "Possible neglect; need partner information.",
            "level_of_need_name": "targeted / complex", "social_care_response": None,
            "consent": {"lawful_basis": "public_task", "override_reason": "Risk of harm"}}
    if status == "awaiting_rating":
        record["proposed_agencies"] = ["police", "health", "education", "childrens-social-care"]
    if status == "rated":
        record.update(rating="amber", deadline="2026-11-05T09:30:00Z", ratings=[
            {"seq": 1, "rating": "amber", "previous_rating": None, "rated_by": "mgr.jones",
             "role": "mash-manager", "rated_at": "2026-11-02T12:00:00Z",
             "deadline": "2026-11-05T09:30:00Z", "rationale": "Same-day picture needed."}],
            information_request={"agencies": ["police", "health"],
                                 "requested_at": "2026-11-02T12:00:00Z",
                                 "respond_by": "2026-11-05T09:30:00Z",
                                 "agency_respond_by": {"police": "2026-11-04T15:00:00Z"}})
    record.update(changes)
    return record


def intake_record(contact_id: str = CONTACT, reference: str = "MASH-2026-000123",
                  **child: Any) -> dict[str, Any]:
    return {
        "contact_id": contact_id, "reference": reference,
        "family_group_id": "f3e2d1c0-b9a8-4765-8432-10fedcba9876",
        "received_at": "2026-11-02T09:30:00Z", "channel": "phone", "contact_type": "concern",
        "contact_source": "2A", "referrer_kind": "professional", "immediate_risk": False,
        "form": {
            "child": {"first_name": "Ava", "last_name": "Brook", "date_of_birth": "2017-05-01",
                      "gender": "female", "nhs_number": "9434765919", "postcode": "MK9 3EP",
                      "school": "Oak Primary", **child},
            "siblings": 1, "contact_type": "concern", "contact_source": "2A", "channel": "phone",
            "referrer": {"kind": "professional", "name": "Jo Class", "role": "Teacher",
                         "agency": "Oak Primary", "email": "jo@oak.example", "phone": None},
            "parents_aware": True, "parents_not_aware_reason": None, "consent_given": True,
            "consent_given_by": "Mother", "consent_covers": "Ava, Ben and their mother",
            "consent_not_sought_reason": None,
            "household": [{"name": "Cara Brook", "relationship": "Mother",
                           "parental_responsibility": True, "lives_with_child": True}],
            "significant_adults": [], "concern": CONCERN, "early_help": None,
            "follows_phone_contact": None,
        },
    }


LINKS = {"contact_id": CONTACT, "contacts_in_12_months": 2, "links": [
    {"link_id": LINK, "other_contact_id": EARLIER, "other_reference": "MASH-2026-000042",
     "direction": "earlier", "strength": "likely", "score": 0.93,
     "basis": ["name", "date_of_birth"], "status": "proposed", "decided_by": None,
     "decided_at": None},
    {"link_id": DECIDED_LINK, "other_contact_id": "8f4e3d2c-1b0a-4f9e-8d7c-6b5a4c3d2e1f",
     "other_reference": "MASH-2026-000007", "direction": "earlier", "strength": "possible",
     "score": 0.71, "basis": ["postcode"], "status": "rejected", "decided_by": "mgr.jones",
     "decided_at": "2026-11-02T10:00:00Z"}]}


def wire(services: Any, status: str = "awaiting_threshold") -> None:
    """The services as they answer for one contact."""
    services.on("GET", "triage", f"/v1/contacts/{CONTACT}", triage_record(status))
    services.on("GET", "intake", f"/v1/contacts/{CONTACT}", intake_record())
    services.on("GET", "intake", f"/v1/contacts/{EARLIER}",
                intake_record(EARLIER, "MASH-2026-000042", first_name="Eva",
                              date_of_birth="2017-05-01", nhs_number=None))
    services.on("GET", "intake", f"/v1/contacts/{CONTACT}/links", LINKS)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def posts(services: Any) -> list[dict[str, Any]]:
    return [c for c in services.calls if c["method"] == "POST"]


def refused_to_others(
    signed_in: Callable[[str], TestClient], services: Any, path: str, allowed: tuple[str, ...]
) -> None:
    for username in EVERYONE:
        console = signed_in(username)
        page = console.get(path)
        if username in allowed:
            assert page.status_code == 200, (username, page.text[:500])
        else:
            assert page.status_code == 403, username
            assert "You cannot use this page" in page.text
            token = csrf_of(console.get("/status").text)
            assert console.post(path, data={"csrf_token": token},
                                follow_redirects=False).status_code == 403
    assert posts(services) == []


# --- screening -------------------------------------------------------------------------------

SCREENING = f"/contacts/{CONTACT}/screening"


def test_screening_is_for_the_decision_maker_only(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services)
    refused_to_others(signed_in, services, SCREENING, ("dm.patel",))


def test_screening_shows_the_referral_the_repeat_contacts_and_the_decision_form(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services)
    page = signed_in("dm.patel").get(SCREENING)
    assert page.status_code == 200
    text = page.text
    assert "<title>Screen contact MASH-2026-000123" in text
    assert "Ava" in text and "Brook" in text and "9 years old" in text
    assert "Came to school hungry three days running." in text
    assert "Neglect (16A)" in text and "Jo Class" in text and "Cara Brook" in text
    assert "Ava, Ben and their mother" in text
    # The repeat contacts: the undecided one has its buttons, the decided one says who.
    assert 'data-testid="contacts-in-12-months"' in text
    assert f'action="/contacts/{CONTACT}/links/{LINK}"' in text
    assert f'action="/contacts/{CONTACT}/links/{DECIDED_LINK}"' not in text
    assert "Not the same child (rejected)" in text and "by mgr.jones" in text
    assert "Agree on name, date of birth" in text
    # The form: each outcome, each level, each lawful basis.
    for value in ("mash", "social_care", "early_help", "signpost", "advice", "nfa"):
        assert f'name="outcome" type="radio" value="{value}"' in text
    assert 'name="level_of_need" type="radio" value="4"' in text
    assert 'name="consent-lawful_basis" type="radio" value="public_task"' in text
    # Each read the page makes is the person's own (each service audits it).
    reads = [c for c in services.calls if c["method"] == "GET" and c["path"] != "/readyz"]
    assert {c["caller"].user for c in reads} == {"dm.patel"}


def test_the_threshold_decision_goes_to_triage_and_the_queues_say_it_was_recorded(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services)
    services.on("POST", "triage", f"/v1/contacts/{CONTACT}/threshold-decision",
                {"contact_id": CONTACT, "reference": "MASH-2026-000123",
                 "status": "awaiting_rating", "outcome": "mash"})
    services.on("GET", "triage", "/v1/screening", {"waiting": 0, "items": []})
    services.on("GET", "triage", "/v1/rating-queue", {"waiting": 0, "items": []})
    services.on("GET", "decision", "/v1/.*", {"waiting": 0, "items": []})
    console = signed_in("dm.patel")
    token = csrf_of(console.get(SCREENING).text)
    response = console.post(SCREENING, data={
        "csrf_token": token, "outcome": "mash", "level_of_need": "3",
        "consent-lawful_basis": "public_task",
        "consent-override_reason": "Asking could put Ava at risk.",
        "rationale": "Possible neglect; need partner information."},
        follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/?done=screened&ref=MASH-2026-000123"
    [call] = posts(services)
    assert call["service"] == "triage"
    assert call["json"] == {
        "outcome": "mash", "level_of_need": 3,
        "consent": {"lawful_basis": "public_task",
                    "override_reason": "Asking could put Ava at risk."},
        "rationale": "Possible neglect; need partner information."}
    assert call["caller"].user == "dm.patel"
    queues = console.get(response.headers["location"])
    assert "Threshold decision recorded for MASH-2026-000123." in queues.text
    assert "govuk-notification-banner--success" in queues.text


def test_straight_to_social_care_with_consent_sends_no_override(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services)
    services.on("POST", "triage", f"/v1/contacts/{CONTACT}/threshold-decision",
                {"reference": "MASH-2026-000123"})
    console = signed_in("dm.patel")
    token = csrf_of(console.get(SCREENING).text)
    console.post(SCREENING, data={
        "csrf_token": token, "outcome": "social_care", "social_care_response": "section_47",
        "level_of_need": "4", "consent-lawful_basis": "consent",
        "consent-override_reason": "typed before choosing consent",
        "rationale": "Disclosure of abuse."}, follow_redirects=False)
    assert posts(services)[-1]["json"] == {
        "outcome": "social_care", "social_care_response": "section_47", "level_of_need": 4,
        "consent": {"lawful_basis": "consent"}, "rationale": "Disclosure of abuse."}


def test_what_is_missing_is_said_at_each_field_before_asking_triage(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services)
    console = signed_in("dm.patel")
    token = csrf_of(console.get(SCREENING).text)
    page = console.post(SCREENING, data={"csrf_token": token, "outcome": "mash",
                                         "rationale": "  "}, follow_redirects=False)
    assert page.status_code == 422
    assert "<title>Error: Screen contact" in page.text
    summary = page.text.split("govuk-error-summary__list")[1].split("</ul>")[0]
    assert re.findall(r'href="#([^"]+)"', summary) == [
        "level_of_need", "consent-lawful_basis", "rationale"]
    assert "Choose the lawful basis for sharing information with the agencies" in summary
    assert re.search(r'name="outcome" type="radio" value="mash"\s+checked', page.text)
    assert posts(services) == []


def test_triages_refusals_are_shown_on_the_form(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services)
    console = signed_in("dm.patel")
    token = csrf_of(console.get(SCREENING).text)
    data = {"csrf_token": token, "outcome": "early_help", "level_of_need": "5",
            "rationale": "Support with routines."}
    services.on("POST", "triage", f"/v1/contacts/{CONTACT}/threshold-decision",
                lambda _r: httpx.Response(422, json={"detail": [{
                    "loc": ["body", "level_of_need"], "type": "value_error",
                    "msg": "level of need must be between 1 and 4 (the local Levels of Need)"}]}))
    page = console.post(SCREENING, data=data, follow_redirects=False)
    assert page.status_code == 422
    assert '<a href="#level_of_need">Level of need must be between 1 and 4' in page.text
    assert 'id="level_of_need-error"' in page.text
    assert "Support with routines." in page.text

    services.on("POST", "triage", f"/v1/contacts/{CONTACT}/threshold-decision",
                lambda _r: httpx.Response(409, json={"detail": "MASH-2026-000123 already has "
                                                               "a threshold decision"}))
    page = console.post(SCREENING, data={**data, "level_of_need": "2"}, follow_redirects=False)
    assert "Not recorded: MASH-2026-000123 already has a threshold decision" in page.text


def test_a_screened_contact_shows_its_decision_and_no_form(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services, "awaiting_rating")
    page = signed_in("dm.patel").get(SCREENING)
    assert 'data-testid="threshold-form"' not in page.text
    assert 'data-testid="threshold-decided"' in page.text
    assert "Level 3: targeted / complex" in page.text and "Public task" in page.text


def test_an_unknown_contact_is_a_not_found_page(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    console = signed_in("dm.patel")
    assert console.get("/contacts/no-such-contact/screening").status_code == 404
    assert console.get("/contacts/..%2Fx/screening").status_code == 404


def test_a_screening_kept_across_a_time_out_comes_back(
    signed_in: Callable[[str], TestClient], services: Any, console_settings: ConsoleSettings
) -> None:
    wire(services)
    console = signed_in("dm.patel")
    token = csrf_of(console.get(SCREENING).text)
    with sqlite3.connect(console_settings.data_dir / "console.db") as db:
        db.execute("UPDATE staff_sessions SET last_seen_at = datetime(last_seen_at, '-1 day'),"
                   " created_at = datetime(created_at, '-1 day')")
    kept = console.post(SCREENING, data={"csrf_token": token, "outcome": "nfa",
                                         "rationale": "Half a thought"},
                        follow_redirects=False)
    assert kept.headers["location"].startswith("/sign-in?next=")
    draft = kept.headers["location"].split("draft=")[1].split("&")[0]
    signed_in("dm.patel")
    page = console.get(f"{SCREENING}?draft={draft}")
    assert "Half a thought" in page.text
    assert re.search(r'name="outcome" type="radio" value="nfa"\s+checked', page.text)
    assert posts(services) == []


# --- repeat contacts -------------------------------------------------------------------------

LINK_PAGE = f"/contacts/{CONTACT}/links/{LINK}"


def test_deciding_a_link_is_for_casework_staff(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services)
    refused_to_others(signed_in, services, LINK_PAGE, ("dm.patel", "mgr.jones"))


def test_the_link_page_compares_the_two_children(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services)
    page = signed_in("mgr.jones").get(LINK_PAGE)
    assert "Is this the same child?" in page.text
    table = page.text.split('data-testid="link-comparison"')[1].split("</table>")[0]
    assert "MASH-2026-000123" in table and "MASH-2026-000042" in table
    assert "Ava" in table and "Eva" in table and "1 May 2017" in table
    assert 'name="decision" type="radio" value="confirmed"' in page.text


def test_confirming_a_link_from_screening_goes_to_intake_and_back(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services)
    services.on("POST", "intake", f"/v1/links/{LINK}/decision",
                {"link_id": LINK, "status": "confirmed", "contacts_in_12_months": 2})
    console = signed_in("dm.patel")
    token = csrf_of(console.get(SCREENING).text)
    response = console.post(LINK_PAGE, data={"csrf_token": token, "decision": "confirmed",
                                             "back": SCREENING}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{SCREENING}?link=confirmed"
    [call] = posts(services)
    assert (call["service"], call["json"]) == ("intake", {"decision": "confirmed"})
    assert call["caller"].user == "dm.patel"
    back = console.get(response.headers["location"])
    assert "Link confirmed" in back.text


def test_a_link_decision_goes_back_only_to_this_contacts_pages(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services)
    services.on("POST", "intake", f"/v1/links/{LINK}/decision", {"status": "rejected"})
    console = signed_in("mgr.jones")
    token = csrf_of(console.get(LINK_PAGE).text)
    response = console.post(LINK_PAGE, data={"csrf_token": token, "decision": "rejected",
                                             "back": "https://evil.example/"},
                            follow_redirects=False)
    assert response.headers["location"] == f"{LINK_PAGE}?link=rejected"


def test_a_link_already_decided_says_so(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services)
    services.on("POST", "intake", f"/v1/links/{LINK}/decision", lambda _r: httpx.Response(
        409, json={"detail": "this link was already confirmed by mgr.jones"}))
    console = signed_in("dm.patel")
    token = csrf_of(console.get(LINK_PAGE).text)
    page = console.post(LINK_PAGE, data={"csrf_token": token, "decision": "rejected"},
                        follow_redirects=False)
    assert page.status_code == 422
    assert "this link was already confirmed by mgr.jones" in page.text
    missing = console.post(LINK_PAGE, data={"csrf_token": token}, follow_redirects=False)
    assert '<a href="#decision">Say whether it is the same child</a>' in missing.text


# --- RAG rating ------------------------------------------------------------------------------

RATING = f"/contacts/{CONTACT}/rating"


def test_rating_is_for_the_manager_only(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services, "awaiting_rating")
    refused_to_others(signed_in, services, RATING, ("mgr.jones",))


def test_the_first_rating_proposes_agencies_and_shows_the_timescales(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services, "awaiting_rating")
    page = signed_in("mgr.jones").get(RATING)
    assert "<title>Rate contact MASH-2026-000123" in page.text
    assert "Level 3: targeted / complex" in page.text
    for agency in ("police", "health", "education", "childrens-social-care"):
        assert re.search(rf'name="agencies" type="checkbox" value="{agency}"\s+checked',
                         page.text), agency
    assert re.search(r'value="camhs"\s*>', page.text)  # offered, not ticked
    assert "Within 4 hours of receipt, worked around the clock" in page.text
    assert "Within 24 working hours of receipt" in page.text
    assert "Within 72 working hours of receipt" in page.text


def test_the_first_rating_goes_to_triage_with_the_managers_agencies(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services, "awaiting_rating")
    services.on("POST", "triage", f"/v1/contacts/{CONTACT}/rag-rating",
                {"contact_id": CONTACT, "reference": "MASH-2026-000123", "rating": "amber"})
    console = signed_in("mgr.jones")
    token = csrf_of(console.get(RATING).text)
    response = console.post(RATING, data={
        "csrf_token": token, "first": "yes", "current_rating": "", "rating": "amber",
        "agencies": ["police", "health", "camhs"], "rationale": "Same-day picture needed."},
        follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/?done=rated&ref=MASH-2026-000123"
    [call] = posts(services)
    assert call["json"] == {"rating": "amber", "agencies": ["police", "health", "camhs"],
                            "rationale": "Same-day picture needed."}
    assert call["caller"].user == "mgr.jones" and call["caller"].role == "mash-manager"


def test_a_rating_with_no_agency_or_reason_is_refused_before_triage(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services, "awaiting_rating")
    console = signed_in("mgr.jones")
    token = csrf_of(console.get(RATING).text)
    page = console.post(RATING, data={"csrf_token": token, "first": "yes", "rating": "red"},
                        follow_redirects=False)
    assert page.status_code == 422
    assert '<a href="#agencies">Choose at least one agency' in page.text
    assert '<a href="#rationale">Give the reasons for this rating' in page.text
    assert not re.search(r'value="police"\s+checked', page.text)  # as the manager left it
    assert re.search(r'name="rating" type="radio" value="red"\s+checked', page.text)
    assert posts(services) == []


def test_re_rating_shows_the_history_and_sends_no_agencies(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services, "rated")
    services.on("POST", "triage", f"/v1/contacts/{CONTACT}/rag-rating",
                {"reference": "MASH-2026-000123", "rating": "red"})
    console = signed_in("mgr.jones")
    page = console.get(RATING)
    assert "<title>Re-rate contact MASH-2026-000123" in page.text
    history = page.text.split('data-testid="rating-history"')[1].split("</table>")[0]
    assert "Same-day picture needed." in history and "mgr.jones" in history
    assert 'name="agencies"' not in page.text
    assert "Police: answer due" in page.text
    token = csrf_of(page.text)
    same = console.post(RATING, data={"csrf_token": token, "first": "no",
                                      "current_rating": "amber", "rating": "amber",
                                      "rationale": "No change"}, follow_redirects=False)
    assert "It is already rated amber" in same.text
    assert posts(services) == []
    response = console.post(RATING, data={"csrf_token": token, "first": "no",
                                          "current_rating": "amber", "rating": "red",
                                          "rationale": "Police report of violence at home."},
                            follow_redirects=False)
    assert response.headers["location"] == "/?done=rated&ref=MASH-2026-000123"
    assert posts(services)[-1]["json"] == {"rating": "red",
                                           "rationale": "Police report of violence at home."}


def test_a_contact_not_in_the_mash_cannot_be_rated(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services, "closed")
    page = signed_in("mgr.jones").get(RATING)
    assert 'data-testid="rating-form"' not in page.text
    assert "This contact cannot be rated (status: Screened out of the MASH)" in page.text


def test_a_rating_kept_across_a_time_out_comes_back(
    signed_in: Callable[[str], TestClient], services: Any, console_settings: ConsoleSettings
) -> None:
    wire(services, "awaiting_rating")
    console = signed_in("mgr.jones")
    token = csrf_of(console.get(RATING).text)
    with sqlite3.connect(console_settings.data_dir / "console.db") as db:
        db.execute("UPDATE staff_sessions SET last_seen_at = datetime(last_seen_at, '-1 day'),"
                   " created_at = datetime(created_at, '-1 day')")
    kept = console.post(RATING, data={"csrf_token": token, "first": "yes", "rating": "green",
                                      "agencies": ["health"], "rationale": "Half-written"},
                        follow_redirects=False)
    draft = kept.headers["location"].split("draft=")[1].split("&")[0]
    signed_in("mgr.jones")
    page = console.get(f"{RATING}?draft={draft}")
    assert "Half-written" in page.text
    assert re.search(r'value="green"\s+checked', page.text)
    assert re.search(r'value="health"\s+checked', page.text)
    assert not re.search(r'value="police"\s+checked', page.text)  # the manager's choice kept


# --- local practice: triage's own levels of need and timescales ------------------------------

FIVE_LEVELS = {
    "levels_of_need": [
        {"level": 1, "name": "universal", "default_agencies": ["health"]},
        {"level": 2, "name": "early help", "default_agencies": ["health"]},
        {"level": 3, "name": "targeted", "default_agencies": ["health"]},
        {"level": 4, "name": None, "default_agencies": ["police"]},
        {"level": 5, "name": "acute", "default_agencies": ["police"]},
    ],
    "ratings": [
        {"rating": "red", "hours": 2.0, "around_the_clock": True},
        {"rating": "amber", "hours": 8.0, "around_the_clock": False},
        {"rating": "green", "hours": 40.0, "around_the_clock": False},
    ],
    "deadline_warning_fraction": 0.5,
    "working_hours": {"timezone": "Europe/London", "opens": "08:30:00", "closes": "17:30:00",
                      "days": [1, 2, 3, 4], "bank_holidays_closed": True, "closed_days": []},
    "agencies_by_concern": {},
    "agency_deadlines": {"share": 0.75, "by_agency": {}},
}


def settings_reads(services: Any) -> list[dict[str, Any]]:
    return [c for c in services.calls if c["path"] == "/v1/settings"]


def test_screening_offers_the_levels_of_need_triage_states(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services)
    services.on("GET", "triage", "/v1/settings", FIVE_LEVELS)
    page = signed_in("dm.patel").get(SCREENING)
    assert page.status_code == 200
    levels = page.text.split('data-testid="level-of-need"')[1].split("</fieldset>")[0]
    assert re.findall(r'name="level_of_need" type="radio" value="(\d)"', levels) == [
        "1", "2", "3", "4", "5"]
    for label in ("Level 1: Universal", "Level 3: Targeted", "Level 5: Acute"):
        assert label in levels
    assert re.search(r">\s*Level 4\s*<", levels)  # no name in the local document: the number
    assert "Specialist / acute" not in levels  # nothing of the defaults
    [read] = settings_reads(services)
    assert read["service"] == "triage" and read["caller"].user == "dm.patel"


def test_the_rating_form_states_triages_timescales(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services, "awaiting_rating")
    services.on("GET", "triage", "/v1/settings", FIVE_LEVELS)
    page = signed_in("mgr.jones").get(RATING)
    assert page.status_code == 200
    rag = page.text.split('data-testid="rag"')[1].split("</fieldset>")[0]
    assert "Within 2 hours of receipt, worked around the clock" in rag
    assert "Within 8 working hours of receipt" in rag
    assert "Within 40 working hours of receipt" in rag
    assert "MASH working hours: 8:30am to 5:30pm, Monday to Thursday, except bank holidays" in rag
    assert "24 working hours" not in page.text and "72 working hours" not in page.text
    assert "Within 4 hours" not in page.text


def test_triages_settings_are_read_once_a_minute_per_role(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services, "awaiting_rating")
    manager = signed_in("mgr.jones")
    for _ in range(3):
        assert manager.get(RATING).status_code == 200
    assert [c["caller"].role for c in settings_reads(services)] == ["mash-manager"]
    # Another role is not served an answer triage gave the first: triage checks it too.
    assert signed_in("dm.patel").get(SCREENING).status_code == 200
    assert [c["caller"].role for c in settings_reads(services)] == [
        "mash-manager", "decision-maker"]


def test_without_triages_settings_the_forms_are_not_shown_with_guesses(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    wire(services, "awaiting_rating")
    services.on("GET", "triage", "/v1/settings",
                lambda _r: httpx.Response(503, json={"detail": "not ready"}))
    for user, path in (("mgr.jones", RATING), ("dm.patel", SCREENING)):
        page = signed_in(user).get(path)
        assert page.status_code == 502, path
        assert "This contact cannot be shown just now" in page.text
        assert "levels of need and RAG timescales could not be read from triage" in page.text
        assert 'name="rating"' not in page.text and 'name="level_of_need"' not in page.text

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    # Not reachable at all: the console's usual words for it.
    services.on("GET", "triage", "/v1/settings", unreachable)
    page = signed_in("mgr.jones").get(RATING)
    assert page.status_code == 502 and 'name="rating"' not in page.text
    assert "The triage service could not be reached. Try again in a minute." in page.text
    # An answer of another shape is not guessed around either.
    services.on("GET", "triage", "/v1/settings", {"levels": [1, 2, 3, 4]})
    page = signed_in("dm.patel").get(SCREENING)
    assert page.status_code == 502 and 'name="level_of_need"' not in page.text


async def test_a_kept_answer_is_read_again_after_its_time() -> None:
    reads: list[str] = []

    def triage(request: httpx.Request) -> httpx.Response:
        reads.append(request.headers["authorization"])
        return httpx.Response(200, json={"read": len(reads)})

    now = [0.0]
    upstreams = Upstreams({"triage": "http://triage.test"}, timeout_s=1,
                          transport=httpx.MockTransport(triage), clock=lambda: now[0])
    api = upstreams.as_caller(Caller("mgr.jones", "mash-manager"))
    try:
        assert await api.get_kept("triage", "/v1/settings", ttl_s=60) == {"read": 1}
        now[0] = 59.0
        assert await api.get_kept("triage", "/v1/settings", ttl_s=60) == {"read": 1}
        now[0] = 61.0
        assert await api.get_kept("triage", "/v1/settings", ttl_s=60) == {"read": 2}
        assert len(reads) == 2 and all(r.startswith("Bearer ") for r in reads)
    finally:
        await upstreams.aclose()
