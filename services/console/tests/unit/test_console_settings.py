"""The console's settings and the journey it tells."""

from __future__ import annotations

import pytest

from mash_console.config import ConsoleSettings
from mash_console.journey import STAGES
from mash_schemas.topics import SERVICES


def test_defaults_are_the_local_ports_of_the_stack() -> None:
    settings = ConsoleSettings()
    assert (settings.http_host, settings.http_port) == ("127.0.0.1", 8000)
    assert settings.service_urls() == {
        "intake": "http://127.0.0.1:8001",
        "triage": "http://127.0.0.1:8002",
        "agency-gateway": "http://127.0.0.1:8003",
        "decision": "http://127.0.0.1:8004",
        "feedback": "http://127.0.0.1:8005",
    }


def test_each_value_is_read_from_a_mash_console_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASH_CONSOLE_HTTP_PORT", "9100")
    monkeypatch.setenv("MASH_CONSOLE_AGENCY_GATEWAY_URL", "http://gateway.internal:8080/")
    monkeypatch.setenv("MASH_HTTP_PORT", "1")  # another service's setting is not the console's
    settings = ConsoleSettings()
    assert settings.http_port == 9100
    assert settings.service_urls()["agency-gateway"] == "http://gateway.internal:8080"


def test_the_journey_has_one_stage_per_service_in_order() -> None:
    assert [s.service for s in STAGES] == list(SERVICES)
    assert [t for t, _ in STAGES[0].publishes] == ["mash.contacts"]
    assert STAGES[0].dead_letters == "mash.dlq.intake"
