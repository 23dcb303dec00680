"""Repeat contacts: what screening shows of intake's links between a contact and earlier ones.

Intake proposes each earlier contact that may be about the same child as a candidate (exact:
the same NHS number; likely / possible: ranked on name, date of birth and postcode) and a person
confirms or rejects it. Nothing is merged. Triage only shows them: references, strengths and
statuses, never who the child is.

Pure rules, no framework and no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

STRENGTHS = ("exact", "likely", "possible")
PROPOSED, CONFIRMED, REJECTED = "proposed", "confirmed", "rejected"


@dataclass(frozen=True)
class RepeatLink:
    """One candidate earlier contact, as screening shows it."""

    contact_id: str
    reference: str | None  # None until triage has heard the candidate's reference
    strength: str
    status: str = PROPOSED
    rank: int | None = None  # intake's order, best first; None if only the decision was heard
    received_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None


def status_after_link(current: str | None) -> str:
    """A link heard again (or heard after its decision) keeps any decision a person made."""
    return current if current in (CONFIRMED, REJECTED) else PROPOSED


def count_is_newer(stored_as_of: datetime | None, as_of: datetime) -> bool:
    """Intake recounts on each link and each decision; the latest count wins, whatever order
    the events arrive in."""
    return stored_as_of is None or as_of >= stored_as_of


def in_order(links: Iterable[RepeatLink]) -> list[RepeatLink]:
    """Intake's order (best first); links known only from a decision after them."""
    return sorted(links, key=lambda link: (link.rank is None, link.rank or 0, link.contact_id))


def repeat_contacts(
    contacts_in_12_months: int | None, links: Iterable[RepeatLink], *, detail: bool = False
) -> dict[str, Any]:
    """The summary on a queue item: the child's count of contacts in the last 12 months (1 when
    intake found no earlier contact), the undecided candidates by strength, the confirmed ones,
    and every link; with `detail` (the audited record), who decided each and when."""
    ordered = in_order(links)

    def proposed(strength: str) -> int:
        return sum(1 for link in ordered if link.status == PROPOSED and link.strength == strength)

    return {
        "contacts_in_12_months": contacts_in_12_months or 1,
        "exact": proposed("exact"),
        "likely": proposed("likely"),
        "possible": proposed("possible"),
        "confirmed": sum(1 for link in ordered if link.status == CONFIRMED),
        "rejected": sum(1 for link in ordered if link.status == REJECTED),
        "links": [_shown(link, detail) for link in ordered],
    }


def _shown(link: RepeatLink, detail: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {"contact_id": link.contact_id, "reference": link.reference,
                             "strength": link.strength, "status": link.status}
    if detail:
        shown.update(received_at=link.received_at, decided_by=link.decided_by,
                     decided_at=link.decided_at)
    return shown
