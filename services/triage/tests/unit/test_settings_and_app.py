"""Local practice is configuration, refused when it makes no sense; building the app does no I/O."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from pydantic import ValidationError

from mash_triage.bootstrap import build_app, rules_from
from mash_triage.config import TriageSettings


def test_the_defaults_are_the_common_scheme() -> None:
    rules = rules_from(TriageSettings(env="test"))
    assert rules.levels_of_need == 4
    assert dict(rules.clock.timescale_hours) == {"red": 4, "amber": 24, "green": 72}
    assert rules.clock.warning_fraction == 0.75
    assert rules.clock.around_the_clock == {"red"}
    assert rules.clock.calendar is rules.working_hours
    hours = rules.working_hours
    assert (hours.zone, hours.opens, hours.closes) == ("Europe/London", time(9), time(17))
    assert hours.weekdays == {1, 2, 3, 4, 5}
    assert date(2026, 12, 25) in hours.closed and date(2026, 12, 24) not in hours.closed
    assert rules.level_name(1) == "universal" and rules.level_name(4).startswith("specialist")
    assert rules.proposed_agencies(3, ["3A", "4A"]) == [
        "police", "health", "education", "childrens-social-care", "camhs"]
    assert TriageSettings(env="test").port == 8002


def test_an_area_sets_its_own_practice_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MASH_TRIAGE_LEVELS_OF_NEED", "5")
    monkeypatch.setenv("MASH_TRIAGE_RAG_TIMESCALE_HOURS", '{"red": 2, "amber": 8, "green": 40}')
    monkeypatch.setenv("MASH_TRIAGE_DEADLINE_WARNING_FRACTION", "0.5")
    monkeypatch.setenv("MASH_TRIAGE_DEFAULT_AGENCIES", '{"1": ["health"], "4": ["police"]}')
    settings = TriageSettings()
    assert settings.levels_of_need == 5
    assert settings.rag_timescale_hours["amber"] == 8
    assert settings.default_agencies == {1: ["health"], 4: ["police"]}
    assert settings.deadline_warning_fraction == 0.5


def test_an_area_sets_its_own_working_hours_and_levels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASH_TRIAGE_WORKING_DAY_OPENS", "08:30")
    monkeypatch.setenv("MASH_TRIAGE_WORKING_DAY_CLOSES", "17:30")
    monkeypatch.setenv("MASH_TRIAGE_WORKING_DAYS", "[1, 2, 3, 4]")
    monkeypatch.setenv("MASH_TRIAGE_CLOSED_DAYS", '["2026-03-03"]')
    monkeypatch.setenv("MASH_TRIAGE_AROUND_THE_CLOCK", '["red", "amber"]')
    monkeypatch.setenv("MASH_TRIAGE_LEVELS_OF_NEED", "5")
    monkeypatch.setenv("MASH_TRIAGE_LEVEL_NAMES", '{"5": "acute"}')
    monkeypatch.setenv("MASH_TRIAGE_AGENCIES_BY_CONCERN", '{"9A": ["housing"]}')
    monkeypatch.setenv("MASH_TRIAGE_AGENCY_RESPONSE_SHARES", '{"police": 0.5}')
    rules = rules_from(TriageSettings())
    hours = rules.working_hours
    assert (hours.opens, hours.closes, hours.weekdays) == (time(8, 30), time(17, 30),
                                                           {1, 2, 3, 4})
    assert not hours.is_working_day(date(2026, 3, 3)) and hours.is_working_day(date(2026, 3, 4))
    assert rules.clock.around_the_clock == {"red", "amber"}
    assert (rules.level_name(5), rules.level_name(2)) == ("acute", "level 2")
    assert rules.proposed_agencies(1, ["9A"]) == ["health", "education", "housing"]
    assert rules.agency_response_shares == {"police": 0.5}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rag_timescale_hours", {"red": 4, "amber": 24}, "exactly red, amber and green"),
        ("rag_timescale_hours", {"red": 0, "amber": 24, "green": 72}, "positive"),
        ("default_agencies", {1: ["police", "ghostbusters"]}, "unknown agencies"),
        ("default_agencies", {2: ["police"]}, "entry for level 1"),
        ("deadline_warning_fraction", 1.2, "less than 1"),
        ("working_days", [0, 1], "ISO weekdays"),
        ("working_day_opens", "18:00", "opens must come before"),
        ("timezone", "Europe/Atlantis", "unknown time zone"),
        ("around_the_clock", ["purple"], "unknown ratings"),
        ("agencies_by_concern", {"99Z": ["police"]}, "unknown CIN factor codes"),
        ("agencies_by_concern", {"3A": ["ghostbusters"]}, "unknown agencies"),
        ("agency_response_shares", {"police": 1.5}, "share of the time"),
        ("level_names", {7: "beyond"}, "outside 1..4"),
    ],
)
def test_nonsense_practice_is_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        TriageSettings(env="test", **{field: value})  # type: ignore[arg-type]


def test_the_app_is_built_without_touching_broker_or_database(tmp_path: Path) -> None:
    settings = TriageSettings(env="test", data_dir=tmp_path / "data",
                              kafka_bootstrap="127.0.0.1:1")
    app = build_app(settings)
    paths = set(app.openapi()["paths"])
    assert {"/v1/screening", "/v1/rating-queue", "/v1/contacts/{contact_id}",
            "/v1/contacts/{contact_id}/threshold-decision",
            "/v1/contacts/{contact_id}/rag-rating", "/v1/timeliness", "/healthz",
            "/readyz"} <= paths
    assert not (tmp_path / "data" / "triage.db").exists()  # nothing opened until start
