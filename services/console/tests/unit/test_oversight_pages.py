"""Oversight pages: every service's dead letters for administrators, the audit log for auditors."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

FakeServices = Any  # the conftest's fake of the services

SERVICES = ("intake", "triage", "agency-gateway", "decision", "feedback")
NOT_ADMIN = ("dm.patel", "mgr.jones", "police.khan", "auditor.ng")
NOT_AUDITOR = ("dm.patel", "mgr.jones", "police.khan", "admin.silva")


def _letter(n: int, service: str, at: str, **over: Any) -> dict[str, Any]:
    return {
        "id": f"dl-{service}-{n}",
        "published": True,
        "published_at": at,
        "dead_lettered_at": at,
        "reason": f"{service} could not read message {n}",
        "errors": [f"data.field_{n}: Field required"],
        "source_topic": f"mash.topic.{service}",
        "source_partition": 1,
        "source_offset": 40 + n,
        "event_type": "uk.mash.agency.response.v1",
        "contact_id": None,
        **over,
    }


def _dead_letters(services: FakeServices, down: str | None = None) -> None:
    for i, service in enumerate(SERVICES):
        if service == down:
            def refuse(request: httpx.Request) -> httpx.Response:
                raise httpx.ConnectError("refused", request=request)

            services.on("GET", service, r"/v1/dead-letters", refuse)
            continue
        items = [_letter(1, service, f"2026-11-0{i + 1}T09:00:00Z"),
                 _letter(2, service, f"2026-11-0{i + 1}T08:00:00Z", published=False,
                         event_type=None, errors=[])] if service != "feedback" else []
        services.on("GET", service, r"/v1/dead-letters", {
            "service": service, "topic": f"mash.dlq.{service}",
            "total": len(items) + (3 if service == "triage" else 0), "items": items})


# --- dead letters -------------------------------------------------------------------------

def test_an_administrator_sees_every_services_dead_letters_newest_first(
    services: FakeServices, signed_in: Callable[[str], TestClient]
) -> None:
    _dead_letters(services)
    page = signed_in("admin.silva").get("/dead-letters")
    assert page.status_code == 200
    html = page.text
    calls = [c for c in services.calls if c["path"] == "/v1/dead-letters"]
    assert sorted(c["service"] for c in calls) == sorted(SERVICES)
    assert all(c["caller"].role == "administrator" for c in calls)
    assert all(c["params"]["limit"] == "100" for c in calls)
    rows = re.findall(r'data-dead-letter-id="([^"]+)"', html)
    assert len(rows) == 8
    assert rows[0] == "dl-decision-1"  # the newest first, across services
    assert rows[-1] == "dl-intake-2"
    for service, count in (("intake", "2"), ("triage", "5"), ("agency-gateway", "2"),
                           ("decision", "2"), ("feedback", "0")):
        assert f'data-testid="dead-letter-count-{service}">{count}<' in html
    assert "intake could not read message 1" in html
    assert "data.field_1: Field required" in html
    assert "mash.topic.triage" in html and "partition 1, offset 41" in html
    assert "uk.mash.agency.response.v1" in html
    assert "Published" in html and "Not yet" in html
    assert "the newest 2 of 5 are shown" in html


def test_dead_letters_filtered_by_service(
    services: FakeServices, signed_in: Callable[[str], TestClient]
) -> None:
    _dead_letters(services)
    html = signed_in("admin.silva").get("/dead-letters?service=triage").text
    assert set(re.findall(r'data-service="([^"]+)"', html)) == {"triage"}
    assert 'data-testid="dead-letter-count-intake">2<' in html  # every count still shown
    assert '<option value="triage" selected>' in html


def test_dead_letters_survive_a_service_that_is_down(
    services: FakeServices, signed_in: Callable[[str], TestClient]
) -> None:
    _dead_letters(services, down="decision")
    page = signed_in("admin.silva").get("/dead-letters")
    assert page.status_code == 200
    html = page.text
    assert 'data-testid="dead-letters-unreachable-decision"' in html
    assert "The decision service could not be reached." in html
    assert 'data-testid="dead-letter-count-decision">–<' in html
    assert len(re.findall(r'data-dead-letter-id="', html)) == 6


def test_a_service_without_dead_letters_route_is_reported(
    services: FakeServices, signed_in: Callable[[str], TestClient]
) -> None:
    _dead_letters(services)
    services.on("GET", "feedback", r"/v1/dead-letters",
                lambda _r: httpx.Response(403, json={"detail": "not allowed"}))
    html = signed_in("admin.silva").get("/dead-letters").text
    assert "The feedback service answered 403: not allowed" in html


@pytest.mark.parametrize("username", NOT_ADMIN)
def test_dead_letters_are_refused_to_every_other_role(
    services: FakeServices, signed_in: Callable[[str], TestClient], username: str
) -> None:
    response = signed_in(username).get("/dead-letters")
    assert response.status_code == 403
    assert "You cannot use this page" in response.text
    assert not [c for c in services.calls if c["path"] == "/v1/dead-letters"]


# --- the audit log ------------------------------------------------------------------------

HEAD = "ab12cd34ef56" + "0" * 52


def _entry(seq: int, **over: Any) -> dict[str, Any]:
    return {
        "seq": seq, "event_id": f"ev-{seq}", "accessed_at": "2026-03-02T09:00:00.000000Z",
        "accessed_by": "dm.patel", "role": "decision-maker", "agency": None,
        "contact_id": f"c0ffee00-0000-4000-8000-00000000000{seq}", "service": "triage",
        "action": "read screening record", "prev_hash": "0" * 64, "hash": f"{seq}" * 64,
        **over,
    }


def _audit(services: FakeServices, verify: dict[str, Any] | None = None,
           next_before: int | None = None) -> None:
    services.on("GET", "decision", r"/v1/audit", {
        "entries": [_entry(3), _entry(2, accessed_by="police.khan", role="agency-practitioner",
                                      agency="police", service="agency-gateway",
                                      action="read information request (police)")],
        "total": 7, "next_before": next_before})
    services.on("GET", "decision", r"/v1/audit/verify", verify or {
        "ok": True, "entries": 7, "first_broken": None, "head": HEAD})


def test_an_auditor_sees_the_reads_and_an_intact_chain(
    services: FakeServices, signed_in: Callable[[str], TestClient]
) -> None:
    _audit(services)
    page = signed_in("auditor.ng").get("/audit")
    assert page.status_code == 200
    html = page.text
    assert "The audit log is intact: 7 entries, head <code" in html
    assert ">ab12cd34ef56</code>" in html
    assert 'data-chain-state="intact"' in html
    assert re.findall(r'data-seq="(\d+)"', html) == ["3", "2"]
    assert 'href="/contacts/c0ffee00-0000-4000-8000-000000000003"' in html
    assert "2 Mar 2026, 09:00 UTC" in html
    assert "Agency practitioner" in html and "Decision maker" in html
    assert "read information request (police)" in html
    assert "7 reads logged." in html
    [listed] = [c for c in services.calls if c["path"] == "/v1/audit"]
    assert listed["params"] == {"limit": "50"}
    assert listed["caller"].role == "auditor"


def test_a_broken_chain_is_shown_in_red(
    services: FakeServices, signed_in: Callable[[str], TestClient]
) -> None:
    _audit(services, verify={"ok": False, "entries": 7, "first_broken": 4, "head": HEAD})
    html = signed_in("auditor.ng").get("/audit").text
    assert "The chain is broken at entry 4." in html
    assert 'data-chain-state="broken"' in html
    assert "mash-banner--broken" in html
    assert "is intact" not in html


def test_the_filters_go_to_the_audit_api(
    services: FakeServices, signed_in: Callable[[str], TestClient]
) -> None:
    _audit(services, next_before=2)
    html = signed_in("auditor.ng").get("/audit", params={
        "contact_id": " c0ffee00 ", "user": "dm.patel", "agency": "police",
        "since-day": "2", "since-month": "3", "since-year": "2026",
        "until-day": "4", "until-month": "3", "until-year": "2026"}).text
    [listed] = [c for c in services.calls if c["path"] == "/v1/audit"]
    assert listed["params"] == {
        "contact_id": "c0ffee00", "user": "dm.patel", "agency": "police",
        "since": "2026-03-02T00:00:00Z", "until": "2026-03-05T00:00:00Z", "limit": "50"}
    assert '<option value="police" selected>' in html
    assert "7 reads match these filters." in html
    assert 'value="c0ffee00"' in html and 'value="dm.patel"' in html
    older = re.search(r'href="([^"]+)" rel="next"', html)
    assert older is not None
    assert "before=2" in older.group(1) and "trail=0" in older.group(1)
    assert "contact_id=c0ffee00" in older.group(1)


def test_an_agency_the_hub_does_not_know_is_an_error_on_its_field(
    services: FakeServices, signed_in: Callable[[str], TestClient]
) -> None:
    _audit(services)
    page = signed_in("auditor.ng").get("/audit", params={"agency": "the-moon"})
    assert page.status_code == 400
    assert '<a href="#agency">' in page.text and "Select an agency from the list" in page.text
    assert not [c for c in services.calls if c["path"] == "/v1/audit"]


def test_paging_back_and_forth(
    services: FakeServices, signed_in: Callable[[str], TestClient]
) -> None:
    _audit(services, next_before=1)
    html = signed_in("auditor.ng").get("/audit?before=5&trail=0,9").text
    [listed] = [c for c in services.calls if c["path"] == "/v1/audit"]
    assert listed["params"]["before"] == "5"
    newer = re.search(r'href="([^"]+)" rel="prev"', html)
    older = re.search(r'href="([^"]+)" rel="next"', html)
    assert newer is not None and older is not None
    assert newer.group(1).replace("&amp;", "&") == "/audit?before=9&trail=0"
    assert older.group(1).replace("&amp;", "&") == "/audit?before=1&trail=0%2C9%2C5"


def test_a_date_that_is_not_real_is_an_error_on_its_field(
    services: FakeServices, signed_in: Callable[[str], TestClient]
) -> None:
    _audit(services)
    page = signed_in("auditor.ng").get("/audit", params={
        "since-day": "31", "since-month": "2", "since-year": "2026"})
    assert page.status_code == 400
    assert "<title>Error: Audit log" in page.text
    assert '<a href="#since-day">' in page.text
    assert "must be a real date" in page.text
    assert not [c for c in services.calls if c["path"] == "/v1/audit"]
    assert "The audit log is intact" in page.text  # the chain is still checked


def test_the_audit_page_says_when_decision_cannot_be_reached(
    services: FakeServices, signed_in: Callable[[str], TestClient]
) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    services.on("GET", "decision", r"/v1/audit.*", down)
    page = signed_in("auditor.ng").get("/audit")
    assert page.status_code == 200
    assert "The audit log's hash chain could not be checked." in page.text
    assert "The audit log could not be loaded: The decision service could not be reached." \
        in page.text


@pytest.mark.parametrize("username", NOT_AUDITOR)
def test_the_audit_log_is_refused_to_every_other_role(
    services: FakeServices, signed_in: Callable[[str], TestClient], username: str
) -> None:
    response = signed_in(username).get("/audit")
    assert response.status_code == 403
    assert "You cannot use this page" in response.text
    assert not [c for c in services.calls if c["path"].startswith("/v1/audit")]
