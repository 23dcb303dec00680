"""The RAG clock: when a rated contact's deadline falls, and when to warn before it.

The clock starts when the contact was received, not when it was rated: a late rating does not
buy time. Time is added through a `Calendar`: `WorkingHours` counts only MASH working hours
(weekdays, not bank holidays, in the MASH's own time zone); a rating worked around the clock
(red, by default) counts every hour through `WallClock`.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo


class Kind(StrEnum):
    WARN = "warn"
    BREACH = "breach"


class Calendar(Protocol):
    """Counts MASH time: adds an amount of it to an instant, and measures it between two."""

    def add(self, start: datetime, hours: float) -> datetime: ...

    def elapsed(self, start: datetime, end: datetime) -> timedelta: ...


class WallClock:
    """Every hour counts, day and night."""

    def add(self, start: datetime, hours: float) -> datetime:
        return start + timedelta(hours=hours)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        return max(end - start, timedelta(0))


# Past this many days without a working day the configuration is nonsense (no working days).
_SEARCH_DAYS = 3660


@dataclass(frozen=True)
class WorkingHours:
    """MASH working hours: `opens`-`closes` local time on `weekdays` (ISO, 1 = Monday), except
    the days in `closed` (England and Wales bank holidays, from the adapter). Instants are
    compared in UTC, so a change of the clocks (BST) never stretches or shrinks a day."""

    zone: str = "Europe/London"
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    closed: Container[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError("the MASH must open before it closes")
        if not self.weekdays or not self.weekdays <= set(range(1, 8)):
            raise ValueError("working days are ISO weekdays 1 (Monday) to 7 (Sunday)")
        ZoneInfo(self.zone)  # an unknown zone is refused now, not on the first deadline

    @property
    def day_length(self) -> timedelta:
        return datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)

    def is_working_day(self, day: date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.closed

    def _windows(self, start: datetime) -> Iterable[tuple[datetime, datetime]]:
        """The working windows (UTC) from the local day of `start` onwards."""
        tz = ZoneInfo(self.zone)
        day = start.astimezone(tz).date()
        for _ in range(_SEARCH_DAYS):
            if self.is_working_day(day):
                yield (datetime.combine(day, self.opens, tzinfo=tz).astimezone(UTC),
                       datetime.combine(day, self.closes, tzinfo=tz).astimezone(UTC))
            day += timedelta(days=1)
        raise ValueError(f"no working day in {_SEARCH_DAYS} days: check the MASH's working days")

    def add(self, start: datetime, hours: float) -> datetime:
        remaining = timedelta(hours=hours)
        cursor = start.astimezone(UTC)
        for opens, closes in self._windows(cursor):
            cursor = max(cursor, opens)
            if cursor >= closes:
                continue
            if remaining <= closes - cursor:
                return cursor + remaining
            remaining -= closes - cursor
        raise AssertionError("unreachable")  # _windows raises first

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        total = timedelta(0)
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return total
        for opens, closes in self._windows(start):
            if opens >= end:
                break
            total += max(min(closes, end) - max(opens, start), timedelta(0))
        return total


@dataclass(frozen=True)
class Deadline:
    """One moment the clock fires for a rating: the warning or the breach."""

    kind: Kind
    rating: str
    deadline: datetime
    due_at: datetime


@dataclass(frozen=True)
class ClockRow:
    """A deadline as stored: fired rows are history, unfired rows are still ticking."""

    row_id: int
    kind: Kind
    deadline: datetime
    fired: bool
    cancelled: bool


@dataclass(frozen=True)
class ClockPolicy:
    """`calendar` counts the time of every rating except those in `around_the_clock`, which
    are worked to completion outside working hours too and count every hour."""

    timescale_hours: Mapping[str, float]
    warning_fraction: float = 0.75
    calendar: Calendar = WallClock()
    around_the_clock: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not 0 < self.warning_fraction < 1:
            raise ValueError("the warning fraction must lie strictly between 0 and 1")
        for rating, hours in self.timescale_hours.items():
            if hours <= 0:
                raise ValueError(f"the {rating} timescale must be positive")

    def calendar_for(self, rating: str) -> Calendar:
        return WallClock() if rating in self.around_the_clock else self.calendar

    def deadline(self, received_at: datetime, rating: str) -> datetime:
        return self.calendar_for(rating).add(received_at, self._hours(rating))

    def warning(self, received_at: datetime, rating: str) -> datetime:
        return self.calendar_for(rating).add(
            received_at, self._hours(rating) * self.warning_fraction
        )

    def agency_deadline(
        self, requested_at: datetime, deadline: datetime, rating: str, share: float
    ) -> datetime:
        """When one agency must answer: `share` of the MASH time left between the request and
        the RAG deadline, so the hub keeps the rest to put the picture together and decide."""
        if not 0 < share <= 1:
            raise ValueError("an agency's share of the time must lie in (0, 1]")
        if requested_at >= deadline:
            return deadline
        calendar = self.calendar_for(rating)
        left = calendar.elapsed(requested_at, deadline)
        return min(calendar.add(requested_at, left.total_seconds() / 3600 * share), deadline)

    def plan(self, received_at: datetime, rating: str) -> list[Deadline]:
        deadline = self.deadline(received_at, rating)
        return [
            Deadline(Kind.WARN, rating, deadline, self.warning(received_at, rating)),
            Deadline(Kind.BREACH, rating, deadline, deadline),
        ]

    def _hours(self, rating: str) -> float:
        try:
            return self.timescale_hours[rating]
        except KeyError:
            raise ValueError(f"no timescale is configured for a {rating} rating") from None


@dataclass(frozen=True)
class Replan:
    cancel: list[int]
    create: list[Deadline]


def replan(existing: Iterable[ClockRow], planned: Iterable[Deadline]) -> Replan:
    """A re-rating replaces every deadline still ticking. One that already fired for the very
    same deadline is not planned again, so a warning or breach is never announced twice."""
    rows = list(existing)
    fired = {(r.kind, r.deadline) for r in rows if r.fired}
    return Replan(
        cancel=[r.row_id for r in rows if not r.fired and not r.cancelled],
        create=[d for d in planned if (d.kind, d.deadline) not in fired],
    )



@dataclass(frozen=True)
class DecisionTimeliness:
    """Working Together 2023: a decision about the response within one working day of the
    referral. `met` is None while undecided and not yet due."""

    due_by: datetime
    working_hours: float
    met: bool | None


def one_working_day(
    calendar: WorkingHours, received_at: datetime, decided_at: datetime | None, now: datetime
) -> DecisionTimeliness:
    """Measured in working time: received Friday 16:00, due Monday 16:00 (one working day of
    `calendar.day_length` later); the working hours taken, to the decision or until now."""
    day_hours = calendar.day_length.total_seconds() / 3600
    due_by = calendar.add(received_at, day_hours)
    taken = calendar.elapsed(received_at, decided_at or now).total_seconds() / 3600
    if decided_at is not None:
        met: bool | None = decided_at <= due_by
    else:
        met = False if now > due_by else None
    return DecisionTimeliness(due_by, round(taken, 2), met)
