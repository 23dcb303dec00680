"""The decision maker's threshold decision and the MASH manager's RAG rating as forms, and the
bodies triage takes for them. No framework, no I/O.

The local Levels of Need and the RAG timescales are triage's settings; no service publishes
them, so the console words triage's defaults (README of triage, DOMAIN.md). Triage itself
checks the level against its own setting, and its 422 is shown at the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mash_schemas.codes import AGENCIES

from .form_fields import FormView, Values, chosen, problems_from_422, text

OUTCOMES = {
    "mash": "Into the MASH for information sharing",
    "social_care": "Straight to children's social care",
    "early_help": "Early help",
    "signpost": "Signpost to another service",
    "advice": "Advice given",
    "nfa": "No further action",
}
OUTCOME_HINTS = {
    "mash": "The manager rates its urgency and the agencies are asked what they know",
    "social_care": "For a child at immediate risk, or where the need for social care is clear",
}
SOCIAL_CARE_RESPONSES = {
    "strategy_discussion": "Strategy discussion",
    "section_47": "Section 47 enquiry",
    "section_17": "Section 17 child in need assessment",
}
LEVELS_OF_NEED = {
    "1": "Universal",
    "2": "Early help / additional needs",
    "3": "Targeted / complex",
    "4": "Specialist / acute (statutory)",
}
LAWFUL_BASES = {
    "consent": "Consent",
    "public_task": "Public task",
    "legal_obligation": "Legal obligation",
    "vital_interests": "Vital interests",
}
LAWFUL_BASIS_HINTS = {
    "consent": "Informed consent was given for this sharing",
    "public_task": "Safeguarding is the local authority's public task",
    "legal_obligation": "The law requires the information to be shared",
    "vital_interests": "To protect someone's life",
}
# Triage's default timescales (MASH_TRIAGE_RAG_TIMESCALE_HOURS, AROUND_THE_CLOCK).
RATINGS = {
    "red": ("Red", "Within 4 hours of receipt, worked around the clock"),
    "amber": ("Amber", "Within 24 working hours of receipt"),
    "green": ("Green", "Within 72 working hours of receipt"),
}
STATUSES = {
    "awaiting_threshold": "Awaiting screening",
    "awaiting_rating": "In the MASH, awaiting a RAG rating",
    "rated": "In the MASH, rated",
    "closed": "Screened out of the MASH",
    "decided": "Decided: has left the MASH",
}
STRENGTHS = {"exact": "Exact: the same NHS number", "likely": "Likely", "possible": "Possible"}
BASES = {"nhs_number": "NHS number", "name": "name", "date_of_birth": "date of birth",
         "postcode": "postcode"}
LINK_STATUSES = {"proposed": "Not decided", "confirmed": "Same child (confirmed)",
                 "rejected": "Not the same child (rejected)"}
LINK_DECISIONS = {"confirmed": "Yes, it is the same child",
                  "rejected": "No, it is a different child"}

THRESHOLD_ORDER = ("outcome", "social_care_response", "level_of_need", "consent-lawful_basis",
                   "consent-override_reason", "rationale")
RATING_ORDER = ("rating", "agencies", "rationale")


@dataclass
class Form:
    body: dict[str, Any]
    problems: dict[str, str] = field(default_factory=dict)


def threshold_decision(values: Values) -> Form:
    """The decision maker's screening. Sharing with agencies needs a recorded lawful basis."""
    problems: dict[str, str] = {}
    body: dict[str, Any] = {}
    outcome = text(values, "outcome")
    if outcome in OUTCOMES:
        body["outcome"] = outcome
    else:
        problems["outcome"] = "Choose what happens next"
    if response := text(values, "social_care_response"):  # triage says if it does not fit
        body["social_care_response"] = response
    level = text(values, "level_of_need")
    if level.isdigit():
        body["level_of_need"] = int(level)
    else:
        problems["level_of_need"] = "Choose the level of need"
    basis = text(values, "consent-lawful_basis")
    if basis:
        consent: dict[str, Any] = {"lawful_basis": basis}
        reason = text(values, "consent-override_reason")
        if basis != "consent":
            if reason:
                consent["override_reason"] = reason
            else:
                problems["consent-override_reason"] = (
                    "Say why information is shared without consent")
        body["consent"] = consent
    elif outcome == "mash":
        problems["consent-lawful_basis"] = (
            "Choose the lawful basis for sharing information with the agencies")
    if rationale := text(values, "rationale"):
        body["rationale"] = rationale
    else:
        problems["rationale"] = "Give the reasons for your decision"
    return Form(body, problems)


def rag_rating(values: Values, *, current: str | None, first: bool) -> Form:
    """The manager's rating; the first one also chooses the agencies to ask."""
    problems: dict[str, str] = {}
    body: dict[str, Any] = {}
    rating = text(values, "rating")
    if rating not in RATINGS:
        problems["rating"] = "Choose red, amber or green"
    elif rating == current:
        problems["rating"] = (f"It is already rated {rating}: a new rating must change it")
    else:
        body["rating"] = rating
    if first:
        agencies = [a for a in chosen(values, "agencies") if a in AGENCIES]
        if agencies:
            body["agencies"] = agencies
        else:
            problems["agencies"] = "Choose at least one agency to ask for information"
    if rationale := text(values, "rationale"):
        body["rationale"] = rationale
    else:
        problems["rationale"] = ("Give the reasons for this rating" if first else
                                 "Give the reasons for changing the rating")
    return Form(body, problems)


def _field_of(order: Sequence[str]) -> Any:
    def field_of(loc: Sequence[Any]) -> str | None:
        parts = [str(p) for p in loc]
        if parts == ["consent"]:  # triage's consent rules are about the override reason
            return "consent-override_reason"
        name = "-".join(parts[:2]) if parts and parts[0] == "consent" else (
            parts[0] if parts else "")
        return name if name in order else None

    return field_of


def problems_of(detail: Any, order: Sequence[str]) -> dict[str, str]:
    return problems_from_422(detail, _field_of(order))


def view(values: Values, problems: Mapping[str, str] | None, order: Sequence[str]) -> FormView:
    return FormView(values=values, errors=dict(problems or {}), order=order)
