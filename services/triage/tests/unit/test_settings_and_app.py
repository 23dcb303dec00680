"""Local practice is configuration, refused when it makes no sense; building the app does no I/O."""

from __future__ import annotations

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


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rag_timescale_hours", {"red": 4, "amber": 24}, "exactly red, amber and green"),
        ("rag_timescale_hours", {"red": 0, "amber": 24, "green": 72}, "positive"),
        ("default_agencies", {1: ["police", "ghostbusters"]}, "unknown agencies"),
        ("default_agencies", {2: ["police"]}, "entry for level 1"),
        ("deadline_warning_fraction", 1.2, "less than 1"),
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
            "/v1/contacts/{contact_id}/rag-rating", "/healthz", "/readyz"} <= paths
    assert not (tmp_path / "data" / "triage.db").exists()  # nothing opened until start
