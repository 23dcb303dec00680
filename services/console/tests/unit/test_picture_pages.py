"""A contact's picture as a timeline, and its feedback page, over fakes of the services."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

CID = "0b9c2f52-6a3e-4c1e-9d55-0f1e2d3c4b5a"
REF = "MASH-2026-000042"
PICTURE = rf"/v1/pictures/{CID}"
TRIAGE = rf"/v1/contacts/{CID}"
REQUESTS = rf"/v1/contacts/{CID}/requests"
FEEDBACK = rf"/v1/feedback/{CID}"
HANDOVER = rf"/v1/handover/{CID}"


def event(kind: str, time: str, **data: Any) -> dict[str, Any]:
    return {"event_id": f"e-{kind}-{time}", "type": f"uk.mash.{kind}.v1", "topic": "t",
            "time": time, "data": {"contact_id": CID, **data}}


def picture(status: str = "ready", decided: bool = False) -> dict[str, Any]:
    """As decision's GET /v1/pictures/{id} returns it (the timeline deliberately shuffled:
    the page orders it by time)."""
    timeline = [
        event("deadline.breached", "2026-03-02T17:01:00Z", rating="amber",
              deadline="2026-03-02T17:00:00Z", breached_at="2026-03-02T17:01:00Z"),
        event("contact.received", "2026-03-02T09:00:00Z", reference=REF, channel="web",
              contact_type="concern", contact_source="2A", referrer_kind="professional",
              referrer_agency="Oak Primary", immediate_risk=False, child_age_years=8,
              personal={"sealed": True}),
        event("threshold.decided", "2026-03-02T09:05:00Z", outcome="mash", level_of_need=3,
              decided_by="dm.patel", rationale={"rationale": "Neglect indicators"}),
        event("rag.rated", "2026-03-02T09:06:00Z", rating="green", rated_by="mgr.jones",
              deadline="2026-03-05T09:06:00Z", rationale={"rationale": "Not urgent"}),
        event("information.requested", "2026-03-02T09:10:00Z", reference=REF, rating="green",
              agencies=["police", "health"], respond_by="2026-03-02T15:00:00Z",
              requested_by="mgr.jones"),
        event("information.provided", "2026-03-02T09:40:00Z", agency="police",
              request_id="r-police", known_to_agency=True, late=False,
              summary={"summary": "Domestic abuse call-out last month",
                       "risk_information": "Partner has a violent history"}),
        event("agency.escalated", "2026-03-02T15:01:00Z", agency="health",
              request_id="r-health", rating="amber", respond_by="2026-03-02T15:00:00Z"),
        event("rag.rated", "2026-03-02T11:00:00Z", rating="amber", previous_rating="green",
              rated_by="mgr.jones", deadline="2026-03-02T17:00:00Z",
              rationale={"rationale": "Police answer raises concern"}),
        event("information.deadlines.changed", "2026-03-02T11:00:00Z", reference=REF,
              rating="amber", previous_rating="green", respond_by="2026-03-02T17:00:00Z",
              agency_respond_by={"police": "2026-03-02T15:00:00Z",
                                 "health": "2026-03-02T15:00:00Z"},
              changed_by="mgr.jones", changed_at="2026-03-02T11:00:00Z"),
        event("picture.completed", "2026-03-02T15:02:00Z", reason="deadline_passed",
              answered=["police"], silent=["health"]),
    ]
    decision = None
    if decided:
        timeline.append(event("decision.made", "2026-03-02T18:00:00Z", decision_id="d-1",
                              outcome="early_help", level_of_need=2,
                              receiving_team="Early Help East", decided_by="mgr.jones",
                              rationale={"rationale": "Support with routines"}))
        timeline.append(event("feedback.sent", "2026-03-02T18:00:05Z", decision_id="d-1",
                              audience="referrer", channel="email", status="sent"))
        decision = {"decision_id": "d-1", "outcome": "early_help", "level_of_need": 2,
                    "receiving_team": "Early Help East", "decided_by": "mgr.jones"}
    return {
        "contact_id": CID, "reference": REF, "status": "decided" if decided else status,
        "received_at": "2026-03-02T09:00:00Z", "immediate_risk": False,
        "threshold": {"outcome": "mash", "level_of_need": 3},
        "rating": "amber", "deadline": "2026-03-02T17:00:00Z",
        "respond_by": "2026-03-02T15:00:00Z", "time_left_seconds": -3600,
        "agencies": [
            {"agency": "health", "requested": True, "respond_by": "2026-03-02T15:00:00Z",
             "answered": False, "known_to_agency": None, "late": None, "received_at": None,
             "answer": None},
            {"agency": "police", "requested": True, "respond_by": "2026-03-02T15:00:00Z",
             "answered": True, "known_to_agency": True, "late": False,
             "received_at": "2026-03-02T09:40:00Z",
             "answer": {"summary": "Domestic abuse call-out last month"}},
        ],
        "breaches": ["2026-03-02T17:01:00Z"],
        "rag_history": [], "feedback": [], "other_events": [],
        "repeat_contacts": {"contacts_in_12_months": 2, "earlier": []},
        "escalations": [{"agency": "health", "respond_by": "2026-03-02T15:00:00Z",
                         "at": "2026-03-02T15:01:00Z"}],
        "completion": {"reason": "deadline_passed", "answered": ["police"],
                       "silent": ["health"], "completed_at": "2026-03-02T15:02:00Z"},
        "decision": decision, "decisions": [decision] if decision else [],
        "timeline": timeline,
    }


def triage(status: str = "rated") -> dict[str, Any]:
    return {
        "contact_id": CID, "reference": REF, "received_at": "2026-03-02T09:00:00Z",
        "status": status, "immediate_risk": False, "child_age_years": 8,
        "child": {"first_name": "Ava", "last_name": "Brook", "date_of_birth": "2017-05-01",
                  "address": "1 Secret Lane"},
        "concern": {"summary": "Came to school hungry three days running"},
        "threshold_decision": {"outcome": "mash", "level_of_need": 3},
        "rating": "amber", "deadline": "2026-03-02T17:00:00Z",
        "history": [
            {"at": "2026-03-02T09:00:00Z", "action": "contact received"},
            {"at": "2026-03-02T09:05:00Z", "action": "threshold decided", "by": "dm.patel",
             "outcome": "mash", "level_of_need": 3, "rationale": "Neglect indicators"},
            {"at": "2026-03-02T09:06:00Z", "action": "rated", "by": "mgr.jones",
             "rating": "amber", "previous_rating": None, "deadline": "2026-03-02T17:00:00Z",
             "rationale": "Same-day picture"},
        ],
    }


REQUESTS_BODY = {"contact_id": CID, "requests": [
    {"request_id": "r-police", "agency": "police", "status": "answered", "rating": "amber",
     "requested_at": "2026-03-02T09:10:00Z", "respond_by": "2026-03-02T13:00:00Z",
     "answered_at": "2026-03-02T09:40:00Z", "late": False, "known_to_agency": True,
     "seconds_left": None, "reminded_at": None, "escalated_at": None},
    {"request_id": "r-health", "agency": "health", "status": "open", "rating": "amber",
     "requested_at": "2026-03-02T09:10:00Z", "respond_by": "2026-03-02T15:00:00Z",
     "answered_at": None, "late": None, "known_to_agency": None, "seconds_left": -120,
     "reminded_at": "2026-03-02T13:30:00Z", "escalated_at": "2026-03-02T15:01:00Z"},
]}


def feedback_body(delivery: dict[str, Any] | None = None) -> dict[str, Any]:
    deliveries = [delivery] if delivery else []
    return {
        "contact_id": CID, "reference": REF, "referrer_kind": "professional",
        "status": "recorded",
        "decisions": [{
            "decision_id": "d-1", "outcome": "early_help", "receiving_team": "Early Help East",
            "decided_at": "2026-03-02T18:00:00Z", "supersedes": None,
            "feedback": [
                {"audience": "referrer", "referrer_kind": "professional", "channel": "email",
                 "status": "recorded", "sent_at": "2026-03-02T18:00:01Z",
                 "message": {"subject": f"Outcome of your contact {REF}",
                             "body": "Dear Jo Class,\n\nThank you for your contact about Ava "
                                     "Brook.", "to": "jo@oak.example"},
                 "deliveries": deliveries},
                {"audience": "receiving_team", "referrer_kind": None, "channel": "kafka",
                 "status": "sent", "sent_at": "2026-03-02T18:00:01Z",
                 "message": {"subject": "MASH handover", "body": "Child: Ava Brook, born "
                             "2017-05-01, 1 Secret Lane.", "to": "Early Help East"},
                 "deliveries": []},
            ],
        }],
    }


HANDOVER_BODY = [{"decision_id": "d-1", "receiving_team": "Early Help East",
                  "outcome": "early_help", "supersedes": None,
                  "prepared_at": "2026-03-02T18:00:01Z", "channel": "kafka", "status": "sent",
                  "summary": {"subject": "MASH handover",
                              "body": "Child: Ava Brook, born 2017-05-01, 1 Secret Lane."}}]


def down(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def not_found(detail: Any) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _r: httpx.Response(404, json={"detail": detail})


def all_up(services: Any, *, pic: dict[str, Any] | None = None,
           tri: dict[str, Any] | None = None) -> None:
    services.on("GET", "decision", PICTURE, pic or picture())
    services.on("GET", "triage", TRIAGE, tri or triage())
    services.on("GET", "agency-gateway", REQUESTS, REQUESTS_BODY)
    services.on("GET", "feedback", FEEDBACK,
                not_found({"message": "no feedback", "status": "awaiting_decision"}))


def marks(html: str, prefix: str) -> list[str]:
    return re.findall(rf'data-testid="({prefix}[^"]*)"', html)


# --- the picture ---------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["dm.patel", "mgr.jones", "auditor.ng"])
def test_the_picture_shows_to_each_role_that_may_read_it(
    user: str, signed_in: Callable[[str], TestClient], services: Any
) -> None:
    all_up(services)
    page = signed_in(user).get(f"/contacts/{CID}")
    assert page.status_code == 200, page.text
    assert f"Contact {REF}" in page.text and "<title>Contact " + REF in page.text
    assert 'data-testid="timeline"' in page.text
    assert "Ava Brook" in page.text and "8 years" in page.text
    assert "1 Secret Lane" not in page.text and "2017-05-01" not in page.text  # no more than needed
    called = {(c["service"], c["path"]) for c in services.calls}
    assert {("decision", f"/v1/pictures/{CID}"), ("triage", f"/v1/contacts/{CID}"),
            ("agency-gateway", f"/v1/contacts/{CID}/requests"),
            ("feedback", f"/v1/feedback/{CID}")} <= called
    assert all(c["caller"].user == user for c in services.calls if c["path"] != "/readyz")


@pytest.mark.parametrize("user", ["police.khan", "admin.silva"])
def test_the_picture_is_refused_to_roles_that_may_not_read_it(
    user: str, signed_in: Callable[[str], TestClient], services: Any
) -> None:
    all_up(services)
    page = signed_in(user).get(f"/contacts/{CID}")
    assert page.status_code == 403
    assert [c for c in services.calls if c["path"] != "/readyz"] == []


def test_the_timeline_runs_oldest_first_with_every_kind_of_step(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    all_up(services, pic=picture(decided=True), tri=triage("decided"))
    html = signed_in("mgr.jones").get(f"/contacts/{CID}").text
    steps = [t for t in marks(html, "timeline-") if t != "timeline-empty"]
    assert steps == [
        "timeline-contact-received", "timeline-threshold", "timeline-rated",
        "timeline-information-requested", "timeline-answer", "timeline-re-rated",
        "timeline-deadlines-moved", "timeline-reminder", "timeline-escalated",
        "timeline-ready", "timeline-breached", "timeline-decision", "timeline-feedback",
    ]
    times = re.findall(r'<time datetime="([^"]+)"', html)
    assert times == sorted(times)
    assert "Re-rated from Green to Amber" in html
    assert "Agencies&#39; deadlines moved with the re-rating to Amber" in html
    assert "Domestic abuse call-out last month" in html  # what the police said
    assert "Partner has a violent history" in html  # and what else they shared
    assert "Reminder sent to Health" in html
    assert "Health did not answer in time" in html
    assert "Neglect indicators" in html and "Support with routines" in html


def test_the_requests_show_each_agencys_answer_or_time_left(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    all_up(services, pic=picture("gathering"))
    html = signed_in("dm.patel").get(f"/contacts/{CID}").text
    health = html.split('data-testid="request-health"')[1].split("</tr>")[0]
    police = html.split('data-testid="request-police"')[1].split("</tr>")[0]
    assert 'data-deadline="2026-03-02T15:00:00Z"' in health and "Overdue by 2 min" in health
    assert "Escalated" in health and "Reminded" in health
    assert "Answered" in police and "data-deadline" not in police
    # Once the picture went ahead without it, a silent agency has no clock left.
    services.on("GET", "decision", PICTURE, picture("ready"))
    html = signed_in("dm.patel").get(f"/contacts/{CID}").text
    health = html.split('data-testid="request-health"')[1].split("</tr>")[0]
    assert "Not answered" in health and "data-deadline" not in health


def test_the_actions_follow_the_role_and_where_the_contact_stands(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    all_up(services)
    manager = signed_in("mgr.jones").get(f"/contacts/{CID}").text
    assert marks(manager, "action-") == ["action-rate", "action-decide"]
    assert f'href="/contacts/{CID}/decision"' in manager and "Make the decision" in manager
    assert marks(signed_in("dm.patel").get(f"/contacts/{CID}").text, "action-") == []
    auditor = signed_in("auditor.ng").get(f"/contacts/{CID}").text
    assert 'data-testid="actions"' not in auditor

    services.on("GET", "triage", TRIAGE, triage("awaiting_threshold"))
    services.on("GET", "decision", PICTURE, {**picture(), "status": "open", "timeline": []})
    screening = signed_in("dm.patel").get(f"/contacts/{CID}").text
    assert marks(screening, "action-") == ["action-screen"]
    assert f'href="/contacts/{CID}/screening"' in screening
    services.on("GET", "triage", TRIAGE, triage("awaiting_rating"))
    rating = signed_in("mgr.jones").get(f"/contacts/{CID}").text
    assert marks(rating, "action-") == ["action-rate"]
    assert f'href="/contacts/{CID}/rating"' in rating

    services.on("GET", "decision", PICTURE, picture(decided=True))
    decided = signed_in("mgr.jones").get(f"/contacts/{CID}").text
    assert marks(decided, "action-") == ["action-change", "action-feedback"]
    assert f'href="/contacts/{CID}/feedback"' in decided


def test_a_service_that_is_down_is_named_and_the_rest_still_shows(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    all_up(services)
    services.on("GET", "decision", PICTURE, down)
    page = signed_in("mgr.jones").get(f"/contacts/{CID}")
    assert page.status_code == 200
    assert "The decision (the picture) service could not be reached." in page.text
    steps = marks(page.text, "timeline-")
    # Triage's own history and the gateway's account stand in for the picture.
    assert steps[:3] == ["timeline-contact-received", "timeline-threshold", "timeline-rated"]
    assert "timeline-answer" in steps and "timeline-reminder" in steps
    assert "Make the decision" not in page.text  # nobody can tell it is ready

    services.on("GET", "triage", TRIAGE, lambda _r: httpx.Response(500, text="boom"))
    services.on("GET", "agency-gateway", REQUESTS, down)
    worse = signed_in("mgr.jones").get(f"/contacts/{CID}")
    assert worse.status_code == 200
    assert len(marks(worse.text, "service-problem")) == 3


def test_an_unknown_contact_is_a_404_page(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    all_up(services)
    services.on("GET", "decision", PICTURE, not_found("no picture"))
    services.on("GET", "triage", TRIAGE, not_found("no contact"))
    page = signed_in("dm.patel").get(f"/contacts/{CID}")
    assert page.status_code == 404 and "Contact not found" in page.text


def test_a_path_that_is_not_a_contact_id_is_not_taken_for_one(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    page = signed_in("dm.patel").get("/contacts/not-a-uuid")
    assert page.status_code == 404
    assert [c for c in services.calls if c["path"] != "/readyz"] == []


# --- feedback ------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["dm.patel", "mgr.jones", "auditor.ng"])
def test_the_feedback_page_shows_to_each_role_that_may_read_it(
    user: str, signed_in: Callable[[str], TestClient], services: Any
) -> None:
    services.on("GET", "feedback", FEEDBACK, feedback_body(
        {"delivery_id": "x", "channel": "email", "status": "sent", "attempts": 1,
         "next_attempt_at": None, "last_error": None, "sent_at": "2026-03-02T18:01:00Z"}))
    services.on("GET", "feedback", HANDOVER, HANDOVER_BODY)
    page = signed_in(user).get(f"/contacts/{CID}/feedback")
    assert page.status_code == 200, page.text
    assert "Email sent" in page.text and "Handed over" in page.text
    assert "Early Help East" in page.text and f"Outcome of your contact {REF}" in page.text


@pytest.mark.parametrize("user", ["police.khan", "health.obi", "admin.silva"])
def test_the_feedback_page_is_refused_to_roles_that_may_not_read_it(
    user: str, signed_in: Callable[[str], TestClient], services: Any
) -> None:
    page = signed_in(user).get(f"/contacts/{CID}/feedback")
    assert page.status_code == 403
    assert [c for c in services.calls if c["path"] != "/readyz"] == []


def test_only_the_manager_reads_the_messages_and_the_handover(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    services.on("GET", "feedback", FEEDBACK, feedback_body())
    services.on("GET", "feedback", HANDOVER, HANDOVER_BODY)
    manager = signed_in("mgr.jones").get(f"/contacts/{CID}/feedback").text
    assert "Dear Jo Class" in manager and "1 Secret Lane" in manager
    assert 'data-testid="handover-summary"' in manager
    for user in ("dm.patel", "auditor.ng"):
        before = len(services.calls)
        other = signed_in(user).get(f"/contacts/{CID}/feedback").text
        assert "Jo Class" not in other and "Ava Brook" not in other
        assert "1 Secret Lane" not in other
        assert "only the MASH\n  manager reads them" in other
        # The handover (an audited read of the child's details) is not even asked for.
        assert not any(c["path"].startswith("/v1/handover") for c in services.calls[before:])


@pytest.mark.parametrize(("delivery", "shown"), [
    ({"channel": "email", "status": "pending", "attempts": 0}, "Email queued"),
    ({"channel": "email", "status": "pending", "attempts": 2, "last_error": "timeout",
      "next_attempt_at": "2026-03-02T18:05:00Z"}, "Retrying"),
    ({"channel": "email", "status": "failed", "attempts": 10, "last_error": "refused"},
     "Email failed"),
    ({"channel": "kafka", "status": "sent", "attempts": 1, "sent_at": "2026-03-02T18:00:01Z"},
     "Sent to the referring agency"),
])
def test_each_delivery_state_is_worded(
    delivery: dict[str, Any], shown: str, signed_in: Callable[[str], TestClient],
    services: Any,
) -> None:
    services.on("GET", "feedback", FEEDBACK, feedback_body({"delivery_id": "x", **delivery}))
    page = signed_in("dm.patel").get(f"/contacts/{CID}/feedback").text
    delivered = page.split('data-testid="delivery"')[1].split("</dd>")[0]
    assert shown in delivered
    if delivery.get("last_error"):
        assert delivery["last_error"] in delivered


def test_feedback_not_yet_recorded_and_the_service_down_are_said_plainly(
    signed_in: Callable[[str], TestClient], services: Any
) -> None:
    services.on("GET", "feedback", FEEDBACK,
                not_found({"message": "no feedback", "status": "pending"}))
    page = signed_in("mgr.jones").get(f"/contacts/{CID}/feedback?decided=early_help")
    assert page.status_code == 200
    assert "Decision recorded: Early help assessment" in page.text
    assert "the feedback is being prepared" in page.text
    assert not any(c["path"].startswith("/v1/handover") for c in services.calls)

    services.on("GET", "feedback", FEEDBACK, down)
    page = signed_in("mgr.jones").get(f"/contacts/{CID}/feedback?decided=<script>")
    assert page.status_code == 200
    assert "The feedback service could not be reached." in page.text
    assert "Decision recorded" not in page.text  # only a known outcome is confirmed
