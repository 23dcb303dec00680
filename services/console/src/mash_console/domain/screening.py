"""The decision maker's threshold decision and the MASH manager's RAG rating as forms, and the
bodies triage takes for them. No framework, no I/O.

The local Levels of Need and the RAG timescales are each council's own: triage's settings,
which triage publishes (`GET /v1/settings`). `local_practice` words them for the forms; the
console invents none. Triage itself checks the level against its own setting, and its 422 is
shown at the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time
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
# The RAG scheme itself (the contract's RagRating); each rating's timescale is triage's.
RATING_NAMES = {"red": "Red", "amber": "Amber", "green": "Green"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
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


@dataclass(frozen=True)
class LocalPractice:
    """Triage's settings as the forms word them."""

    levels: dict[str, str]  # "5" -> "Level 5: Acute" (or "Level 4" where it has no name)
    ratings: dict[str, tuple[str, str]]  # "amber" -> ("Amber", "Within 8 working hours ...")
    working_hours: str | None  # "9am to 5pm, Monday to Friday, ..."; None if none counts them


def local_practice(settings: Mapping[str, Any]) -> LocalPractice:
    """From triage's `GET /v1/settings`; ValueError if the answer is not of that shape."""
    try:
        levels = {
            str(int(lv["level"])): f"Level {int(lv['level'])}" + (
                f": {_sentence(lv['name'])}" if lv.get("name") else "")
            for lv in settings["levels_of_need"]
        }
        timescales = {t["rating"]: t for t in settings["ratings"]}
        ratings = {rating: (name, _timescale(float(timescales[rating]["hours"]),
                                             bool(timescales[rating]["around_the_clock"])))
                   for rating, name in RATING_NAMES.items()}
        counted = not all(t["around_the_clock"] for t in timescales.values())
        hours = _working_hours(settings["working_hours"]) if counted else None
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"triage's settings are not of the expected shape: {exc!r}") from exc
    if not levels:
        raise ValueError("triage's settings name no levels of need")
    return LocalPractice(levels, ratings, hours)


def _sentence(name: str) -> str:
    return name[:1].upper() + name[1:]


def _hours(hours: float, unit: str) -> str:
    amount = f"{hours:g}"
    return f"{amount} {unit}" if hours == 1 else f"{amount} {unit}s"


def _timescale(hours: float, around_the_clock: bool) -> str:
    if around_the_clock:
        return f"Within {_hours(hours, 'hour')} of receipt, worked around the clock"
    return f"Within {_hours(hours, 'working hour')} of receipt"


def _clock(value: str) -> str:
    """'08:30:00' -> '8:30am', '17:00:00' -> '5pm', '12:00' -> 'midday'."""
    t = time.fromisoformat(value)
    if (t.hour, t.minute) == (12, 0):
        return "midday"
    hour = t.hour % 12 or 12
    return f"{hour}{f':{t.minute:02d}' if t.minute else ''}{'am' if t.hour < 12 else 'pm'}"


def _days(days: Sequence[int]) -> str:
    ordered = sorted(set(days))
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{WEEKDAYS[ordered[0] - 1]} to {WEEKDAYS[ordered[-1] - 1]}"
    names = [WEEKDAYS[d - 1] for d in ordered]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _working_hours(hours: Mapping[str, Any]) -> str:
    text = f"{_clock(hours['opens'])} to {_clock(hours['closes'])}, {_days(hours['days'])}"
    closed = []
    if hours.get("bank_holidays_closed"):
        closed.append("bank holidays")
    if hours.get("closed_days"):
        closed.append("local closures")
    return f"{text}, except {' and '.join(closed)}" if closed else text


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
    if rating not in RATING_NAMES:
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
