"""Triage in the MASH's own words: screening, the threshold decision, the RAG rating.

Pure rules, no framework and no I/O. A contact moves through these states, and moving to a
wrong one is an `IllegalTransition` whose message a decision maker or manager can act on:

    awaiting_threshold --threshold "mash"------> awaiting_rating --rating--> rated (re-rated)
            |                                          |                       |
            +--any other threshold outcome--> closed   +-------decision made---+--> decided
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    AWAITING_THRESHOLD = "awaiting_threshold"
    CLOSED = "closed"  # screened out: early help, signpost, advice, NFA, straight to social care
    AWAITING_RATING = "awaiting_rating"
    RATED = "rated"
    DECIDED = "decided"  # the MASH decided what happens next: the contact has left the MASH


INTO_THE_MASH = "mash"
SOCIAL_CARE = "social_care"
# What "straight to social care" starts (immediate risk: a strategy discussion, a section 47
# enquiry; otherwise a section 17 child in need assessment).
SOCIAL_CARE_RESPONSES = ("strategy_discussion", "section_47", "section_17")
# The lawful bases for sharing (DfE "Information sharing", May 2024). Any but consent means
# sharing without consent, and the reason for overriding it is recorded.
LAWFUL_BASES = ("public_task", "legal_obligation", "vital_interests", "consent")


class TriageError(Exception):
    """A rule of triage refused the request; the message is for the person who asked."""


class IllegalTransition(TriageError):
    """The contact is not in a state where this can happen (HTTP 409)."""


class InvalidDecision(TriageError):
    """The request is well-formed but breaks a local rule, e.g. an unknown level (HTTP 422)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class TriageContact:
    contact_id: str
    reference: str
    received_at: datetime
    immediate_risk: bool
    status: Status = Status.AWAITING_THRESHOLD
    outcome: str | None = None
    level_of_need: int | None = None
    rating: str | None = None


@dataclass(frozen=True)
class ConsentDecision:
    """Whether information is shared on consent, or on another lawful basis and why."""

    lawful_basis: str
    override_reason: str | None = None

    @property
    def overridden(self) -> bool:
        return self.lawful_basis != "consent"


def check_consent(consent: ConsentDecision) -> ConsentDecision:
    if consent.lawful_basis not in LAWFUL_BASES:
        raise InvalidDecision(
            f"the lawful basis must be one of {', '.join(LAWFUL_BASES)}", "consent"
        )
    reason = (consent.override_reason or "").strip()
    if consent.overridden and not reason:
        raise InvalidDecision(
            f"sharing on {consent.lawful_basis.replace('_', ' ')} rather than consent needs "
            "the reason for overriding consent", "consent"
        )
    if not consent.overridden and reason:
        raise InvalidDecision(
            "sharing rests on consent: there is no override to give a reason for", "consent"
        )
    return ConsentDecision(consent.lawful_basis, reason or None)


def decide_threshold(
    contact: TriageContact, *, outcome: str, level_of_need: int, levels_of_need: int,
    rationale: str, consent: ConsentDecision | None = None,
    social_care_response: str | None = None,
) -> TriageContact:
    """The decision maker's screening against the local Levels of Need; made once."""
    if contact.outcome is not None:
        raise IllegalTransition(
            f"{contact.reference} already has a threshold decision (outcome "
            f"{contact.outcome!r}, level of need {contact.level_of_need}); it is made once"
        )
    if contact.status is Status.DECIDED:
        raise IllegalTransition(
            f"{contact.reference} has left the MASH: a decision was already made about it"
        )
    if not 1 <= level_of_need <= levels_of_need:
        raise InvalidDecision(
            f"level of need must be between 1 and {levels_of_need} (the local Levels of Need)",
            "level_of_need",
        )
    if not rationale.strip():
        raise InvalidDecision("a threshold decision needs its rationale", "rationale")
    if social_care_response is not None:
        if outcome != SOCIAL_CARE:
            raise InvalidDecision(
                f"a social care response (strategy discussion, section 47 or 17) goes with the "
                f"outcome social_care, not {outcome!r}", "social_care_response"
            )
        if social_care_response not in SOCIAL_CARE_RESPONSES:
            raise InvalidDecision(
                f"the social care response must be one of {', '.join(SOCIAL_CARE_RESPONSES)}",
                "social_care_response",
            )
    if consent is not None:
        check_consent(consent)
    status = Status.AWAITING_RATING if outcome == INTO_THE_MASH else Status.CLOSED
    return dataclasses.replace(
        contact, status=status, outcome=outcome, level_of_need=level_of_need
    )


def rate(contact: TriageContact, *, rating: str, rationale: str) -> TriageContact:
    """The MASH manager's RAG rating; raised or lowered at any time while in the MASH."""
    if contact.status is Status.DECIDED:
        raise IllegalTransition(
            f"{contact.reference} has left the MASH (a decision was made), so it can no "
            "longer be rated"
        )
    if contact.outcome is None:
        raise IllegalTransition(
            f"{contact.reference} has no threshold decision yet: a contact is RAG rated only "
            "after a decision maker puts it into the MASH"
        )
    if contact.outcome != INTO_THE_MASH:
        raise IllegalTransition(
            f"{contact.reference} did not enter the MASH (threshold outcome "
            f"{contact.outcome!r}); only contacts in the MASH are RAG rated"
        )
    if contact.rating == rating:
        raise IllegalTransition(
            f"{contact.reference} is already rated {rating}; a re-rating must change the rating"
        )
    if not rationale.strip():
        raise InvalidDecision("a RAG rating needs its rationale", "rationale")
    return dataclasses.replace(contact, status=Status.RATED, rating=rating)


def record_decision(contact: TriageContact) -> TriageContact:
    """The MASH decided: the contact leaves the MASH and its clock stops. A revised decision
    (one that supersedes another) finds it already decided, which changes nothing."""
    return dataclasses.replace(contact, status=Status.DECIDED)


def is_first_rating(contact: TriageContact) -> bool:
    return contact.rating is None


# The order both queues are worked in: immediate risk first, then the oldest contact first;
# the contact id only makes the order total. The SQL in service_layer/queries.py is the same.
def queue_order_key(immediate_risk: bool, received_at: datetime, contact_id: str) -> tuple[
    bool, datetime, str
]:
    return (not immediate_risk, received_at, contact_id)


def in_queue_order(contacts: Iterable[TriageContact]) -> list[TriageContact]:
    return sorted(
        contacts, key=lambda c: queue_order_key(c.immediate_risk, c.received_at, c.contact_id)
    )


def agencies_for(
    level_of_need: int, defaults: Mapping[int, Sequence[str]],
    concerns: Sequence[str] = (), by_concern: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    """The default agencies to consult: those of the highest configured level not above this
    one (so a five-level area can configure only the levels that differ), then those the
    concern types call for (e.g. domestic abuse: police), without repeats."""
    levels = [lvl for lvl in defaults if lvl <= level_of_need]
    if not levels:
        raise InvalidDecision(f"no default agencies are configured for level {level_of_need}")
    chosen = list(defaults[max(levels)])
    for code in concerns:
        chosen.extend((by_concern or {}).get(code, ()))
    return list(dict.fromkeys(chosen))


def choose_agencies(
    requested: Sequence[str] | None, level_of_need: int, defaults: Mapping[int, Sequence[str]],
    concerns: Sequence[str] = (), by_concern: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    if requested:
        return list(dict.fromkeys(requested))  # keep the manager's order, drop repeats
    return agencies_for(level_of_need, defaults, concerns, by_concern)


def need_to_know(personal: Mapping[str, Any]) -> dict[str, Any]:
    """What the gateway may pick from for agencies: the child, the concern, the household and
    significant adults; never the referrer or the consent narrative. Each agency is then sent
    only its own profile's fields (need to know; DOMAIN.md, information sharing)."""
    return {
        "child": personal.get("child"),
        "concern": personal.get("concern"),
        "household": personal.get("household") or [],
        "significant_adults": personal.get("significant_adults") or [],
    }


def child_summary(personal: Mapping[str, Any]) -> dict[str, Any]:
    """What a screening list shows of the child: enough to recognise them, no more."""
    child = personal.get("child") or {}
    return {
        "first_name": child.get("first_name"),
        "last_name": child.get("last_name"),
        "date_of_birth": child.get("date_of_birth"),
        "expected_due_date": child.get("expected_due_date"),
    }
