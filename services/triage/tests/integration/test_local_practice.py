"""Triage says what local practice it applies (`GET /v1/settings`), so the console can word
its forms from it: a council's own levels and timescales come back, and are the ones triage
holds a contact to."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from mash_common.auth import Role
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import running, settings_for
from mash_triage.bootstrap import build_app
from mash_triage.config import TriageSettings

pytestmark = pytest.mark.integration

DECISION_MAKER = staff_headers(Role.DECISION_MAKER, "staff:dm-0042")
MANAGER = staff_headers(Role.MASH_MANAGER, "staff:mgr-0007")


@pytest.fixture
def five_levels(kafka_bootstrap: str, database_url: str) -> TriageSettings:
    """A council with five levels, amber in 8 working hours, a longer working day and a
    closure of its own."""
    return settings_for(
        TriageSettings, bootstrap=kafka_bootstrap, db_url=database_url,
        levels_of_need=5,
        level_names={1: "universal", 2: "early help", 3: "targeted", 5: "acute"},
        rag_timescale_hours={"red": 2, "amber": 8, "green": 40},
        around_the_clock=["red"],
        working_day_opens="08:30", working_day_closes="17:30", working_days=[1, 2, 3, 4],
        closed_days=["2026-12-24"],
        default_agencies={1: ["health"], 4: ["police", "childrens-social-care"]},
        agencies_by_concern={"9A": ["housing"]},
        agency_response_shares={"police": 0.5},
    )


async def test_a_councils_own_levels_and_timescales_come_back_and_are_applied(
    five_levels: TriageSettings, hub: Any, clock: Any
) -> None:
    received = clock.now  # Monday 2 March 2026, 09:00 GMT
    async with running(build_app(five_levels, clock=clock), headers=MANAGER) as client:
        r = await client.get("/v1/settings")
        assert r.status_code == 200, r.text
        practice = r.json()

        # ...and triage holds a contact to the same settings.
        contact_id = await hub.send_contact(received_at=received)
        await hub.screened(client, contact_id)
        decided = await client.post(
            f"/v1/contacts/{contact_id}/threshold-decision", headers=DECISION_MAKER,
            json={"outcome": "mash", "level_of_need": 5, "rationale": "acute need"})
        assert decided.status_code == 200, decided.text
        rated = await client.post(f"/v1/contacts/{contact_id}/rag-rating",
                                  json={"rating": "amber", "rationale": "same day"})
        assert rated.status_code == 200, rated.text
        record = (await client.get(f"/v1/contacts/{contact_id}")).json()

    assert practice["levels_of_need"] == [
        {"level": 1, "name": "universal", "default_agencies": ["health"]},
        {"level": 2, "name": "early help", "default_agencies": ["health"]},
        {"level": 3, "name": "targeted", "default_agencies": ["health"]},
        {"level": 4, "name": None, "default_agencies": ["police", "childrens-social-care"]},
        {"level": 5, "name": "acute", "default_agencies": ["police", "childrens-social-care"]},
    ]
    assert practice["ratings"] == [
        {"rating": "red", "hours": 2.0, "around_the_clock": True},
        {"rating": "amber", "hours": 8.0, "around_the_clock": False},
        {"rating": "green", "hours": 40.0, "around_the_clock": False},
    ]
    assert practice["working_hours"] == {
        "timezone": "Europe/London", "opens": "08:30:00", "closes": "17:30:00",
        "days": [1, 2, 3, 4], "bank_holidays_closed": True, "closed_days": ["2026-12-24"]}
    assert practice["agencies_by_concern"] == {"9A": ["housing"]}
    assert practice["agency_deadlines"] == {"share": 0.75, "by_agency": {"police": 0.5}}
    assert practice["deadline_warning_fraction"] == 0.75
    # Nothing secret or about the infrastructure.
    assert not {"data_key", "database_url", "kafka_bootstrap", "token_public_key",
                "queue_page_size"} & set(practice)

    assert record["threshold_decision"]["level_of_need_name"] == "acute"
    # Amber, 8 working hours from Monday 09:00 in a day open until 17:30: Monday 17:00.
    assert record["deadline"] == (received + timedelta(hours=8)).isoformat().replace(
        "+00:00", "Z")
    # The level's default agencies, as the settings said (neglect, 16A, adds none).
    assert record["information_request"]["agencies"] == ["police", "childrens-social-care"]


async def test_the_settings_are_for_staff_who_may_read_triage(settings: TriageSettings) -> None:
    async with running(build_app(settings)) as client:
        for role in (Role.DECISION_MAKER, Role.MASH_MANAGER, Role.AUDITOR):
            r = await client.get("/v1/settings", headers=staff_headers(role))
            assert r.status_code == 200, (role, r.text)
        for role, agency in ((Role.AGENCY_PRACTITIONER, "police"), (Role.ADMINISTRATOR, None)):
            r = await client.get("/v1/settings", headers=staff_headers(role, agency=agency))
            assert r.status_code == 403, (role, r.text)
            assert "read-triage" in r.json()["detail"]
        r = await client.get("/v1/settings")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        # The defaults, for a council that sets nothing.
        r = await client.get("/v1/settings", headers=staff_headers(Role.MASH_MANAGER))
    defaults = r.json()
    assert [(lv["level"], lv["name"]) for lv in defaults["levels_of_need"]] == [
        (1, "universal"), (2, "early help / additional needs"), (3, "targeted / complex"),
        (4, "specialist / acute (statutory)")]
    assert {t["rating"]: (t["hours"], t["around_the_clock"]) for t in defaults["ratings"]} == {
        "red": (4.0, True), "amber": (24.0, False), "green": (72.0, False)}


def test_the_route_is_in_the_openapi_with_its_shape(tmp_path: Path) -> None:
    settings = TriageSettings(env="test", data_dir=tmp_path, kafka_bootstrap="127.0.0.1:1")
    schema = build_app(settings).openapi()  # no lifespan: no broker, no database
    get = schema["paths"]["/v1/settings"]["get"]
    assert get["summary"] == "The local practice triage applies"
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LocalPractice"}
