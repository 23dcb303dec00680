"""The Multi Agency Referral Form (MARF) as staff fill it in while on the phone, and the body
intake's `POST /v1/contacts` takes. No framework, no I/O.

Fields are named after intake's body (see form_fields), so intake's 422 lands on the field.
Children, household members and significant adults repeat: the form carries how many of each it
shows (`children-count`), and "Add another" / "Remove" buttons post the whole form back so that
nothing typed is lost (no script needed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mash_schemas.codes import CIN_FACTORS, CONTACT_SOURCES

from .form_fields import FormView, Values, chosen, parse_date, problems_from_422, text, yes_no

# What repeats, how often it may, and how many blocks a new form shows.
LISTS = ("children", "household", "significant_adults")
LIMITS = {"children": (1, 20), "household": (0, 30), "significant_adults": (0, 30)}
NEW_FORM_COUNTS = {"children": 1, "household": 1, "significant_adults": 0}
NOUN = {"children": "Child", "household": "Person in the household",
        "significant_adults": "Significant adult"}

REFERRER_KINDS = {
    "professional": "A professional",
    "public": "A member of the public",
    "anonymous": "Anonymous",
}
CONTACT_TYPES = {"concern": "A concern about a child", "advice": "A request for advice or support"}
GENDERS = {"female": "Female", "male": "Male", "other": "Other", "unknown": "Not known"}
CONSENT = {"yes": "Yes", "no": "No, consent was refused", "not_sought": "Consent was not asked for"}
# The referrer's view of the level of need (intake takes 1 to 5; the local Levels of Need are
# triage's setting, not published by any service: these are its defaults).
REFERRER_LEVELS = {
    "1": "Level 1: universal",
    "2": "Level 2: early help / additional needs",
    "3": "Level 3: targeted / complex",
    "4": "Level 4: specialist / acute (statutory)",
}

CHILD_TEXT = ("first_name", "last_name", "other_names", "nhs_number", "ethnicity", "religion",
              "first_language", "address", "postcode", "phone", "gp", "school", "disability")
CHILD_DATES = {"date_of_birth": "Date of birth", "expected_due_date": "Expected due date"}
PERSON_TEXT = ("name", "relationship", "address", "postcode", "phone")
PERSON_DATES = {"date_of_birth": "Date of birth"}
PERSON_YES_NO = ("parental_responsibility", "lives_with_child")
REFERRER_TEXT = ("name", "role", "agency", "relationship_to_child", "phone", "email")
CONCERN_DATES = {"concern-happened_on": "The date it happened"}
EARLY_HELP_DATES = {"early_help-started_on": "The date the assessment started",
                    "early_help-completed_on": "The date the assessment was completed"}
EARLY_HELP_TEXT = ("organisation", "summary")

# "Field required", in words for each field.
REQUIRED = {
    "contact_source": "Choose who the contact came from",
    "referrer-kind": "Choose who is making the referral",
    "parents_aware": "Say whether the parents or carers know about this contact",
    "concern-summary": "Describe the concern",
    "household-N-relationship": "Give their relationship to the child, for example mother",
    "significant_adults-N-relationship": "Give their relationship to the child, for example "
                                         "uncle",
}

# Sent for a question the console found unanswered or a date it could not read: a value intake
# cannot take at that field (not a date, not a yes/no), so intake refuses the whole form with
# its own problems too, and every problem is shown at once. Nothing is stored on a 422.
UNREADABLE = "not answered"


def counts(values: Values) -> dict[str, int]:
    """How many children, household members and significant adults the form shows."""
    found = {}
    for name in LISTS:
        lowest, highest = LIMITS[name]
        raw = text(values, f"{name}-count")
        number = int(raw) if raw.isdigit() else NEW_FORM_COUNTS[name]
        found[name] = max(lowest, min(highest, number))
    return found


def apply_action(values: Values, action: str) -> dict[str, Any]:
    """'add:children' or 'remove:household:2': the form with a block more or fewer. Blocks
    after a removed one move up, keeping what was typed in them."""
    out = dict(values)
    now = counts(values)
    kind, _, rest = action.partition(":")
    which, _, index = rest.partition(":")
    if which not in LISTS:
        return out
    lowest, highest = LIMITS[which]
    if kind == "add" and now[which] < highest:
        out[f"{which}-count"] = str(now[which] + 1)
        return out
    if kind == "remove" and index.isdigit() and now[which] > lowest:
        gone = int(index)
        prefix = f"{which}-"
        moved: dict[str, Any] = {}
        for name, value in values.items():
            head, _, tail = name[len(prefix):].partition("-")
            if not name.startswith(prefix) or not head.isdigit() or int(head) < gone:
                moved[name] = value
            elif int(head) > gone:
                moved[f"{prefix}{int(head) - 1}-{tail}"] = value
        moved[f"{which}-count"] = str(now[which] - 1)
        return moved
    return out


def field_order(shown: Mapping[str, int]) -> list[str]:
    """Every field in page order (the error summary follows it)."""
    order = ["contact_type", "contact_source", "referrer-kind"]
    order += [f"referrer-{f}" for f in REFERRER_TEXT]
    for i in range(shown["children"]):
        child = [f"children-{i}-{f}" for f in ("first_name", "last_name", "other_names")]
        child += [f"children-{i}-{f}" for f in (*CHILD_DATES, "gender", "nhs_number")]
        child += [f"children-{i}-{f}" for f in ("ethnicity", "religion", "first_language",
                                                "interpreter_needed", "address", "postcode",
                                                "phone", "gp", "school", "disability")]
        order += child
    for which in ("household", "significant_adults"):
        for i in range(shown[which]):
            order += [f"{which}-{i}-{f}" for f in ("name", "relationship", "date_of_birth",
                                                   *PERSON_YES_NO, "address", "postcode",
                                                   "phone")]
    order += ["concern-summary", "concern-happened_on", "concern-factors",
              "concern-referrer_level_of_need", "concern-immediate_risk"]
    order += ["parents_aware", "parents_not_aware_reason", "consent_given", "consent_given_by",
              "consent_covers", "consent_not_sought_reason"]
    order += ["early_help-started_on", "early_help-completed_on", "early_help-organisation",
              "early_help-summary"]
    return order


def date_fields(shown: Mapping[str, int]) -> frozenset[str]:
    names = set(CONCERN_DATES) | set(EARLY_HELP_DATES)
    names |= {f"children-{i}-{d}" for i in range(shown["children"]) for d in CHILD_DATES}
    for which in ("household", "significant_adults"):
        names |= {f"{which}-{i}-date_of_birth" for i in range(shown[which])}
    return frozenset(names)


@dataclass
class Built:
    """The body for intake, the console's own problems, and where each sent list item came
    from on the form (blank household blocks are not sent, so the indexes can differ)."""

    body: dict[str, Any]
    shown: dict[str, int]
    problems: dict[str, str] = field(default_factory=dict)
    sent_from: dict[str, list[int]] = field(default_factory=dict)

    def field_of(self, loc: Sequence[Any]) -> str | None:
        """intake's loc -> the form's field name (None: not a field on this form)."""
        parts = [str(p) for p in loc]
        if len(parts) >= 2 and parts[0] in self.sent_from and parts[1].isdigit():
            sent = int(parts[1])
            origin = self.sent_from[parts[0]]
            parts[1] = str(origin[sent] if sent < len(origin) else sent)
            if len(parts) == 2:  # the whole child or person: show it at its first question
                parts.append("first_name" if parts[0] == "children" else "name")
            parts = parts[:3]
        elif parts and parts[0] in ("referrer", "concern", "early_help"):
            parts = parts[:2]
        else:
            parts = parts[:1]
        name = "-".join(parts)
        return name if name in field_order(self.shown) else None


def _date(values: Values, name: str, label: str, target: dict[str, Any], key: str,
          problems: dict[str, str]) -> None:
    parsed = parse_date(values, name, label)
    if parsed.problem:
        problems[name] = parsed.problem
        target[key] = f"{UNREADABLE}: {parsed.raw}"
    elif parsed.value is not None:
        target[key] = parsed.value.isoformat()


def _yes_no_or_none(values: Values, name: str) -> bool | None:
    return yes_no(text(values, name))


def _child(values: Values, i: int, problems: dict[str, str]) -> dict[str, Any]:
    prefix = f"children-{i}-"
    child: dict[str, Any] = {f: text(values, prefix + f) for f in CHILD_TEXT
                             if text(values, prefix + f)}
    for key, label in CHILD_DATES.items():
        _date(values, prefix + key, label, child, key, problems)
    gender = text(values, prefix + "gender")
    if gender:
        child["gender"] = gender
    interpreter = _yes_no_or_none(values, prefix + "interpreter_needed")
    if interpreter is not None:
        child["interpreter_needed"] = interpreter
    return child


def _person(values: Values, which: str, i: int, problems: dict[str, str]) -> dict[str, Any]:
    prefix = f"{which}-{i}-"
    person: dict[str, Any] = {f: text(values, prefix + f) for f in PERSON_TEXT
                              if text(values, prefix + f)}
    for key, label in PERSON_DATES.items():
        _date(values, prefix + key, label, person, key, problems)
    for key in PERSON_YES_NO:
        answer = _yes_no_or_none(values, prefix + key)
        if answer is not None:
            person[key] = answer
    return person


def build(values: Values) -> Built:
    """The posted form as intake's body for a phone contact (`channel: phone`)."""
    problems: dict[str, str] = {}
    shown = counts(values)
    body: dict[str, Any] = {"contact_type": text(values, "contact_type") or "concern",
                            "channel": "phone"}
    if source := text(values, "contact_source"):
        body["contact_source"] = source

    kind = text(values, "referrer-kind")
    referrer: dict[str, Any] = {"kind": kind} if kind else {}
    for f in REFERRER_TEXT:
        if value := text(values, f"referrer-{f}"):
            referrer[f] = value
    body["referrer"] = referrer

    aware = text(values, "parents_aware")
    if aware in ("yes", "no"):
        body["parents_aware"] = aware == "yes"
    consent = text(values, "consent_given")
    if consent in CONSENT:
        body["consent_given"] = {"yes": True, "no": False}.get(consent)
    else:
        problems["consent_given"] = "Say whether consent to share information was given"
        body["consent_given"] = UNREADABLE
    # Every box is shown whatever the answers (no hidden boxes): what is typed is sent, and
    # intake says if it does not fit the answers.
    for f in ("parents_not_aware_reason", "consent_given_by", "consent_covers",
              "consent_not_sought_reason"):
        if value := text(values, f):
            body[f] = value

    body["children"] = [_child(values, i, problems) for i in range(shown["children"])]
    sent_from: dict[str, list[int]] = {"children": list(range(shown["children"]))}
    for which in ("household", "significant_adults"):
        people, origin = [], []
        for i in range(shown[which]):
            person = _person(values, which, i, problems)
            if person:  # a block left blank is not a person
                people.append(person)
                origin.append(i)
        if people:
            body[which] = people
        sent_from[which] = origin

    concern: dict[str, Any] = {}
    if summary := text(values, "concern-summary"):
        concern["summary"] = summary
    for name, label in CONCERN_DATES.items():
        _date(values, name, label, concern, name.split("-", 1)[1], problems)
    if factors := chosen(values, "concern-factors"):
        concern["factors"] = factors
    risk = text(values, "concern-immediate_risk")
    if risk in ("yes", "no"):
        concern["immediate_risk"] = risk == "yes"
    else:
        problems["concern-immediate_risk"] = ("Say whether the child is at immediate risk of "
                                              "significant harm")
        concern["immediate_risk"] = UNREADABLE
    if (level := text(values, "concern-referrer_level_of_need")).isdigit():
        concern["referrer_level_of_need"] = int(level)
    body["concern"] = concern

    early: dict[str, Any] = {f: text(values, f"early_help-{f}") for f in EARLY_HELP_TEXT
                             if text(values, f"early_help-{f}")}
    for name, label in EARLY_HELP_DATES.items():
        _date(values, name, label, early, name.split("-", 1)[1], problems)
    if early:
        body["early_help"] = early
    return Built(body, shown, problems, sent_from)


def problems_of(detail: Any, built: Built) -> dict[str, str]:
    """intake's 422 as the form's problems, each at its field (the console's own win)."""
    found = problems_from_422(detail, built.field_of, REQUIRED)
    return {**found, **built.problems}


def with_whose(problems: Mapping[str, str], shown: Mapping[str, int]) -> dict[str, str]:
    """'Child 2: ...' where the form has several of a thing, so the summary says whose."""
    out = {}
    for name, message in problems.items():
        head, _, rest = name.partition("-")
        index, _, _ = rest.partition("-")
        if head in LISTS and index.isdigit() and (head != "children" or shown[head] > 1):
            message = f"{NOUN[head]} {int(index) + 1}: {message}"
        out[name] = message
    return out


def view(values: Values, problems: Mapping[str, str] | None = None) -> FormView:
    shown = counts(values)
    return FormView(values=values, errors=with_whose(problems or {}, shown),
                    dates=date_fields(shown), order=field_order(shown))


def factor_items() -> list[tuple[str, str]]:
    """(code, label) for the concern checkboxes: labels with their code (several CIN factors
    share a name, e.g. the five kinds of private fostering)."""
    return [(code, f"{label} ({code})") for code, label in CIN_FACTORS.items()]


def source_items() -> list[tuple[str, str]]:
    return [(code, f"{label} ({code})") for code, label in CONTACT_SOURCES.items()]
