"""Chasers: a reminder to an agency before its deadline, and at the deadline an escalation to
the MASH manager that records "no answer by the deadline". No framework, no I/O.

Each chaser is planned when the request is made, stored, and fired once by a timer; an answer
cancels the ones still waiting.
"""

from __future__ import annotations

from collections.abc import Mapping
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
