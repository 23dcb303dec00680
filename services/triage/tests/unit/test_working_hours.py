"""MASH working hours: weekends and England and Wales bank holidays do not count, a red rating
counts every hour, and the one-working-day expectation is measured in working time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mash_triage.adapters.bank_holidays import ClosedDays
from mash_triage.domain.clock import ClockPolicy, Kind, WorkingHours, one_working_day

LONDON = ZoneInfo("Europe/London")
HOURS = WorkingHours(closed=ClosedDays())
POLICY = ClockPolicy({"red": 4, "amber": 24, "green": 72}, warning_fraction=0.75,
                     calendar=HOURS, around_the_clock=frozenset({"red"}))


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def test_hours_inside_one_working_day() -> None:
    assert HOURS.add(london(2026, 3, 2, 9), 4) == london(2026, 3, 2, 13)  # Monday
    assert HOURS.add(london(2026, 3, 2, 9), 8) == london(2026, 3, 2, 17)  # to closing, not 09:00


def test_amber_and_green_run_in_working_days() -> None:
    monday = london(2026, 3, 2, 9)
    assert POLICY.deadline(monday, "amber") == london(2026, 3, 4, 17)  # three working days
    assert POLICY.deadline(monday, "green") == london(2026, 3, 12, 17)  # nine, over a weekend
    assert POLICY.warning(monday, "amber") == london(2026, 3, 4, 11)  # 18 of the 24 hours


def test_a_weekend_does_not_count() -> None:
    assert HOURS.add(london(2026, 3, 6, 15), 4) == london(2026, 3, 9, 11)  # Fri -> Mon


def test_a_contact_received_out_of_hours_starts_counting_when_the_mash_opens() -> None:
    assert HOURS.add(london(2026, 3, 7, 22), 1) == london(2026, 3, 9, 10)  # Saturday night
    assert HOURS.add(london(2026, 3, 3, 6), 1) == london(2026, 3, 3, 10)  # before opening
    assert HOURS.add(london(2026, 3, 3, 18), 1) == london(2026, 3, 4, 10)  # after closing


def test_easter_is_closed() -> None:
    # Good Friday 3 April and Easter Monday 6 April 2026.
    assert HOURS.add(london(2026, 4, 2, 16), 2) == london(2026, 4, 7, 10)


def test_a_moved_bank_holiday_moves_the_deadline() -> None:
    # 2020: the early May bank holiday moved from Monday 4 May to Friday 8 May (VE Day 75).
    assert HOURS.is_working_day(date(2020, 5, 4))
    assert not HOURS.is_working_day(date(2020, 5, 8))
    assert HOURS.add(london(2020, 5, 4, 9), 1) == london(2020, 5, 4, 10)
    assert HOURS.add(london(2020, 5, 7, 16), 2) == london(2020, 5, 11, 10)


def test_christmas_on_a_weekend_closes_its_substitute_days() -> None:
    # 2021: Christmas Saturday, Boxing Day Sunday; the bank holidays are Monday 27, Tuesday 28.
    assert HOURS.add(london(2021, 12, 24, 16), 4) == london(2021, 12, 29, 12)
    # 2022: Christmas Sunday; Boxing Day Monday 26 and the substitute Tuesday 27.
    assert HOURS.add(london(2022, 12, 23, 16), 2) == london(2022, 12, 28, 10)


def test_a_change_of_the_clocks_neither_stretches_nor_shrinks_a_day() -> None:
    # British Summer Time begins on Sunday 29 March 2026.
    friday = london(2026, 3, 27, 16)
    monday = HOURS.add(friday, 2)
    assert monday == london(2026, 3, 30, 10)
    assert monday.astimezone(UTC) == datetime(2026, 3, 30, 9, tzinfo=UTC)
    assert HOURS.elapsed(friday, monday) == timedelta(hours=2)


def test_an_out_of_hours_red_counts_every_hour() -> None:
    saturday_night = london(2026, 3, 7, 22)
    assert POLICY.deadline(saturday_night, "red") == london(2026, 3, 8, 2)
    assert POLICY.warning(saturday_night, "red") == london(2026, 3, 8, 1)
    # The same contact rated amber waits for Monday: 24 working hours from 09:00.
    assert POLICY.deadline(saturday_night, "amber") == london(2026, 3, 11, 17)


def test_re_rating_up_and_down_recomputes_from_receipt() -> None:
    received = london(2026, 3, 6, 16)  # Friday afternoon
    amber, red, green = (POLICY.deadline(received, r) for r in ("amber", "red", "green"))
    assert red == london(2026, 3, 6, 20)  # up to red: tonight, the weekend is worked
    assert amber == london(2026, 3, 11, 16)
    assert green == london(2026, 3, 19, 16)
    warn, breach = POLICY.plan(received, "green")  # back down
    assert (warn.kind, breach.kind, breach.due_at) == (Kind.WARN, Kind.BREACH, green)


def test_working_time_elapsed_skips_nights_weekends_and_bank_holidays() -> None:
    assert HOURS.elapsed(london(2021, 12, 24, 16), london(2021, 12, 29, 11)) == timedelta(hours=3)
    assert HOURS.elapsed(london(2026, 3, 7, 10), london(2026, 3, 8, 10)) == timedelta(0)
    assert HOURS.elapsed(london(2026, 3, 3, 10), london(2026, 3, 2, 10)) == timedelta(0)


def test_one_working_day_for_a_decision() -> None:
    friday = london(2026, 3, 6, 16)
    made = one_working_day(HOURS, friday, london(2026, 3, 9, 15), london(2026, 3, 9, 15))
    assert (made.due_by, made.working_hours, made.met) == (london(2026, 3, 9, 16), 7.0, True)
    late = one_working_day(HOURS, friday, london(2026, 3, 10, 9, 30), london(2026, 3, 10, 10))
    assert (late.working_hours, late.met) == (9.5, False)  # Fri 1 + Mon 8 + Tue 0.5
    waiting = one_working_day(HOURS, friday, None, london(2026, 3, 9, 12))
    assert (waiting.working_hours, waiting.met) == (4.0, None)  # not due yet
    overdue = one_working_day(HOURS, friday, None, london(2026, 3, 9, 16, 1))
    assert overdue.met is False
    # Received before the moved 2020 May bank holiday: due the next working day, Monday.
    before_ve_day = one_working_day(HOURS, london(2020, 5, 7, 14), None, london(2020, 5, 7, 14))
    assert before_ve_day.due_by == london(2020, 5, 11, 14)


def test_each_agency_answers_inside_the_rag_timescale() -> None:
    monday = london(2026, 3, 2, 9)
    deadline = POLICY.deadline(monday, "amber")  # Wednesday 17:00
    assert POLICY.agency_deadline(monday, deadline, "amber", 0.75) == london(2026, 3, 4, 11)
    assert POLICY.agency_deadline(monday, deadline, "amber", 1.0) == deadline
    red = POLICY.deadline(monday, "red")
    assert POLICY.agency_deadline(monday, red, "red", 0.5) == london(2026, 3, 2, 11)
    # Asked after the deadline passed: the deadline, never later.
    late = london(2026, 3, 5, 9)
    assert POLICY.agency_deadline(late, deadline, "amber", 0.75) == deadline


def test_a_re_rating_moves_each_agencys_deadline_from_the_original_request() -> None:
    received, asked = london(2026, 3, 2, 9), london(2026, 3, 2, 10)
    amber = POLICY.agency_deadline(asked, POLICY.deadline(received, "amber"), "amber", 0.75)
    assert amber == london(2026, 3, 4, 11, 15)  # 17.25 of the 23 working hours left
    # Amber to red: red runs around the clock from receipt (13:00); the agency keeps its
    # share of the time from its request, 3/4 of 10:00-13:00: far earlier, never later.
    red_deadline = POLICY.deadline(received, "red")
    red = POLICY.agency_deadline(asked, red_deadline, "red", 0.75)
    assert red == london(2026, 3, 2, 12, 15) and red < amber and red <= red_deadline
    # To green: more time, by the same rule (3/4 of the 71 working hours after the request).
    green_deadline = POLICY.deadline(received, "green")
    green = POLICY.agency_deadline(asked, green_deadline, "green", 0.75)
    assert amber < green <= green_deadline
    assert HOURS.elapsed(asked, green) == timedelta(hours=71 * 0.75)


def test_working_hours_are_local_practice() -> None:
    long_days = WorkingHours(opens=time(8), closes=time(18), weekdays=frozenset(range(1, 7)),
                             closed=ClosedDays(bank_holidays=False, extra=[date(2026, 3, 9)]))
    assert long_days.add(london(2026, 3, 6, 17), 3) == london(2026, 3, 7, 10)  # Saturday
    assert long_days.add(london(2026, 3, 7, 17), 3) == london(2026, 3, 10, 10)  # closure day
    assert long_days.day_length == timedelta(hours=10)
    assert WorkingHours(closed=ClosedDays(bank_holidays=False)).is_working_day(date(2026, 4, 3))


def test_nonsense_working_hours_are_refused() -> None:
    with pytest.raises(ValueError, match="open before it closes"):
        WorkingHours(opens=time(17), closes=time(9))
    with pytest.raises(ValueError, match="ISO weekdays"):
        WorkingHours(weekdays=frozenset())
    with pytest.raises(ValueError, match="no working day"):
        WorkingHours(closed=ClosedDays(extra=[date(2026, 3, 2) + timedelta(days=i)
                                              for i in range(4000)])).add(
            london(2026, 3, 2, 9), 1)
