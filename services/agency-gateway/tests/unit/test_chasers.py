"""Chasers: a reminder before each agency's deadline and an escalation at it, from settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mash_gateway.config import AgencyConfig, GatewaySettings
from mash_gateway.domain.chasers import (
    Chaser,
    ChaserKind,
    ChaserPolicy,
    ChaserReplan,
    StoredChaser,
    plan_chasers,
    replan_chasers,
)

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
FOUR_HOURS = T0 + timedelta(hours=4)


def test_a_reminder_before_the_deadline_and_an_escalation_at_it() -> None:
    assert plan_chasers(T0, FOUR_HOURS, reminder_fraction=0.75) == [
        Chaser(ChaserKind.REMIND, T0 + timedelta(hours=3)),
        Chaser(ChaserKind.ESCALATE, FOUR_HOURS),
    ]


def test_a_request_made_after_its_deadline_is_only_escalated() -> None:
    assert plan_chasers(T0, T0 - timedelta(minutes=1), reminder_fraction=0.5) == [
        Chaser(ChaserKind.ESCALATE, T0 - timedelta(minutes=1))]


def test_the_reminder_fraction_must_fall_inside_the_time_to_answer() -> None:
    with pytest.raises(ValueError, match="strictly between"):
        plan_chasers(T0, FOUR_HOURS, reminder_fraction=1.0)


def test_each_agency_has_its_own_deadline_and_reminder_from_configuration() -> None:
    settings = GatewaySettings(
        chaser_reminder_fraction=0.5,
        agencies={"police": AgencyConfig(), "education": AgencyConfig(
            deadline_fraction=0.5, reminder_fraction=0.9)},
    )
    policy = settings.chaser_policy()
    assert policy.deadline("police", T0, FOUR_HOURS) == FOUR_HOURS
    assert policy.deadline("education", T0, FOUR_HOURS) == T0 + timedelta(hours=2)
    assert policy.plan("police", T0, FOUR_HOURS)[0].due_at == T0 + timedelta(hours=2)
    assert policy.plan("education", T0, T0 + timedelta(hours=2))[0].due_at == (
        T0 + timedelta(hours=1.8))


def test_a_per_agency_deadline_from_triage_wins() -> None:
    own = T0 + timedelta(hours=1)
    policy = ChaserPolicy(agency_deadline_fraction={"police": 0.5})
    assert policy.deadline("police", T0, FOUR_HOURS, per_agency=own) == own


def test_a_moved_deadline_moves_the_chasers_that_have_not_fired() -> None:
    stored = [StoredChaser(ChaserKind.REMIND, T0 + timedelta(hours=3), fired=False),
              StoredChaser(ChaserKind.ESCALATE, FOUR_HOURS, fired=False)]
    two_hours = T0 + timedelta(hours=2)
    replan = replan_chasers(stored, plan_chasers(T0, two_hours, reminder_fraction=0.75),
                            now=T0 + timedelta(minutes=30))
    assert replan == ChaserReplan(
        plan=[Chaser(ChaserKind.REMIND, T0 + timedelta(hours=1, minutes=30)),
              Chaser(ChaserKind.ESCALATE, two_hours)],
        cancel=[],
    )


def test_an_escalation_already_due_under_the_new_deadline_stays_due_a_past_reminder_goes() -> None:
    stored = [StoredChaser(ChaserKind.REMIND, T0 + timedelta(hours=3), fired=False),
              StoredChaser(ChaserKind.ESCALATE, FOUR_HOURS, fired=False)]
    one_hour = T0 + timedelta(hours=1)
    replan = replan_chasers(stored, plan_chasers(T0, one_hour, reminder_fraction=0.75),
                            now=T0 + timedelta(hours=2))
    # The escalation is past due: the next tick fires it. The reminder has no time left to
    # remind of (the update the agency gets states its new deadline).
    assert replan == ChaserReplan(plan=[Chaser(ChaserKind.ESCALATE, one_hour)],
                                  cancel=[ChaserKind.REMIND])


def test_a_chaser_that_fired_is_never_sent_again() -> None:
    stored = [StoredChaser(ChaserKind.REMIND, T0 + timedelta(hours=1), fired=True),
              StoredChaser(ChaserKind.ESCALATE, T0 + timedelta(hours=2), fired=True)]
    later = T0 + timedelta(hours=8)  # a less urgent rating gives the agency more time
    replan = replan_chasers(stored, plan_chasers(T0, later, reminder_fraction=0.75),
                            now=T0 + timedelta(hours=3))
    assert replan == ChaserReplan(plan=[], cancel=[])
    # Only the reminder fired: the escalation moves to the new deadline.
    stored[1] = StoredChaser(ChaserKind.ESCALATE, T0 + timedelta(hours=4), fired=False)
    assert replan_chasers(stored, plan_chasers(T0, later, reminder_fraction=0.75),
                          now=T0 + timedelta(hours=3)).plan == [
        Chaser(ChaserKind.ESCALATE, later)]


def test_a_chaser_missing_from_the_store_is_planned() -> None:
    # A request from before the chasers (0002) has only its escalation stored.
    stored = [StoredChaser(ChaserKind.ESCALATE, FOUR_HOURS, fired=False)]
    replan = replan_chasers(stored, plan_chasers(T0, FOUR_HOURS + timedelta(hours=4),
                                                 reminder_fraction=0.5), now=T0)
    assert [c.kind for c in replan.plan] == [ChaserKind.REMIND, ChaserKind.ESCALATE]
