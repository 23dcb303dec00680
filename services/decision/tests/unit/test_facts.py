"""Every event a picture is folded from translates into a fact, dated by its own clock."""

from __future__ import annotations

from mash_decision.domain.picture import fold
from mash_decision.service_layer.facts import PICTURE_EVENTS, fact_from, happened_at
from mash_schemas.examples import example_data


def test_every_golden_example_of_a_picture_event_becomes_a_fact() -> None:
    examples = [e for e in example_data() if isinstance(e, PICTURE_EVENTS)]
    assert {type(e) for e in examples} == set(PICTURE_EVENTS)
    facts = [fact_from(f"e{i}", e) for i, e in enumerate(examples)]
    assert all(f.at == happened_at(e) for f, e in zip(facts, examples, strict=True))
    picture = fold(examples[0].contact_id, facts)  # type: ignore[attr-defined]
    assert picture.has_contact and picture.reference == "MASH-2026-000123"
    assert picture.completion is not None and picture.completion.reason == "deadline_passed"
    assert picture.status == "decided"


def test_every_type_decision_consumes_has_a_fact_and_types_without_a_rule_are_noted() -> None:
    from datetime import UTC, datetime

    from mash_decision.domain.picture import Noted
    from mash_decision.entrypoints.consumers import CONSUMED
    from mash_schemas.events import RecordAccessed

    assert set(PICTURE_EVENTS) <= set(CONSUMED)
    envelope_time = datetime(2026, 11, 2, 14, tzinfo=UTC)
    audit = next(e for e in example_data() if isinstance(e, RecordAccessed))
    fact = fact_from("e-x", audit, envelope_time)
    assert isinstance(fact, Noted) and fact.at == envelope_time
    assert fact.event_type == RecordAccessed.event_type
