"""The RAG clock: when a rated contact's deadline falls, and when to warn before it.

The clock starts when the contact was received, not when it was rated: a late rating does not
buy time. Time is added through a `Calendar`, wall-clock hours here; MASH working hours and
bank holidays (issue 4) are another calendar, without changing the rules below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol


class Kind(StrEnum):
    WARN = "warn"
    BREACH = "breach"


class Calendar(Protocol):
    """Adds an amount of MASH time to an instant."""

    def add(self, start: datetime, hours: float) -> datetime: ...


class WallClock:
    """Every hour counts, day and night."""

    def add(self, start: datetime, hours: float) -> datetime:
        return start + timedelta(hours=hours)


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
    timescale_hours: Mapping[str, float]
    warning_fraction: float = 0.75
    calendar: Calendar = WallClock()

    def __post_init__(self) -> None:
        if not 0 < self.warning_fraction < 1:
            raise ValueError("the warning fraction must lie strictly between 0 and 1")
        for rating, hours in self.timescale_hours.items():
            if hours <= 0:
                raise ValueError(f"the {rating} timescale must be positive")

    def deadline(self, received_at: datetime, rating: str) -> datetime:
        return self.calendar.add(received_at, self._hours(rating))

    def warning(self, received_at: datetime, rating: str) -> datetime:
        return self.calendar.add(received_at, self._hours(rating) * self.warning_fraction)

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

