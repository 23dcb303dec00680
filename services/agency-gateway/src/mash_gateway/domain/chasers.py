"""Chasers: a reminder to an agency before its deadline, and at the deadline an escalation to
the MASH manager that records "no answer by the deadline". No framework, no I/O.

Each chaser is planned when the request is made, stored, and fired once by a timer; an answer
cancels the ones still waiting; a re-rating that moves the deadline plans them again
(`replan_chasers`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ChaserKind(StrEnum):
    REMIND = "remind"
    ESCALATE = "escalate"


@dataclass(frozen=True)
class Chaser:
    kind: ChaserKind
    due_at: datetime


def plan_chasers(
    requested_at: datetime, respond_by: datetime, *, reminder_fraction: float
) -> list[Chaser]:
    """A reminder once `reminder_fraction` of the time to answer has gone, then the escalation
    at the deadline. A request made after its own deadline is escalated, never reminded."""
    if not 0 < reminder_fraction < 1:
        raise ValueError("the reminder fraction must lie strictly between 0 and 1")
    chasers = []
    if respond_by > requested_at:
        remind_at = requested_at + (respond_by - requested_at) * reminder_fraction
        chasers.append(Chaser(ChaserKind.REMIND, remind_at))
    chasers.append(Chaser(ChaserKind.ESCALATE, respond_by))
    return chasers


@dataclass(frozen=True)
class StoredChaser:
    """A chaser as stored: `fired` ones are history; the others wait (or were cancelled)."""

    kind: ChaserKind
    due_at: datetime
    fired: bool


@dataclass(frozen=True)
class ChaserReplan:
    """What a moved deadline does to an open request's chasers."""

    plan: list[Chaser]  # wait for these times (a stored one that has not fired is moved)
    cancel: list[ChaserKind]  # waiting ones with no place in the new plan


def replan_chasers(
    stored: Iterable[StoredChaser], planned: Iterable[Chaser], *, now: datetime
) -> ChaserReplan:
    """The chasers of an open request whose deadline a re-rating moved, from the new plan.

    - A chaser that already fired is history and is not sent again: the agency had its
      reminder, the MASH manager the escalation. The update the agency is sent states the new
      deadline.
    - Every other one waits for its time in the new plan. An escalation whose new time has
      already passed stays due, so the next tick fires it (never lost); a reminder whose new
      time has passed is dropped, since the update itself tells the agency how long it has.
    """
    rows = list(stored)
    fired = {c.kind for c in rows if c.fired}
    plan = [
        c for c in planned
        if c.kind not in fired and not (c.kind is ChaserKind.REMIND and c.due_at <= now)
    ]
    keep = {c.kind for c in plan}
    return ChaserReplan(
        plan=plan,
        cancel=[c.kind for c in rows if not c.fired and c.kind not in keep],
    )


def agency_deadline(
    requested_at: datetime, respond_by: datetime, *, fraction: float,
    per_agency: datetime | None = None,
) -> datetime:
    """The agency's own deadline inside the contact's: triage's per-agency one if it gave one,
    else `fraction` of the time from the request to the contact's deadline."""
    if per_agency is not None:
        return per_agency
    if fraction >= 1 or respond_by <= requested_at:
        return respond_by
    return requested_at + (respond_by - requested_at) * fraction


@dataclass(frozen=True)
class ChaserPolicy:
    """Each agency's deadline and reminder, from configuration."""

    reminder_fraction: float = 0.75
    agency_reminder_fraction: Mapping[str, float] = field(default_factory=dict)
    agency_deadline_fraction: Mapping[str, float] = field(default_factory=dict)

    def deadline(
        self, agency: str, requested_at: datetime, respond_by: datetime,
        per_agency: datetime | None = None,
    ) -> datetime:
        return agency_deadline(
            requested_at, respond_by, fraction=self.agency_deadline_fraction.get(agency, 1.0),
            per_agency=per_agency,
        )

    def plan(self, agency: str, requested_at: datetime, respond_by: datetime) -> list[Chaser]:
        fraction = self.agency_reminder_fraction.get(agency, self.reminder_fraction)
        return plan_chasers(requested_at, respond_by, reminder_fraction=fraction)
