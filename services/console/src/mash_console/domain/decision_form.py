"""The manager's decision form: what each outcome asks for, the body the decision service takes
(`MakeDecision`, POST /v1/contacts/{id}/decision), and its 422s back onto the form's fields.
No framework, no I/O.

The console checks only that what an outcome needs was given and is well formed; the rules
(the levels of need on the local scale, who must take part in a strategy discussion) are the
decision service's, and its 422 lands beside the field it names.

The receiving team is asked under each outcome that needs one (three inputs, one per outcome,
so each reveal has its own labelled field); the one under the chosen outcome is sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from mash_schemas.codes import AGENCIES

from .form_fields import FormView, Values, chosen, parse_date, problems_from_422, text

OUTCOMES: tuple[tuple[str, str, str], ...] = (
    ("social_care_s47", "Children's social care: child protection enquiry (section 47)",
     "Reasonable cause to suspect significant harm. Needs the strategy discussion."),
    ("social_care_s17", "Children's social care: child in need assessment (section 17)",
     "A child in need: a Children and Family assessment."),
    ("early_help", "Early help assessment", "Needs below the social care threshold."),
    ("signpost", "Signpost to another service", "Point the family to a service that can help."),
    ("advice", "Advice, no further action", "Advice to the referrer; the MASH does no more."),
    ("nfa", "No further action", "No further action by the MASH."),
)
OUTCOME_VALUES = tuple(v for v, _, _ in OUTCOMES)
NEEDS_TEAM = ("social_care_s47", "social_care_s17", "early_help")
TEAM_LABELS = {
    "social_care_s47": "Receiving team for the section 47 enquiry",
    "social_care_s17": "Receiving team for the child in need assessment",
    "early_help": "Receiving early help team",
}
# Working Together 2023: at least these take part; the service checks it.
STRATEGY_CORE = ("childrens-social-care", "police", "health")
UK = ZoneInfo("Europe/London")
TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")

# The fields in page order (for the error summary); the date's anchor is its day box.
ORDER: tuple[str, ...] = (
    "outcome",
    "receiving_team-social_care_s47",
    "strategy_discussion_agencies",
    "strategy_discussion_at",
    "strategy_discussion_time",
    "receiving_team-social_care_s17",
    "receiving_team-early_help",
    "signpost_service",
    "level_of_need",
    "rationale",
)
REQUIRED = {
    "outcome": "Choose what happens next",
    "level_of_need": "Enter the level of need",
    "rationale": "Enter the rationale for the decision",
    "strategy_discussion_agencies": "Select the agencies that took part in the strategy "
                                    "discussion",
    "signpost_service": "Enter the service the family is signposted to",
    **{f"receiving_team-{o}": "Enter the receiving team" for o in NEEDS_TEAM},
}


def team_field(outcome: str) -> str:
    return f"receiving_team-{outcome}"


@dataclass
class Parsed:
    body: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _discussion_at(values: Values, errors: dict[str, str]) -> str | None:
    """The strategy discussion's date and time (UK time) as UTC ISO 8601, or None."""
    day = parse_date(values, "strategy_discussion_at", "The date of the strategy discussion")
    clock = text(values, "strategy_discussion_time")
    if day.problem:
        errors["strategy_discussion_at"] = day.problem
        return None
    if day.value is None:
        if clock:
            errors["strategy_discussion_at"] = "Enter the date of the strategy discussion"
        return None
    if not clock:
        errors["strategy_discussion_time"] = "Enter the time of the strategy discussion"
        return None
    match = TIME.match(clock)
    if not match:
        errors["strategy_discussion_time"] = ("Enter the time of the strategy discussion in "
                                              "24-hour format, like 14:30")
        return None
    local = datetime(day.value.year, day.value.month, day.value.day, int(match[1]),
                     int(match[2]), tzinfo=UK)
    return local.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")


def parse(values: Values) -> Parsed:
    """The decision service's body from the posted form, or the form's own problems."""
    errors: dict[str, str] = {}
    outcome = text(values, "outcome")
    if outcome not in OUTCOME_VALUES:
        errors["outcome"] = REQUIRED["outcome"]
    level_text = text(values, "level_of_need")
    level: int | None = None
    if not level_text:
        errors["level_of_need"] = REQUIRED["level_of_need"]
    elif not level_text.isdigit():
        errors["level_of_need"] = "Level of need must be a whole number, like 3"
    elif int(level_text) < 1:
        errors["level_of_need"] = "Level of need must be 1 or more"
    else:
        level = int(level_text)
    rationale = text(values, "rationale")
    if not rationale:
        errors["rationale"] = REQUIRED["rationale"]
    body: dict[str, Any] = {"outcome": outcome, "level_of_need": level, "rationale": rationale}
    if outcome in NEEDS_TEAM:
        team = text(values, team_field(outcome))
        if not team:
            errors[team_field(outcome)] = REQUIRED[team_field(outcome)]
        body["receiving_team"] = team
    if outcome == "social_care_s47":
        agencies = [a for a in chosen(values, "strategy_discussion_agencies") if a in AGENCIES]
        if not agencies:
            errors["strategy_discussion_agencies"] = REQUIRED["strategy_discussion_agencies"]
        body["strategy_discussion_agencies"] = agencies
        at = _discussion_at(values, errors)
        if at:
            body["strategy_discussion_at"] = at
    if outcome == "signpost":
        service = text(values, "signpost_service")
        if not service:
            errors["signpost_service"] = REQUIRED["signpost_service"]
        body["signpost_service"] = service
    supersedes = text(values, "supersedes")
    if supersedes:
        body["supersedes"] = supersedes
    return Parsed({} if errors else body, errors)


def field_of(outcome: str) -> Any:
    """A 422's `loc` (after "body") -> the form's field for the outcome chosen."""

    def which(loc: Sequence[Any]) -> str | None:
        name = str(loc[0]) if loc else ""
        if name == "receiving_team":
            return team_field(outcome) if outcome in NEEDS_TEAM else "outcome"
        if name in ("outcome", "level_of_need", "rationale", "strategy_discussion_agencies",
                    "strategy_discussion_at", "signpost_service"):
            return name
        return None  # supersedes, or a field this form does not have: the form as a whole

    return which


def problems(detail: Any, outcome: str) -> dict[str, str]:
    """The decision service's 422 as {field: message}."""
    return problems_from_422(detail, field_of(outcome), REQUIRED)


def view(values: Values | None = None, errors: Mapping[str, str] | None = None) -> FormView:
    return FormView(values=dict(values or {}), errors=dict(errors or {}),
                    dates=frozenset({"strategy_discussion_at"}), order=ORDER)
