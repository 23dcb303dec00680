"""Recording a phone contact: the whole referral form, posted to intake on the person's behalf."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import Any

import httpx
from fastapi.testclient import TestClient

from mash_console.config import ConsoleSettings
from mash_console.domain import marf

CASEWORK = ("dm.patel", "mgr.jones")
NOT_CASEWORK = ("police.khan", "health.obi", "education.reid", "auditor.ng", "admin.silva")
ACCEPTED = {"contact_id": "0b6f2a4e-1f59-4d8e-9a3c-3c1d2f0a7b11", "reference": "MASH-2026-000123",
            "family_group_id": "f3e2d1c0-b9a8-4765-8432-10fedcba9876", "status_token": "secret",
            "contacts": [
                {"contact_id": "0b6f2a4e-1f59-4d8e-9a3c-3c1d2f0a7b11",
                 "reference": "MASH-2026-000123", "child_index": 0},
                {"contact_id": "1c7a3b5f-2a6a-4e9f-8b4d-4d2e3f1b8c22",
                 "reference": "MASH-2026-000124", "child_index": 1}]}

# The form as a person fills it in: a teacher calls about two brothers.
FILLED: dict[str, Any] = {
    "contact_type": "concern", "contact_source": "2A",
    "referrer-kind": "professional", "referrer-name": "Jo Class", "referrer-role": "Teacher",
    "referrer-agency": "Oak Primary", "referrer-phone": "01908 123456",
    "referrer-email": "jo@oak.example",
    "children-count": "2",
    "children-0-first_name": "Ava", "children-0-last_name": "Brook",
    "children-0-date_of_birth-day": "1", "children-0-date_of_birth-month": "5",
    "children-0-date_of_birth-year": "2017", "children-0-gender": "female",
    "children-0-nhs_number": "943 476 5919", "children-0-school": "Oak Primary",
    "children-0-interpreter_needed": "no", "children-0-postcode": "MK9 3EP",
    "children-1-first_name": "Ben", "children-1-last_name": "Brook",
    "children-1-date_of_birth-day": "12", "children-1-date_of_birth-month": "11",
    "children-1-date_of_birth-year": "2019", "children-1-interpreter_needed": "unknown",
    "household-count": "2",
    "household-0-name": "Cara Brook", "household-0-relationship": "Mother",
    "household-0-parental_responsibility": "yes", "household-0-lives_with_child": "yes",
    "household-0-date_of_birth-day": "", "household-0-date_of_birth-month": "",
    "household-0-date_of_birth-year": "",
    "household-1-name": "", "household-1-relationship": "",  # the second block left blank
    "significant_adults-count": "0",
    "concern-summary": "Came to school hungry three days running.",
    "concern-happened_on-day": "3", "concern-happened_on-month": "11",
    "concern-happened_on-year": "2026",
    "concern-factors": ["16A", "3A"], "concern-immediate_risk": "no",
    "concern-referrer_level_of_need": "2",
    "parents_aware": "yes",
    "consent_given": "yes", "consent_given_by": "Mother",
    "consent_covers": "Ava, Ben and their mother",
}

EXPECTED_BODY = {
    "contact_type": "concern", "channel": "phone", "contact_source": "2A",
    "referrer": {"kind": "professional", "name": "Jo Class", "role": "Teacher",
                 "agency": "Oak Primary", "phone": "01908 123456", "email": "jo@oak.example"},
    "parents_aware": True,
    "consent_given": True, "consent_given_by": "Mother",
    "consent_covers": "Ava, Ben and their mother",
    "children": [
        {"first_name": "Ava", "last_name": "Brook", "nhs_number": "943 476 5919",
         "postcode": "MK9 3EP", "school": "Oak Primary", "date_of_birth": "2017-05-01",
         "gender": "female", "interpreter_needed": False},
        {"first_name": "Ben", "last_name": "Brook", "date_of_birth": "2019-11-12"},
    ],
    "household": [{"name": "Cara Brook", "relationship": "Mother",
                   "parental_responsibility": True, "lives_with_child": True}],
    "concern": {"summary": "Came to school hungry three days running.",
                "happened_on": "2026-11-03", "factors": ["16A", "3A"],
                "immediate_risk": False, "referrer_level_of_need": 2},
}


def _form(console: TestClient) -> tuple[str, str]:
    page = console.get("/contacts/new")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert token and key
    return token.group(1), key.group(1)


def _post(console: TestClient, data: dict[str, Any]) -> httpx.Response:
    return console.post("/contacts/new", data=data, follow_redirects=False)


def _posts_to_intake(services: Any) -> list[dict[str, Any]]:
    return [c for c in services.calls if c["path"] == "/v1/contacts" and c["method"] == "POST"]


def test_the_form_is_for_casework_staff(signed_in: Callable[[str], TestClient]) -> None:
    for username in CASEWORK:
        page = signed_in(username).get("/contacts/new")
        assert page.status_code == 200
        assert "<h1 class=\"govuk-heading-l\">Record a phone contact</h1>" in page.text
        for section in ("The referrer", "The child",
                        "Parents, carers and others in the household", "The concern",
                        "Immediate risk", "Parents' knowledge and consent"):
            assert section in page.text, section


def test_the_form_is_refused_to_every_other_role(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    for username in NOT_CASEWORK:
        console = signed_in(username)
        token = re.search(r'name="csrf_token" value="([^"]+)"', console.get("/status").text)
        assert token
        assert console.get("/contacts/new").status_code == 403, username
        assert console.get("/contacts/new/recorded").status_code == 403, username
        refused = _post(console, {"csrf_token": token.group(1), **FILLED})
        assert refused.status_code == 403 and "You cannot use this page" in refused.text
    assert _posts_to_intake(services) == []


def test_each_form_carries_its_own_idempotency_key(signed_in: Callable[[str], TestClient]) -> None:
    console = signed_in("dm.patel")
    _, first = _form(console)
    _, second = _form(console)
    assert first != second and len(first) >= 16


def test_the_whole_form_goes_to_intake_as_a_phone_contact_from_the_person_signed_in(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    keys: list[str | None] = []

    def accept(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers.get("idempotency-key"))
        return httpx.Response(202, json=ACCEPTED)

    services.on("POST", "intake", "/v1/contacts", accept)
    console = signed_in("dm.patel")
    token, key = _form(console)
    response = _post(console, {"csrf_token": token, "idempotency_key": key, **FILLED})

    assert response.status_code == 303
    assert response.headers["location"] == (
        "/contacts/new/recorded?contact_id=0b6f2a4e-1f59-4d8e-9a3c-3c1d2f0a7b11"
        "&refs=MASH-2026-000123%2CMASH-2026-000124")
    call = services.calls[-1]
    assert call["json"] == EXPECTED_BODY
    assert call["caller"].user == "dm.patel" and call["caller"].role == "decision-maker"
    assert keys == [key]


def test_a_double_submit_sends_the_same_key_so_intake_makes_one_contact(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    keys: list[str | None] = []

    def accept(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers.get("idempotency-key"))
        return httpx.Response(202, json=ACCEPTED)

    services.on("POST", "intake", "/v1/contacts", accept)
    console = signed_in("mgr.jones")
    token, key = _form(console)
    for _ in range(2):
        assert _post(console, {"csrf_token": token, "idempotency_key": key,
                               **FILLED}).status_code == 303
    assert keys == [key, key]


def test_the_confirmation_shows_each_childs_reference_and_what_happens_next(
    signed_in: Callable[[str], TestClient]
) -> None:
    console = signed_in("dm.patel")
    page = console.get("/contacts/new/recorded", params={
        "contact_id": ACCEPTED["contact_id"],
        "refs": "MASH-2026-000123,MASH-2026-000124,<script>"})
    assert page.status_code == 200
    assert "govuk-panel--confirmation" in page.text
    assert page.text.count('data-testid="contact-reference"') == 2
    assert "MASH-2026-000124" in page.text and "&lt;script&gt;" not in page.text
    assert "What happens next" in page.text and "written referral form" in page.text
    assert 'href="/contacts/new"' in page.text  # record another
    assert f'href="/contacts/{ACCEPTED["contact_id"]}/screening"' in page.text
    # A manager cannot screen: no link to it.
    assert "/screening" not in signed_in("mgr.jones").get(
        "/contacts/new/recorded", params={"contact_id": ACCEPTED["contact_id"],
                                          "refs": "MASH-2026-000123"}).text


def _intake_422(*errors: tuple[Any, ...]) -> Callable[[httpx.Request], httpx.Response]:
    """intake's 422: (loc, msg, type[, ctx]) for each problem."""
    def refuse(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"detail": [
            {"loc": e[0], "msg": e[1], "type": e[2], **({"ctx": e[3]} if len(e) > 3 else {})}
            for e in errors]})

    return refuse


def _error_summary(html: str) -> str:
    return html.split("govuk-error-summary__list")[1].split("</ul>")[0]


def _value_of(html: str, field_id: str) -> str | None:
    found = re.search(rf'id="{re.escape(field_id)}"[^>]*value="([^"]*)"', html)
    return found.group(1) if found else None


def test_intakes_422_is_shown_at_each_field_and_every_value_is_kept(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    services.on("POST", "intake", "/v1/contacts", _intake_422(
        (["body", "children", 1, "nhs_number"], "this is not a valid NHS number: it has 10 "
         "digits and the last one is a check digit that does not match", "marf"),
        (["body", "referrer", "email"], "this is not an email address", "marf"),
        (["body", "contact_source"], "Field required", "missing"),
    ))
    console = signed_in("dm.patel")
    token, key = _form(console)
    data = {**FILLED, "csrf_token": token, "idempotency_key": key,
            "children-1-nhs_number": "943 476 5918", "referrer-email": "jo-at-oak"}
    data.pop("contact_source")
    page = _post(console, data)

    assert page.status_code == 422
    assert "<title>Error: Record a phone contact" in page.text
    summary = _error_summary(page.text)
    # In page order, each linking to its field; the second child's problem says whose.
    links = re.findall(r'href="#([^"]+)"', summary)
    assert links == ["contact_source", "referrer-email", "children-1-nhs_number"]
    assert "Choose who the contact came from" in summary
    assert "Child 2: This is not a valid NHS number" in summary
    assert 'id="children-1-nhs_number-error"' in page.text
    # Every value typed is still there (and the same key, so a retry makes one contact).
    for value in ('value="943 476 5918"', 'value="jo-at-oak"', 'value="Ava"', 'value="Ben"',
                  'value="2017"', 'value="Cara Brook"', f'value="{key}"'):
        assert value in page.text, value
    assert "Came to school hungry three days running." in page.text
    assert re.search(r'value="16A"\s+checked', page.text)
    assert re.search(r'name="consent_given" type="radio" value="yes"\s+checked', page.text)


def test_a_blank_household_block_is_not_sent_and_problems_land_on_the_right_block(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    services.on("POST", "intake", "/v1/contacts", _intake_422(
        (["body", "household", 0, "relationship"], "Field required", "missing")))
    console = signed_in("dm.patel")
    token, key = _form(console)
    data = {**FILLED, "csrf_token": token, "idempotency_key": key,
            "household-0-name": "", "household-0-relationship": "",
            "household-0-parental_responsibility": "", "household-0-lives_with_child": "",
            "household-1-name": "Dan Brook"}
    page = _post(console, data)
    assert services.calls[-1]["json"]["household"] == [{"name": "Dan Brook"}]
    assert 'href="#household-1-relationship"' in page.text
    assert "Person in the household 2: Give their relationship to the child" in page.text


def test_a_date_the_console_cannot_read_is_shown_with_intakes_problems_and_never_accepted(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    services.on("POST", "intake", "/v1/contacts", _intake_422(
        (["body", "children", 0, "date_of_birth"], "Input should be a valid date",
         "date_from_datetime_parsing"),
        (["body", "concern", "immediate_risk"], "Input should be a valid boolean",
         "bool_parsing"),
        (["body", "concern", "summary"], "String should have at least 10 characters",
         "string_too_short", {"min_length": 10}),
    ))
    console = signed_in("dm.patel")
    token, key = _form(console)
    data = {**FILLED, "csrf_token": token, "idempotency_key": key,
            "children-0-date_of_birth-day": "31", "children-0-date_of_birth-month": "2",
            "concern-immediate_risk": "", "concern-summary": "Hungry"}
    page = _post(console, data)
    sent = services.calls[-1]["json"]
    # What the console could not read goes as something intake cannot take: nothing is stored.
    assert sent["children"][0]["date_of_birth"].startswith(marf.UNREADABLE)
    assert sent["concern"]["immediate_risk"] == marf.UNREADABLE
    assert page.status_code == 422
    assert "Child 2" not in _error_summary(page.text)
    assert "Child 1: Date of birth must be a real date" in page.text
    assert 'href="#children-0-date_of_birth-day"' in page.text
    assert "Say whether the child is at immediate risk of significant harm" in page.text
    assert "Enter at least 10 characters" in page.text
    assert 'value="31"' in page.text


def test_when_intake_cannot_be_reached_nothing_typed_is_lost(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    services.on("POST", "intake", "/v1/contacts", down)
    console = signed_in("dm.patel")
    token, key = _form(console)
    page = _post(console, {**FILLED, "csrf_token": token, "idempotency_key": key})
    assert page.status_code == 502
    assert "intake could not be reached" in page.text
    assert 'value="Jo Class"' in page.text


def test_add_another_child_and_remove_one_keep_what_was_typed(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    console = signed_in("dm.patel")
    token, key = _form(console)
    added = _post(console, {**FILLED, "csrf_token": token, "idempotency_key": key,
                            "action": "add:children"})
    assert added.status_code == 200
    assert 'id="children-2-first_name"' in added.text and "Child 3" in added.text
    assert 'name="children-count" value="3"' in added.text
    assert 'value="Ben"' in added.text
    assert 'formaction="/contacts/new#children-3"' in added.text  # the next one's anchor
    removed = _post(console, {**FILLED, "csrf_token": token, "idempotency_key": key,
                              "action": "remove:children:0"})
    assert 'name="children-count" value="1"' in removed.text
    assert _value_of(removed.text, "children-0-first_name") == "Ben"
    assert 'value="Ava"' not in removed.text
    assert _posts_to_intake(services) == []  # neither records anything


def test_a_form_kept_across_a_time_out_comes_back_whole(
    signed_in: Callable[[str], TestClient], console_settings: ConsoleSettings
) -> None:
    console = signed_in("mgr.jones")
    token, key = _form(console)
    with sqlite3.connect(console_settings.data_dir / "console.db") as db:
        db.execute("UPDATE staff_sessions SET last_seen_at = datetime(last_seen_at, '-2 days'),"
                   " created_at = datetime(created_at, '-2 days')")
    kept = _post(console, {**FILLED, "csrf_token": token, "idempotency_key": key})
    draft = kept.headers["location"].split("draft=")[1].split("&")[0]
    signed_in("mgr.jones")
    page = console.get(f"/contacts/new?draft={draft}")
    assert 'value="Ava"' in page.text and 'value="Cara Brook"' in page.text
    assert f'value="{key}"' in page.text  # still the same contact if it was sent before
    assert re.search(r'value="3A"\s+checked', page.text)
    assert 'name="children-count" value="2"' in page.text


def test_the_field_names_follow_intakes_body() -> None:
    built = marf.build(FILLED)
    assert built.body == EXPECTED_BODY and built.problems == {}
    # Every field a 422 can name is one the page shows.
    assert built.field_of(["children", 1, "date_of_birth"]) == "children-1-date_of_birth"
    assert built.field_of(["household", 0]) == "household-0-name"
    assert built.field_of(["follows_phone_contact"]) is None


def test_an_anonymous_referral_and_consent_not_asked_for() -> None:
    values = {**FILLED, "contact_source": "9", "referrer-kind": "anonymous",
              "referrer-name": "", "referrer-phone": "", "referrer-email": "",
              "referrer-role": "", "referrer-agency": "",
              "parents_aware": "no", "parents_not_aware_reason": "It could put Ava at risk",
              "consent_given": "not_sought", "consent_given_by": "", "consent_covers": "",
              "consent_not_sought_reason": "Risk of significant harm"}
    body = marf.build(values).body
    assert body["referrer"] == {"kind": "anonymous"}
    assert body["parents_aware"] is False
    assert body["parents_not_aware_reason"] == "It could put Ava at risk"
    assert body["consent_given"] is None
    assert body["consent_not_sought_reason"] == "Risk of significant harm"
    assert "consent_given_by" not in body
