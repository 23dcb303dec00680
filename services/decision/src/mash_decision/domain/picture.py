"""The picture: everything the hub knows about one contact, folded from its events.

No framework, no I/O. Events reach the decision service on three topics that can lag one
another, so an answer may arrive before the request that caused it. The picture is therefore
never updated in place: every fact is kept and the picture is recomputed from all of them,
sorted by the time each fact happened (then its id), never by the order of arrival.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

RATING_RANK = {"red": 0, "amber": 1, "green": 2}
UNRATED_RANK = 3


# --- facts: what happened, in the picture's own words -------------------------------------


@dataclass(frozen=True, kw_only=True)
class Fact:
    event_id: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class ContactArrived(Fact):
    reference: str
    received_at: datetime
    immediate_risk: bool


@dataclass(frozen=True, kw_only=True)
class ThresholdScreened(Fact):
    outcome: str
    level_of_need: int


@dataclass(frozen=True, kw_only=True)
class RagRatingSet(Fact):
    rating: str
    deadline: datetime


@dataclass(frozen=True, kw_only=True)
class InformationSought(Fact):
    reference: str
    rating: str
    agencies: tuple[str, ...]
    respond_by: datetime
    # (agency, its own deadline inside respond_by) where triage gave one
    agency_respond_by: tuple[tuple[str, datetime], ...] = ()


@dataclass(frozen=True, kw_only=True)
class AgencyDeadlinesMoved(Fact):
    """A re-rating moved the contact's deadline and, with it, each agency's."""

    rating: str
    respond_by: datetime
    # (agency, its new deadline inside respond_by)
    agency_respond_by: tuple[tuple[str, datetime], ...] = ()


@dataclass(frozen=True, kw_only=True)
class AgencyAnswered(Fact):
    agency: str
    request_id: str
    known_to_agency: bool
    late: bool


@dataclass(frozen=True, kw_only=True)
class DeadlineApproaching(Fact):
    deadline: datetime


@dataclass(frozen=True, kw_only=True)
class DeadlineMissed(Fact):
    deadline: datetime


@dataclass(frozen=True, kw_only=True)
class PictureComplete(Fact):
    reason: str
    answered: tuple[str, ...]
    silent: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Decided(Fact):
    decision_id: str
    outcome: str
    level_of_need: int
    receiving_team: str | None
    decided_by: str
    supersedes: str | None
    strategy_discussion_agencies: tuple[str, ...] = ()
    signpost_service: str | None = None


@dataclass(frozen=True, kw_only=True)
class FeedbackGiven(Fact):
    """Feedback recorded or delivered for a decision (the feedback service says so)."""

    decision_id: str
    audience: str
    channel: str
    status: str


@dataclass(frozen=True, kw_only=True)
class EarlierContactsFound(Fact):
    """Intake's repeat-contact check: earlier contacts that may be about the same child."""

    contacts_in_12_months: int
    # (link id, earlier contact id, its reference, exact | likely | possible)
    candidates: tuple[tuple[str, str, str, str], ...]


@dataclass(frozen=True, kw_only=True)
class LinkDecided(Fact):
    link_id: str
    linked_contact_id: str
    decision: str  # "confirmed" | "rejected"
    contacts_in_12_months: int


@dataclass(frozen=True, kw_only=True)
class AgencyEscalation(Fact):
    """An agency silent at its deadline, escalated to the MASH manager."""

    agency: str
    respond_by: datetime


@dataclass(frozen=True, kw_only=True)
class Noted(Fact):
    """An event about the contact the picture has no rule for yet (a chaser, a repeat-contact
    link, a type added after this code was written): kept, in order, as a timeline entry."""

    event_type: str


# --- the picture ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    agency: str
    request_id: str
    known_to_agency: bool
    late: bool
    received_at: datetime
    event_id: str


@dataclass(frozen=True)
class EarlierContact:
    link_id: str
    contact_id: str
    reference: str
    strength: str
    status: str  # "suggested" | "confirmed" | "rejected"


@dataclass(frozen=True)
class Completion:
    reason: str  # "all_answered" | "deadline_passed"
    answered: tuple[str, ...]
    silent: tuple[str, ...]
    at: datetime


@dataclass
class Picture:
    contact_id: str
    reference: str | None = None
    received_at: datetime | None = None
    has_contact: bool = False
    immediate_risk: bool | None = None
    threshold_outcome: str | None = None
    level_of_need: int | None = None
    rating: str | None = None
    deadline: datetime | None = None
    # agency -> when it must answer (from the latest request naming it, or re-rating moving it)
    requested: dict[str, datetime] = field(default_factory=dict)
    # agency -> its latest answer; an answer may be here before the request that caused it
    answers: dict[str, Answer] = field(default_factory=dict)
    warned_at: datetime | None = None
    breaches: list[datetime] = field(default_factory=list)
    completion: Completion | None = None
    decisions: list[Decided] = field(default_factory=list)
    threshold_at: datetime | None = None
    # (when, rating, deadline) for every rating, the first one included, in order
    rag_history: list[tuple[datetime, str, datetime]] = field(default_factory=list)
    feedback: list[FeedbackGiven] = field(default_factory=list)
    notes: list[Noted] = field(default_factory=list)
    # Repeat contacts: the child's count in the last 12 months and each possible earlier one
    contacts_in_12_months: int | None = None
    earlier_contacts: dict[str, EarlierContact] = field(default_factory=dict)
    escalations: list[AgencyEscalation] = field(default_factory=list)
    # agency -> when that agency itself must answer, for display (the board, the timeline):
    # triage's per-agency deadline from the latest request naming it (or the latest re-rating
    # that moved it), else that request's respond_by; an escalation states the gateway's own
    # deadline for the agency and, coming later, replaces it. Readiness still waits for
    # `respond_by` (every agency's time).
    agency_deadlines: dict[str, datetime] = field(default_factory=dict)

    @property
    def respond_by(self) -> datetime | None:
        return max(self.requested.values()) if self.requested else None

    @property
    def answered(self) -> tuple[str, ...]:
        return tuple(sorted(a for a in self.requested if a in self.answers))

    @property
    def silent(self) -> tuple[str, ...]:
        return tuple(sorted(a for a in self.requested if a not in self.answers))

    @property
    def current_decision(self) -> Decided | None:
        """The decision no later decision replaces (decisions change only by superseding)."""
        replaced = {d.supersedes for d in self.decisions if d.supersedes}
        live = [d for d in self.decisions if d.decision_id not in replaced]
        return live[-1] if live else None

    @property
    def status(self) -> str:
        if self.current_decision is not None:
            return "decided"
        if self.completion is not None:
            return "ready"
        if self.requested:
            return "gathering"
        return "open"

    @property
    def rated_at(self) -> datetime | None:
        return self.rag_history[0][0] if self.rag_history else None

    @property
    def all_answered_at(self) -> datetime | None:
        """When the last agency asked answered, once every one of them has."""
        if not self.requested or self.silent:
            return None
        return max(self.answers[a].received_at for a in self.requested)

    @property
    def decided_at(self) -> datetime | None:
        """When the contact was first decided (a later decision changes it, not the clock)."""
        return min((d.at for d in self.decisions), default=None)

    @property
    def feedback_sent_at(self) -> datetime | None:
        """When the referrer was told the first decision: the email sent, or the outcome
        recorded where there is nothing to send (an email still queued does not count)."""
        if not self.decisions:
            return None
        first = self.decisions[0].decision_id
        times = [
            f.at for f in self.feedback
            if f.decision_id == first and f.audience == "referrer"
            and not (f.channel == "email" and f.status == "recorded")
        ]
        return min(times, default=None)

    @property
    def rating_rank(self) -> int:
        return RATING_RANK.get(self.rating or "", UNRATED_RANK)

    @property
    def due_at(self) -> datetime | None:
        """When the MASH must have decided: the RAG deadline, else the agencies' deadline."""
        return self.deadline or self.respond_by

    def time_left(self, now: datetime) -> timedelta | None:
        due = self.due_at
        return None if due is None else due - now


def _apply(picture: Picture, fact: Fact) -> None:
    match fact:
        case ContactArrived():
            picture.has_contact = True
            picture.reference = fact.reference
            picture.received_at = fact.received_at
            picture.immediate_risk = fact.immediate_risk
        case ThresholdScreened():
            picture.threshold_outcome = fact.outcome
            picture.level_of_need = fact.level_of_need
            picture.threshold_at = fact.at
        case RagRatingSet():
            picture.rating = fact.rating
            picture.deadline = fact.deadline
            picture.rag_history.append((fact.at, fact.rating, fact.deadline))
        case InformationSought():
            picture.reference = picture.reference or fact.reference
            if picture.rating is None:
                picture.rating = fact.rating
            own = dict(fact.agency_respond_by)
            for agency in fact.agencies:
                picture.requested[agency] = fact.respond_by
                picture.agency_deadlines[agency] = own.get(agency, fact.respond_by)
        case AgencyDeadlinesMoved():
            # Every agency asked now answers by its new deadline, earlier or later than
            # before; readiness follows the new respond_by. An escalation before the move
            # stated the old deadline and is replaced; one after it states the new one.
            own = dict(fact.agency_respond_by)
            for agency in dict.fromkeys([*picture.requested, *own]):
                picture.requested[agency] = fact.respond_by
                picture.agency_deadlines[agency] = own.get(agency, fact.respond_by)
        case AgencyAnswered():
            picture.answers[fact.agency] = Answer(
                agency=fact.agency,
                request_id=fact.request_id,
                known_to_agency=fact.known_to_agency,
                late=fact.late,
                received_at=fact.at,
                event_id=fact.event_id,
            )
        case DeadlineApproaching():
            picture.warned_at = fact.at
        case DeadlineMissed():
            picture.breaches.append(fact.at)
        case PictureComplete():
            if picture.completion is None:  # the first completion stands
                picture.completion = Completion(fact.reason, fact.answered, fact.silent, fact.at)
        case Decided():
            picture.decisions.append(fact)
        case FeedbackGiven():
            picture.feedback.append(fact)
        case EarlierContactsFound():
            picture.contacts_in_12_months = fact.contacts_in_12_months
            for link_id, contact_id, reference, strength in fact.candidates:
                known = picture.earlier_contacts.get(link_id)
                picture.earlier_contacts[link_id] = EarlierContact(
                    link_id, contact_id, reference, strength,
                    known.status if known else "suggested",
                )
        case LinkDecided():
            picture.contacts_in_12_months = fact.contacts_in_12_months
            known = picture.earlier_contacts.get(fact.link_id)
            picture.earlier_contacts[fact.link_id] = EarlierContact(
                fact.link_id, fact.linked_contact_id, known.reference if known else "",
                known.strength if known else "", fact.decision,
            )
        case AgencyEscalation():
            picture.escalations.append(fact)
            picture.agency_deadlines[fact.agency] = fact.respond_by
        case Noted():
            picture.notes.append(fact)


def fold(contact_id: str, facts: Iterable[Fact]) -> Picture:
    """The picture from every fact about one contact, whatever order they arrived in."""
    picture = Picture(contact_id)
    for fact in sorted(facts, key=lambda f: (f.at, f.event_id)):
        _apply(picture, fact)
    picture.decisions = _in_succession(picture.decisions)
    return picture


def _in_succession(decisions: list[Decided]) -> list[Decided]:
    """Each decision after the one it supersedes, even when their clocks say otherwise."""
    by_id = {d.decision_id: d for d in decisions}

    def generation(d: Decided) -> int:
        seen: set[str] = set()
        while d.supersedes in by_id and d.decision_id not in seen:
            seen.add(d.decision_id)
            d = by_id[d.supersedes]
        return len(seen)

    return sorted(decisions, key=lambda d: (generation(d), d.at, d.event_id))


def readiness(picture: Picture, now: datetime) -> Completion | None:
    """Whether the picture has just become ready for decision (None if not, or if it was).

    Ready when the contact is known, agencies were asked, and either every one of them has
    answered or their time to answer has run out.
    """
    if picture.completion is not None or not picture.has_contact or not picture.requested:
        return None
    if not picture.silent:
        return Completion("all_answered", picture.answered, (), now)
    respond_by = picture.respond_by
    if respond_by is not None and now >= respond_by:
        return Completion("deadline_passed", picture.answered, picture.silent, now)
    return None
