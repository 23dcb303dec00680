"""The RAG clock: when deadlines fall, when to warn, and what a re-rating replaces."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mash_triage.domain.clock import ClockPolicy, ClockRow, Deadline, Kind, replan

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = ClockPolicy({"red": 4, "amber": 24, "green": 72}, warning_fraction=0.75)


@pytest.mark.parametrize(("rating", "hours"), [("red", 4), ("amber", 24), ("green", 72)])
def test_the_deadline_runs_from_when_the_contact_was_received(rating: str, hours: int) -> None:
    assert POLICY.deadline(T0, rating) == T0 + timedelta(hours=hours)


def test_the_warning_comes_at_the_configured_fraction_of_the_time() -> None:
    assert POLICY.warning(T0, "red") == T0 + timedelta(hours=3)
    assert POLICY.warning(T0, "green") == T0 + timedelta(hours=54)
    half = ClockPolicy({"red": 4, "amber": 24, "green": 72}, warning_fraction=0.5)
    assert half.warning(T0, "amber") == T0 + timedelta(hours=12)


def test_timescales_are_configuration() -> None:
    local = ClockPolicy({"red": 2, "amber": 8, "green": 40})
    assert local.deadline(T0, "amber") == T0 + timedelta(hours=8)


def test_a_rating_plans_a_warning_then_a_breach_at_the_deadline() -> None:
    warn, breach = POLICY.plan(T0, "red")
    assert (warn.kind, warn.due_at, warn.deadline) == (Kind.WARN, T0 + timedelta(hours=3),
                                                        T0 + timedelta(hours=4))
    assert (breach.kind, breach.due_at, breach.deadline) == (Kind.BREACH, T0 + timedelta(hours=4),
                                                              T0 + timedelta(hours=4))


def test_a_calendar_decides_how_time_is_counted() -> None:
    class DoubleTime:
        def add(self, start: datetime, hours: float) -> datetime:
            return start + timedelta(hours=2 * hours)

    slow = ClockPolicy({"red": 4, "amber": 24, "green": 72}, calendar=DoubleTime())
    assert slow.deadline(T0, "red") == T0 + timedelta(hours=8)


def test_nonsense_policies_are_refused() -> None:
    with pytest.raises(ValueError, match="fraction"):
        ClockPolicy({"red": 4}, warning_fraction=1.0)
    with pytest.raises(ValueError, match="positive"):
        ClockPolicy({"red": 0})
    with pytest.raises(ValueError, match="no timescale"):
        ClockPolicy({"red": 4}).deadline(T0, "amber")


def row(row_id: int, kind: Kind, deadline: datetime, *, fired: bool = False,
        cancelled: bool = False) -> ClockRow:
    return ClockRow(row_id, kind, deadline, fired, cancelled)


def test_re_rating_cancels_what_is_still_ticking_and_plans_the_new_deadline() -> None:
    amber = T0 + timedelta(hours=24)
    existing = [row(1, Kind.WARN, amber), row(2, Kind.BREACH, amber)]
    plan = replan(existing, POLICY.plan(T0, "red"))
    assert plan.cancel == [1, 2]
    assert [(d.kind, d.deadline) for d in plan.create] == [
        (Kind.WARN, T0 + timedelta(hours=4)), (Kind.BREACH, T0 + timedelta(hours=4))
    ]


def test_what_already_fired_stays_history_and_is_not_cancelled() -> None:
    amber = T0 + timedelta(hours=24)
    existing = [row(1, Kind.WARN, amber, fired=True), row(2, Kind.BREACH, amber),
                row(3, Kind.WARN, T0, cancelled=True)]
    plan = replan(existing, POLICY.plan(T0, "green"))
    assert plan.cancel == [2]
    assert {d.kind for d in plan.create} == {Kind.WARN, Kind.BREACH}


def test_a_deadline_that_already_fired_is_never_announced_twice() -> None:
    # amber -> red -> amber: amber's warning fired before; going back does not repeat it.
    amber = POLICY.deadline(T0, "amber")
    existing = [row(1, Kind.WARN, amber, fired=True), row(2, Kind.BREACH, amber,
                                                            cancelled=True)]
    plan = replan(existing, POLICY.plan(T0, "amber"))
    assert plan.create == [Deadline(Kind.BREACH, "amber", amber, amber)]
