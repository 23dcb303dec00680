"""An agency practitioner's pages: their agency's open requests and the answer form."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from mash_console.config import ConsoleSettings

FakeServices = Any  # the conftest's fake of the services

REQUESTS = r"/v1/agencies/police/requests"
ANSWER = r"/v1/agencies/police/requests/req-red/response"
ONE = r"/v1/agencies/police/requests/[^/]+"
OTHER_ROLES = ("dm.patel", "mgr.jones", "auditor.ng", "admin.silva")


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat().replace("+00:00", "Z")


def _request(request_id: str, reference: str, rating: str, left: timedelta,
             **over: Any) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "contact_id": f"contact-{request_id}",
        "reference": reference,
        "agency": "police",
        "rating": rating,
        "requested_at": _iso(timedelta(hours=-2)),
        "respond_by": _iso(left),
        "seconds_left": left.total_seconds(),
        "overdue": left.total_seconds() < 0,
        "reminded_at": None,
        "subject_details": {
            "child": {"first_name": "Ava", "last_name": "Brook", "date_of_birth": "2017-05-01",
                      "address": "1 Oak Road, Milton Keynes", "postcode": "MK9 1AA"},
            "household": [{"name": "Kim Brook", "relationship": "mother",
                           "date_of_birth": "1990-02-03"}],
        },
        **over,
    }


RED = _request("req-red", "MASH-2026-000123", "red", timedelta(minutes=-20))
GREEN = _request("req-green", "MASH-2026-000124", "green", timedelta(hours=30),
                 subject_details={"child": {"first_name": "Ben", "last_name": "Stone"}},
                 reminded_at=_iso(timedelta(hours=-1)))


@pytest.fixture
def police(services: FakeServices, signed_in: Callable[[str], TestClient]) -> TestClient:
    # The gateway answers most urgent first; the console keeps that order whatever it gets.
    services.on("GET", "agency-gateway", REQUESTS, {"agency": "police",
                                                    "requests": [GREEN, RED]})
    services.on("GET", "agency-gateway", ONE, _one_of([GREEN, RED]))
    return signed_in("police.khan")


def _one_of(items: list[dict[str, Any]]) -> Callable[[httpx.Request], httpx.Response]:
    """The gateway's `GET /v1/agencies/police/requests/{id}` over these open requests."""
    def one(request: httpx.Request) -> httpx.Response:
        wanted = request.url.path.rsplit("/", 1)[-1]
        for item in items:
            if item["request_id"] == wanted:
                return httpx.Response(200, json={**item, "status": "open",
                                                 "answered_at": None, "late": None})
        return httpx.Response(404, json={"detail": f"no request {wanted} for police"})
    return one


def _gateway_calls(services: FakeServices) -> list[dict[str, Any]]:
    return [c for c in services.calls if c["service"] == "agency-gateway"]


def _answered(services: FakeServices) -> dict[str, Any]:
    posted = [c for c in services.calls if c["method"] == "POST"]
    assert len(posted) == 1, posted
    return posted[0]


# --- the list -----------------------------------------------------------------------------

def test_a_practitioner_sees_their_agencys_open_requests_most_urgent_first(
    police: TestClient, services: FakeServices
) -> None:
    page = police.get("/agency/requests")
    assert page.status_code == 200
    html = page.text
    assert "<h1 class=\"govuk-heading-l\">Police's open requests</h1>" in html
    assert html.index("MASH-2026-000123") < html.index("MASH-2026-000124")  # overdue red first
    assert "govuk-tag--red" in html and "govuk-tag--green" in html
    assert f'data-deadline="{RED["respond_by"]}"' in html
    assert "Overdue by 20 min" in html or "Overdue by 19 min" in html
    assert "Reminder sent" in html
    assert "Ava" in html and "1 May 2017" in html
    assert "1 Oak Road" not in html  # the address is for the request's own page
    assert 'href="/agency/requests/req-red"' in html
    assert "Is the child or their family known to your agency?" in html
    assert 'data-refresh-url="/agency/requests/list"' in html
    assert 'data-refresh-s="60"' in html  # each read is audited: not every 5 seconds


def test_a_police_practitioner_asks_only_for_polices_requests_with_a_token_naming_police(
    police: TestClient, services: FakeServices
) -> None:
    police.get("/agency/requests")
    police.get("/agency/requests/list")
    police.get("/agency/requests/req-red")
    calls = _gateway_calls(services)
    assert len(calls) == 3
    for call in calls:
        assert call["path"].startswith("/v1/agencies/police/")
        assert call["caller"].agency == "police"
        assert call["caller"].role == "agency-practitioner"
        assert call["caller"].user == "police.khan"
    assert all(c["service"] == "agency-gateway" for c in services.calls)


def test_a_health_practitioner_sees_healths_requests(
    services: FakeServices, signed_in: Callable[[str], TestClient]
) -> None:
    services.on("GET", "agency-gateway", r"/v1/agencies/health/requests",
                {"agency": "health", "requests": []})
    page = signed_in("health.obi").get("/agency/requests")
    assert page.status_code == 200
    assert "Health has no open requests" in page.text
    [call] = _gateway_calls(services)
    assert call["path"] == "/v1/agencies/health/requests"
    assert call["caller"].agency == "health"


def test_the_list_refreshes_as_a_fragment(police: TestClient) -> None:
    fragment = police.get("/agency/requests/list")
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert 'data-testid="agency-requests"' in fragment.text
    assert fragment.headers["cache-control"] == "no-store"


def test_the_list_says_when_the_gateway_cannot_be_reached(
    services: FakeServices, signed_in: Callable[[str], TestClient]
) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    services.on("GET", "agency-gateway", REQUESTS, down)
    page = signed_in("police.khan").get("/agency/requests")
    assert page.status_code == 200
    assert "could not be reached" in page.text


@pytest.mark.parametrize("username", OTHER_ROLES)
def test_every_other_role_is_refused_the_agency_pages(
    services: FakeServices, signed_in: Callable[[str], TestClient], csrf: Any, username: str
) -> None:
    console = signed_in(username)
    token = csrf(console.get("/status").text)
    for path in ("/agency/requests", "/agency/requests/list", "/agency/requests/req-red"):
        response = console.get(path)
        assert response.status_code == 403, path
        assert "You cannot use this page" in response.text
    response = console.post("/agency/requests/req-red",
                            data={"csrf_token": token, "known_to_agency": "no",
                                  "summary": "Nothing"})
    assert response.status_code == 403
    assert [c for c in _gateway_calls(services) if c["path"] != "/readyz"] == []


# --- the answer form ----------------------------------------------------------------------

def test_the_answer_page_shows_the_need_to_know_details_and_the_questions(
    police: TestClient, services: FakeServices
) -> None:
    page = police.get("/agency/requests/req-red")
    assert page.status_code == 200
    # Only this request is read (so only this child's read is audited), not the whole list.
    assert [c["path"] for c in _gateway_calls(services)] == [
        "/v1/agencies/police/requests/req-red"]
    html = page.text
    assert "Answer request MASH-2026-000123" in html
    assert "1 Oak Road, Milton Keynes" in html and "MK9 1AA" in html
    assert "Household member 1: mother" in html and "Kim Brook" in html
    assert "3 February 1990" in html
    assert "Which dates matter" in html
    assert 'method="post" action="/agency/requests/req-red"' in html
    assert 'name="csrf_token"' in html
    assert 'value="DC Imran Khan"' in html  # the practitioner's name, pre-filled
    for label in ("Is the child or their family known to Police?", "What does Police know?",
                  "Relevant date 1", "Link to document 1"):
        assert label in html


def test_a_request_that_is_not_open_says_so(police: TestClient) -> None:
    page = police.get("/agency/requests/req-gone")
    assert page.status_code == 404
    assert "This request is not open" in page.text
    assert "It may have been answered already" in page.text


def test_a_request_already_answered_says_when_and_shows_no_form(
    police: TestClient, services: FakeServices
) -> None:
    services.on("GET", "agency-gateway", ONE, {
        **RED, "status": "answered", "answered_at": "2026-03-02T10:15:00Z", "late": True,
        "seconds_left": None, "subject_details": None})
    page = police.get("/agency/requests/req-red")
    assert page.status_code == 200
    assert "This request is not open" in page.text
    text = " ".join(page.text.split())
    assert "Police answered request MASH-2026-000123 " in text
    assert ", after its deadline. The first answer stands" in text
    assert 'name="summary"' not in page.text and "Kim Brook" not in page.text


def test_an_answer_is_posted_as_the_gateways_answer_body(
    police: TestClient, services: FakeServices, csrf: Any
) -> None:
    services.on("POST", "agency-gateway", ANSWER, lambda _r: httpx.Response(
        202, json={"request_id": "req-red", "status": "answered", "late": False,
                   "answered_at": _iso(timedelta())}))
    token = csrf(police.get("/agency/requests/req-red").text)
    response = police.post("/agency/requests/req-red", follow_redirects=False, data={
        "csrf_token": token, "reference": "MASH-2026-000123",
        "known_to_agency": "yes",
        "summary": "  Two domestic incidents attended in 2026. ",
        "involvement_summary": "Attended the home twice.",
        "risk_information": "",
        "dates-0-day": "", "dates-0-month": "", "dates-0-year": "", "dates-0-what": "",
        "dates-1-day": "14", "dates-1-month": "3", "dates-1-year": "2026",
        "dates-1-what": "Domestic incident attended",
        "practitioner_name": "DC Imran Khan", "practitioner_team": "Police MASH desk",
        "practitioner_email": "imran.khan@police.example",
        "attachment-0-uri": "https://police.example/docs/INC-1", "attachment-0-title": "Log",
    })
    assert response.status_code == 303
    assert response.headers["location"] == "/agency/requests?answered=MASH-2026-000123"
    call = _answered(services)
    assert call["path"] == "/v1/agencies/police/requests/req-red/response"
    assert call["caller"].agency == "police"
    assert call["json"] == {
        "known_to_agency": True,
        "summary": "Two domestic incidents attended in 2026.",
        "involvement_summary": "Attended the home twice.",
        "relevant_dates": [{"date": "2026-03-14", "what": "Domestic incident attended"}],
        "responding_practitioner": {"name": "DC Imran Khan", "team": "Police MASH desk",
                                    "email": "imran.khan@police.example"},
        "attachments": [{"uri": "https://police.example/docs/INC-1", "title": "Log"}],
    }
    banner = police.get(response.headers["location"])
    assert "Your answer to MASH-2026-000123 has been sent to the MASH." in banner.text
    assert "marked late" not in banner.text


def test_nothing_known_goes_with_not_known(
    police: TestClient, services: FakeServices, csrf: Any
) -> None:
    services.on("POST", "agency-gateway", ANSWER, lambda _r: httpx.Response(
        202, json={"status": "answered", "late": True}))
    token = csrf(police.get("/agency/requests/req-red").text)
    response = police.post("/agency/requests/req-red", data={
        "csrf_token": token, "reference": "MASH-2026-000123", "known_to_agency": "no",
        "nothing_known": "yes", "summary": "Nothing known.", "practitioner_name": ""})
    assert response.status_code == 200  # followed to the list
    assert _answered(services)["json"] == {"known_to_agency": False, "nothing_known": True,
                                           "summary": "Nothing known."}
    assert "It arrived after your deadline, so it is marked late." in response.text


def test_a_form_missing_its_answers_is_shown_again_with_errors_and_not_sent(
    police: TestClient, services: FakeServices, csrf: Any
) -> None:
    token = csrf(police.get("/agency/requests/req-red").text)
    response = police.post("/agency/requests/req-red", data={
        "csrf_token": token, "reference": "MASH-2026-000123", "summary": "",
        "nothing_known": "yes",
        "dates-0-day": "31", "dates-0-month": "2", "dates-0-year": "2026",
        "practitioner_name": "", "practitioner_team": "MASH desk",
        "risk_information": "Kept as written"})
    assert response.status_code == 400
    html = response.text
    assert "<title>Error: Answer request MASH-2026-000123" in html
    assert "govuk-error-summary" in html
    summary = html[html.index("govuk-error-summary__list"):]
    hrefs = re.findall(r'<a href="#([^"]+)"', summary)
    assert hrefs[:5] == ["known_to_agency", "summary", "dates-0-day", "dates-0-what",
                         "practitioner_name"]
    assert 'id="nothing_known" name="nothing_known" type="checkbox" value="yes" checked' in html
    assert "Select whether the child or their family is known to Police" in html
    assert "Relevant date 1 must be a real date" in html
    assert "Enter the practitioner&#39;s name" in html
    assert 'id="summary-error"' in html
    assert "Kept as written" in html
    assert not [c for c in services.calls if c["method"] == "POST"]


def test_known_and_nothing_known_together_is_refused_on_the_form(
    police: TestClient, services: FakeServices, csrf: Any
) -> None:
    token = csrf(police.get("/agency/requests/req-red").text)
    response = police.post("/agency/requests/req-red", data={
        "csrf_token": token, "known_to_agency": "yes", "nothing_known": "yes",
        "summary": "Known, and nothing known"})
    assert response.status_code == 400
    assert '<a href="#nothing_known">You said the child or family is known to Police' \
        in response.text
    assert not [c for c in services.calls if c["method"] == "POST"]


def test_the_gateways_422_is_put_onto_the_forms_fields(
    police: TestClient, services: FakeServices, csrf: Any
) -> None:
    services.on("POST", "agency-gateway", ANSWER, lambda _r: httpx.Response(422, json={
        "detail": [
            {"loc": ["body", "relevant_dates", 0, "what"], "type": "string_too_long",
             "msg": "String should have at most 500 characters"},
            {"loc": ["body", "responding_practitioner", "phone"], "type": "string_too_long",
             "msg": "String should have at most 40 characters"},
        ]}))
    token = csrf(police.get("/agency/requests/req-red").text)
    response = police.post("/agency/requests/req-red", data={
        "csrf_token": token, "reference": "MASH-2026-000123", "known_to_agency": "yes",
        "summary": "Known.",
        # the second row is the body's first date: its error goes back to the second row
        "dates-2-day": "1", "dates-2-month": "2", "dates-2-year": "2026",
        "dates-2-what": "Arrest",
        "practitioner_name": "DC Imran Khan", "practitioner_phone": "01234 567890"})
    assert response.status_code == 400
    html = response.text
    assert '<a href="#dates-2-what">What happened on relevant date 3: string should have at ' \
           "most 500 characters</a>" in html
    assert 'href="#practitioner_phone"' in html
    assert 'id="dates-2-what-error"' in html and 'id="practitioner_phone-error"' in html
    assert 'value="Arrest"' in html


def test_an_answer_to_a_request_already_answered_is_shown_clearly(
    police: TestClient, services: FakeServices, csrf: Any
) -> None:
    services.on("POST", "agency-gateway", ANSWER, {
        "request_id": "req-red", "status": "already_answered",
        "answered_at": "2026-11-02T10:00:00Z", "channel": "kafka"})
    token = csrf(police.get("/agency/requests/req-red").text)
    response = police.post("/agency/requests/req-red", data={
        "csrf_token": token, "reference": "MASH-2026-000123", "known_to_agency": "no",
        "summary": "A second answer"})
    assert response.status_code == 409
    assert "Your answer was not recorded" in response.text
    assert "already been answered on 2 Nov 2026, 10:00 UTC by the agency" in response.text
    assert "A second answer" in response.text  # not lost: still in the form


def test_a_refusal_with_a_reason_is_shown(
    police: TestClient, services: FakeServices, csrf: Any
) -> None:
    services.on("POST", "agency-gateway", ANSWER, lambda _r: httpx.Response(
        409, json={"detail": "request req-red was answered at 10:00 over kafka"}))
    token = csrf(police.get("/agency/requests/req-red").text)
    response = police.post("/agency/requests/req-red", data={
        "csrf_token": token, "known_to_agency": "no", "summary": "Late one"})
    assert response.status_code == 409
    assert "request req-red was answered at 10:00 over kafka" in response.text


def test_an_answer_the_gateway_could_not_take_is_kept(
    police: TestClient, services: FakeServices, csrf: Any
) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    services.on("POST", "agency-gateway", ANSWER, down)
    token = csrf(police.get("/agency/requests/req-red").text)
    response = police.post("/agency/requests/req-red", data={
        "csrf_token": token, "known_to_agency": "no", "summary": "Please keep me"})
    assert response.status_code == 502
    assert "Your answer has not been sent" in response.text
    assert "Please keep me" in response.text


def _age_sessions(settings: ConsoleSettings, minutes: int) -> None:
    with sqlite3.connect(settings.data_dir / "console.db") as db:
        db.execute(
            "UPDATE staff_sessions SET last_seen_at = datetime(last_seen_at, ?), "
            "created_at = datetime(created_at, ?)", (f"-{minutes} minutes", f"-{minutes} minutes")
        )


def test_an_answer_written_as_the_session_timed_out_comes_back(
    police: TestClient, services: FakeServices, csrf: Any, console_settings: ConsoleSettings
) -> None:
    token = csrf(police.get("/agency/requests/req-red").text)
    _age_sessions(console_settings, console_settings.session_idle_minutes + 5)
    response = police.post("/agency/requests/req-red", follow_redirects=False, data={
        "csrf_token": token, "known_to_agency": "yes", "summary": "Half-written answer",
        "dates-0-what": "Incident"})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/sign-in?next=%2Fagency%2Frequests%2Freq-red&draft=")
    draft = location.split("draft=")[1].split("&")[0]
    sign_in = police.get(location)
    signed = police.post("/sign-in", follow_redirects=False, data={
        "username": "police.khan", "password": "mash-demo-password",
        "csrf_token": csrf(sign_in.text), "next": "/agency/requests/req-red", "draft": draft})
    assert signed.headers["location"] == f"/agency/requests/req-red?draft={draft}"
    restored = police.get(signed.headers["location"])
    assert restored.status_code == 200
    assert "Half-written answer" in restored.text
    assert 'value="Incident"' in restored.text
    assert re.search(r'value="yes"\s+checked', restored.text)
    assert "It has been kept" in restored.text
    assert not [c for c in services.calls if c["method"] == "POST"]


def test_the_practitioners_json_is_never_sent_for_another_agency(
    police: TestClient, services: FakeServices
) -> None:
    # The request id comes from the path; the agency only ever from the signed-in member.
    police.get("/agency/requests/req-red?agency=health")
    assert all("/agencies/police/" in c["path"] for c in _gateway_calls(services))
    assert json.dumps([c["params"] for c in _gateway_calls(services)]).count("health") == 0
