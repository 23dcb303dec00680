"""The manager's decision form, over fakes of the decision and triage services."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

CID = "0b9c2f52-6a3e-4c1e-9d55-0f1e2d3c4b5a"
REF = "MASH-2026-000042"
URL = f"/contacts/{CID}/decision"
DECIDE = rf"/v1/contacts/{CID}/decision"


def picture(status: str = "ready", decision: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "contact_id": CID, "reference": REF, "status": status,
        "received_at": "2026-03-02T09:00:00Z", "immediate_risk": False,
        "threshold": {"outcome": "mash", "level_of_need": 3}, "rating": "red",
        "deadline": "2026-03-02T13:00:00Z", "time_left_seconds": 5400,
        "agencies": [
            {"agency": "police", "requested": True, "answered": True, "known_to_agency": True,
             "late": False, "answer": {"summary": "Domestic abuse call-out last month"}},
            {"agency": "health", "requested": True, "answered": False},
        ],
        "breaches": [], "repeat_contacts": {"contacts_in_12_months": 1},
        "decision": decision, "timeline": [],
    }


TRIAGE = {"contact_id": CID, "reference": REF, "status": "rated", "child_age_years": 8,
          "child": {"first_name": "Ava", "last_name": "Brook", "address": "1 Secret Lane"},
          "concern": {"summary": "Came to school hungry three days running"},
          "threshold_decision": {"outcome": "mash", "level_of_need": 3}}


@pytest.fixture
def fakes(services: Any) -> Any:
    services.on("GET", "decision", rf"/v1/pictures/{CID}", picture())
    services.on("GET", "triage", rf"/v1/contacts/{CID}", TRIAGE)
    services.on("POST", "decision", DECIDE,
                lambda _r: httpx.Response(201, json={"decision_id": "d-1"}))
    return services


def posted(services: Any) -> list[Any]:
    return [c["json"] for c in services.calls
            if c["method"] == "POST" and c["path"] == f"/v1/contacts/{CID}/decision"]


def open_form(console: TestClient, csrf: Callable[[str], str]) -> str:
    page = console.get(URL)
    assert page.status_code == 200, page.text
    return csrf(page.text)


def error_for(html: str, field: str) -> str:
    found = re.search(rf'id="{re.escape(field)}-error"[^>]*>\s*<span[^>]*>Error:</span>\s*([^<]+)',
                      html)
    assert found, f"no error message for {field}"
    return found.group(1).strip()


def test_the_form_shows_the_picture_to_the_manager(
    signed_in: Callable[[str], TestClient], fakes: Any
) -> None:
    page = signed_in("mgr.jones").get(URL)
    assert page.status_code == 200, page.text
    html = page.text
    assert "<title>Make the decision" in html
    assert 'data-testid="key-facts"' in html and REF in html and "Ava Brook" in html
    assert "Came to school hungry" in html  # the concern, in view while deciding
    assert "Domestic abuse call-out last month" in html and "Did not answer" in html
    assert "1 Secret Lane" not in html
    # Each outcome reveals what it needs: by CSS (.mash-reveal), never by GOV.UK's script,
    # which would put aria-expanded on the radios (axe: aria-allowed-attr).
    assert 'class="govuk-radios mash-reveal"' in html and "data-aria-controls" not in html
    for n, outcome in enumerate(("social_care_s47", "social_care_s17", "early_help",
                                 "signpost"), start=1):
        reveal = "conditional-outcome" + (f"-{n}" if n > 1 else "")
        assert f'data-reveals="{reveal}"' in html and f'id="{reveal}"' in html
        assert f'id="receiving_team-{outcome}"' in html or outcome == "signpost"
    assert 'id="strategy_discussion_agencies"' in html and 'id="signpost_service"' in html
    assert 'id="strategy_discussion_at-day"' in html
    assert 'name="csrf_token"' in html and f'action="{URL}"' in html


@pytest.mark.parametrize("user", ["dm.patel", "auditor.ng", "police.khan", "admin.silva"])
def test_the_form_is_refused_to_everyone_but_the_manager(
    user: str, signed_in: Callable[[str], TestClient], csrf: Callable[[str], str],
    fakes: Any,
) -> None:
    console = signed_in(user)
    assert console.get(URL).status_code == 403
    token = csrf(console.get("/status").text)
    refused = console.post(URL, data={"csrf_token": token, "outcome": "nfa",
                                      "level_of_need": "1", "rationale": "x" * 20})
    assert refused.status_code == 403
    assert posted(fakes) == []


def test_a_section_47_decision_posts_what_the_service_needs(
    signed_in: Callable[[str], TestClient], csrf: Callable[[str], str], fakes: Any
) -> None:
    console = signed_in("mgr.jones")
    token = open_form(console, csrf)
    response = console.post(URL, data={
        "csrf_token": token, "outcome": "social_care_s47",
        "receiving_team-social_care_s47": "Child Protection Team",
        "receiving_team-early_help": "typed, then changed my mind",
        "strategy_discussion_agencies": ["police", "health", "childrens-social-care"],
        "strategy_discussion_at-day": "2", "strategy_discussion_at-month": "7",
        "strategy_discussion_at-year": "2026", "strategy_discussion_time": "09:40",
        "signpost_service": "not for this outcome",
        "level_of_need": "4", "rationale": "Injury unexplained; strategy discussion held",
    }, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/contacts/{CID}/feedback?decided=social_care_s47"
    assert posted(fakes) == [{
        "outcome": "social_care_s47", "level_of_need": 4,
        "rationale": "Injury unexplained; strategy discussion held",
        "receiving_team": "Child Protection Team",
        "strategy_discussion_agencies": ["police", "health", "childrens-social-care"],
        "strategy_discussion_at": "2026-07-02T08:40:00Z",  # 09:40 in UK summer time
    }]
    call = next(c for c in fakes.calls if c["method"] == "POST")
    assert call["caller"].user == "mgr.jones" and call["caller"].role == "mash-manager"


def test_a_signpost_and_an_early_help_decision_post_their_own_fields(
    signed_in: Callable[[str], TestClient], csrf: Callable[[str], str], fakes: Any
) -> None:
    console = signed_in("mgr.jones")
    token = open_form(console, csrf)
    console.post(URL, data={"csrf_token": token, "outcome": "signpost",
                            "signpost_service": "Citizens Advice",
                            "receiving_team-social_care_s17": "left over",
                            "level_of_need": "1",
                            "rationale": "Family asked for help with budgeting"},
                 follow_redirects=False)
    console.post(URL, data={"csrf_token": token, "outcome": "early_help",
                            "receiving_team-early_help": "Early Help East",
                            "level_of_need": "2", "rationale": "Support with routines",
                            "strategy_discussion_agencies": "police"},
                 follow_redirects=False)
    assert posted(fakes) == [
        {"outcome": "signpost", "level_of_need": 1,
         "rationale": "Family asked for help with budgeting",
         "signpost_service": "Citizens Advice"},
        {"outcome": "early_help", "level_of_need": 2, "rationale": "Support with routines",
         "receiving_team": "Early Help East"},
    ]


def test_the_services_422_lands_on_the_right_fields_and_the_answers_are_kept(
    signed_in: Callable[[str], TestClient], csrf: Callable[[str], str], fakes: Any
) -> None:
    fakes.on("POST", "decision", DECIDE, lambda _r: httpx.Response(422, json={"detail": [
        {"loc": ["body", "strategy_discussion_agencies"], "type": "value_error",
         "msg": "Value error, a strategy discussion needs health to take part"},
        {"loc": ["body", "receiving_team"], "type": "string_too_long",
         "msg": "String should have at most 200 characters", "ctx": {"max_length": 200}},
        {"loc": ["body", "level_of_need"], "type": "value_error",
         "msg": "the level of need must be between 1 and 4"},
    ]}))
    console = signed_in("mgr.jones")
    token = open_form(console, csrf)
    page = console.post(URL, data={
        "csrf_token": token, "outcome": "social_care_s47",
        "receiving_team-social_care_s47": "CP team",
        "strategy_discussion_agencies": ["police", "childrens-social-care"],
        "level_of_need": "7", "rationale": "Injury unexplained; strategy discussion held",
    })
    assert page.status_code == 422
    html = page.text
    assert "<title>Error: Make the decision" in html
    assert error_for(html, "strategy_discussion_agencies") == (
        "A strategy discussion needs health to take part")
    assert error_for(html, "receiving_team-social_care_s47") == "Enter 200 characters or fewer"
    assert error_for(html, "level_of_need") == "The level of need must be between 1 and 4"
    summary = html.split('data-testid="error-summary"')[1].split("</ul>")[0]
    assert summary.index('href="#receiving_team-social_care_s47"') < summary.index(
        'href="#strategy_discussion_agencies"') < summary.index('href="#level_of_need"')
    # What was typed is still there.
    assert 'value="social_care_s47" checked' in html
    assert 'value="CP team"' in html and 'value="7"' in html
    assert re.search(r'value="police"\s+checked', html)
    assert not re.search(r'value="health"\s+checked', html)
    assert "Injury unexplained; strategy discussion held</textarea>" in html


def test_what_an_outcome_needs_is_asked_before_anything_is_sent(
    signed_in: Callable[[str], TestClient], csrf: Callable[[str], str], fakes: Any
) -> None:
    console = signed_in("mgr.jones")
    token = open_form(console, csrf)
    page = console.post(URL, data={"csrf_token": token})
    assert page.status_code == 422
    assert error_for(page.text, "outcome") == "Choose what happens next"
    assert error_for(page.text, "level_of_need") == "Enter the level of need"
    assert error_for(page.text, "rationale") == "Enter the rationale for the decision"
    page = console.post(URL, data={"csrf_token": token, "outcome": "social_care_s47",
                                   "level_of_need": "three", "rationale": "Because",
                                   "strategy_discussion_at-day": "31",
                                   "strategy_discussion_at-month": "2",
                                   "strategy_discussion_at-year": "2026"})
    assert error_for(page.text, "receiving_team-social_care_s47") == "Enter the receiving team"
    assert error_for(page.text, "strategy_discussion_agencies").startswith("Select the agencies")
    assert error_for(page.text, "strategy_discussion_at") == (
        "The date of the strategy discussion must be a real date")
    assert 'href="#strategy_discussion_at-day"' in page.text
    assert error_for(page.text, "level_of_need").startswith("Level of need must be a whole")
    page = console.post(URL, data={"csrf_token": token, "outcome": "signpost",
                                   "level_of_need": "1", "rationale": "Because"})
    assert error_for(page.text, "signpost_service") == (
        "Enter the service the family is signposted to")
    assert posted(fakes) == []


def test_a_refusal_or_the_service_down_is_said_at_the_top_and_nothing_is_lost(
    signed_in: Callable[[str], TestClient], csrf: Callable[[str], str], fakes: Any
) -> None:
    console = signed_in("mgr.jones")
    token = open_form(console, csrf)
    form = {"csrf_token": token, "outcome": "nfa", "level_of_need": "1",
            "rationale": "No concerns found on checks"}
    fakes.on("POST", "decision", DECIDE, lambda _r: httpx.Response(409, json={
        "detail": "the picture is not ready for decision: waiting for health"}))
    refused = console.post(URL, data=form)
    assert refused.status_code == 409
    assert "The picture is not ready for decision: waiting for health" in refused.text
    assert "No concerns found on checks</textarea>" in refused.text

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    fakes.on("POST", "decision", DECIDE, down)
    failed = console.post(URL, data=form)
    assert failed.status_code == 502
    assert "the decision service could not be reached" in failed.text
    assert 'value="nfa" checked' in failed.text


def test_a_picture_not_ready_or_unreadable_shows_no_form(
    signed_in: Callable[[str], TestClient], fakes: Any
) -> None:
    console = signed_in("mgr.jones")
    fakes.on("GET", "decision", rf"/v1/pictures/{CID}", picture("gathering"))
    waiting = console.get(URL)
    assert waiting.status_code == 200
    assert 'data-testid="not-ready"' in waiting.text
    assert 'data-testid="decision-form"' not in waiting.text

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    fakes.on("GET", "decision", rf"/v1/pictures/{CID}", down)
    broken = console.get(URL)
    assert broken.status_code == 502
    assert "The decision (the picture) service could not be reached." in broken.text
    assert 'data-testid="decision-form"' not in broken.text


def test_changing_a_decision_names_the_one_it_replaces(
    signed_in: Callable[[str], TestClient], csrf: Callable[[str], str], fakes: Any
) -> None:
    fakes.on("GET", "decision", rf"/v1/pictures/{CID}", picture(
        "decided", {"decision_id": "d-0", "outcome": "nfa", "level_of_need": 1}))
    console = signed_in("mgr.jones")
    page = console.get(URL)
    assert "<title>Change the decision" in page.text
    assert 'name="supersedes" value="d-0"' in page.text
    console.post(URL, data={"csrf_token": csrf(page.text), "supersedes": "d-0",
                            "outcome": "social_care_s17",
                            "receiving_team-social_care_s17": "Assessment 2",
                            "level_of_need": "3", "rationale": "Police log changes it"},
                 follow_redirects=False)
    assert posted(fakes)[0]["supersedes"] == "d-0"
    assert posted(fakes)[0]["receiving_team"] == "Assessment 2"


def test_a_draft_kept_across_a_timeout_comes_back(
    signed_in: Callable[[str], TestClient], fakes: Any
) -> None:
    console = signed_in("mgr.jones")
    store = console.app.state.store  # type: ignore[attr-defined]
    draft = console.portal.call(  # type: ignore[union-attr]
        store.save_draft, "mgr.jones", URL,
        {"outcome": "signpost", "signpost_service": "Citizens Advice", "level_of_need": "1",
         "rationale": "Half written"}, datetime.now(UTC))
    page = console.get(f"{URL}?draft={draft}")
    assert page.status_code == 200
    assert 'data-testid="draft-restored"' in page.text
    assert 'value="signpost" checked' in page.text and 'value="Citizens Advice"' in page.text
    assert "Half written</textarea>" in page.text
