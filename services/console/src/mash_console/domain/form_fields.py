"""What every console form shares: posted values, GOV.UK dates, and a service's 422 shown beside
the field that caused it. No framework, no I/O.

A form's field names follow the service's body: the 422's `loc` (after "body") joined with "-"
is the field's name and id (`children-0-first_name`), so a problem lands where it was typed.
A date is three inputs (`<name>-day`, `-month`, `-year`) and its problems link to the day.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

Values = Mapping[str, Any]  # what was posted (a list where a name came more than once)
FORM = "form"  # the key of a problem that is about no one field


def text(values: Values, name: str) -> str:
    """A posted value as stripped text ('' when absent)."""
    value = values.get(name)
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    return value.strip() if isinstance(value, str) else ""


def chosen(values: Values, name: str) -> list[str]:
    """The ticked values of a checkbox group (in the order posted, no repeats)."""
    value = values.get(name)
    items = value if isinstance(value, list) else [value]
    return list(dict.fromkeys(v.strip() for v in items if isinstance(v, str) and v.strip()))


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


# --- dates, the GOV.UK way (three boxes) -------------------------------------------------------

DATE_PARTS = ("day", "month", "year")


@dataclass(frozen=True)
class ParsedDate:
    value: date | None = None
    problem: str | None = None
    raw: str = ""  # what was typed, as day/month/year


def parse_date(values: Values, name: str, label: str) -> ParsedDate:
    """'Date of birth must include a month', '... must be a real date' (GOV.UK wording)."""
    day, month, year = (text(values, f"{name}-{part}") for part in DATE_PARTS)
    raw = f"{day}/{month}/{year}"
    if not (day or month or year):
        return ParsedDate()
    missing = [part for part, v in zip(DATE_PARTS, (day, month, year), strict=True) if not v]
    if missing:
        return ParsedDate(problem=f"{label} must include a {' and a '.join(missing)}", raw=raw)
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        return ParsedDate(problem=f"{label} must be a real date", raw=raw)
    if len(year) != 4:
        return ParsedDate(problem="Year must include 4 numbers", raw=raw)
    try:
        return ParsedDate(date(int(year), int(month), int(day)), raw=raw)
    except ValueError:
        return ParsedDate(problem=f"{label} must be a real date", raw=raw)


# --- a service's 422, beside the fields --------------------------------------------------------


def sentence(message: str) -> str:
    """A service's message as a sentence a person reads beside the field."""
    text_ = re.sub(r"^(Value error|Assertion failed), ", "", str(message)).strip()
    return text_[:1].upper() + text_[1:] if text_ else "This is not valid"


def pattern_of(name: str) -> str:
    """children-3-first_name -> children-N-first_name: one wording for every repeat."""
    return re.sub(r"-\d+-", "-N-", name)


def _generic(kind: str, ctx: Mapping[str, Any], message: str) -> str:
    if kind == "string_too_short":
        return f"Enter at least {ctx.get('min_length', 1)} characters"
    if kind == "string_too_long":
        return f"Enter {ctx.get('max_length')} characters or fewer"
    if kind in ("literal_error", "enum"):
        return "Choose one of the options"
    if kind in ("int_parsing", "int_type"):
        return "Enter a whole number"
    if kind in ("greater_than_equal", "less_than_equal"):
        return "Choose one of the options"
    return sentence(message)


def problems_from_422(
    detail: Any,
    field_of: Callable[[Sequence[Any]], str | None],
    required: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The service's problems as {field name: message}, the first one per field.

    `field_of` turns a `loc` (after "body") into the form's field name, or None when the form
    has no such field (the problem is then about the form as a whole). `required` words the
    "Field required" of each field ("Choose who the contact came from")."""
    found: dict[str, str] = {}
    if not isinstance(detail, list):
        if detail:
            found[FORM] = sentence(str(detail))
        return found
    for err in detail:
        if not isinstance(err, Mapping):
            continue
        loc = [p for p in err.get("loc", []) if p not in ("body",)]
        name = field_of(loc) if loc else None
        key = name or FORM
        kind = str(err.get("type", ""))
        message = str(err.get("msg", "is not valid"))
        if kind == "missing":
            message = (required or {}).get(pattern_of(key)) or "Answer this question"
        else:
            message = _generic(kind, err.get("ctx") or {}, message)
        found.setdefault(key, message)
    return found


@dataclass
class FormView:
    """A form as a template shows it: what was typed, and each field's problem."""

    values: Values = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    dates: frozenset[str] = frozenset()  # names of the date fields (their anchor is -day)
    order: Sequence[str] = ()  # the fields in page order, for the error summary

    def value(self, name: str) -> str:
        value = self.values.get(name)
        if isinstance(value, list):
            return next((v for v in value if isinstance(v, str)), "")
        return value if isinstance(value, str) else ("" if value is None else str(value))

    def chosen(self, name: str) -> list[str]:
        return chosen(self.values, name)

    def error(self, name: str) -> dict[str, str] | None:
        """For a GOV.UK macro's errorMessage."""
        message = self.errors.get(name)
        return {"text": message} if message else None

    def anchor(self, name: str) -> str:
        return f"{name}-day" if name in self.dates else name

    def summary(self) -> list[dict[str, str]]:
        """The error summary's list, in page order, each linking to its field."""
        position = {name: i for i, name in enumerate(self.order)}
        out = []
        for name, message in sorted(self.errors.items(),
                                    key=lambda kv: position.get(kv[0], len(position))):
            item = {"text": message}
            if name in position:
                item["href"] = f"#{self.anchor(name)}"
            out.append(item)
        return out

    def date_items(self, name: str) -> list[dict[str, Any]]:
        """The three boxes of a GOV.UK date input, with what was typed."""
        widths = {"day": 2, "month": 2, "year": 4}
        error = " govuk-input--error" if name in self.errors else ""
        return [
            {"name": part, "value": self.value(f"{name}-{part}"),
             "classes": f"govuk-input--width-{widths[part]}{error}"}
            for part in DATE_PARTS
        ]
