"""Need to know: which fields of a contact each agency is sent. No framework, no I/O.

A profile is data, not code: a list of dotted paths into the need-to-know record triage seals
for the hub (``{"child": {"first_name": ..., "date_of_birth": ..., "school": ...}, ...}``, the
same shape as the child on the referral form). Every agency receives the default fields plus
its own extras; a field the contact does not hold is simply not sent, and nothing outside the
profile ever leaves the hub.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The defaults a MASH starts from (DOMAIN.md, issue 5). Settings override every one of them.
DEFAULT_FIELDS: tuple[str, ...] = (
    "child.first_name",
    "child.last_name",
    "child.date_of_birth",
    "child.expected_due_date",
)
_ADDRESS = ("child.address", "child.postcode")
# `household` and `significant_adults` are lists of people on the referral form (intake's
# `Person`): a path through a list picks that field of every member.
_HOUSEHOLD_ADULTS = tuple(
    f"{group}.{field}"
    for group in ("household", "significant_adults")
    for field in ("name", "date_of_birth", "relationship", "address", "postcode")
)
AGENCY_EXTRA_FIELDS: dict[str, tuple[str, ...]] = {
    "police": (*_ADDRESS, *_HOUSEHOLD_ADULTS),
    "health": ("child.nhs_number", "child.gp"),
    "childrens-social-care": (*_ADDRESS, *_HOUSEHOLD_ADULTS),
    "adult-safeguarding": _HOUSEHOLD_ADULTS,
    "education": ("child.school",),
    "probation": _HOUSEHOLD_ADULTS,
    "housing": _ADDRESS,
    "youth-offending": (*_ADDRESS, "child.school"),
    "camhs": ("child.nhs_number", "child.gp", "child.school"),
}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def _pick(value: Any, paths: list[list[str]]) -> Any:
    """`value` cut down to `paths` (each a list of keys; [] means the whole value)."""
    if any(not p for p in paths):
        return value
    if isinstance(value, Mapping):
        heads: dict[str, list[list[str]]] = {}
        for head, *rest in paths:
            heads.setdefault(head, []).append(rest)
        out = {}
        for head, rests in heads.items():
            if head in value:
                picked = _pick(value[head], rests)
                if not _empty(picked):
                    out[head] = picked
        return out
    if isinstance(value, list):
        items = [_pick(item, paths) for item in value if isinstance(item, Mapping)]
        return [i for i in items if not _empty(i)]
    return None  # a path that goes deeper than the record: nothing there


def pick(record: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """Only the named fields of `record`, keeping their nesting; absent or empty ones left out.
    A path through a list (``household.first_name``) picks that field of every member."""
    picked = _pick(record, [f.split(".") for f in dict.fromkeys(fields)])
    return picked if isinstance(picked, dict) else {}


def field_paths(details: Mapping[str, Any], prefix: str = "") -> set[str]:
    """The dotted paths of every leaf in `details` (list members share their path)."""
    out: set[str] = set()
    for key, value in details.items():
        path = f"{prefix}{key}"
        members = value if isinstance(value, list) else [value]
        for member in members:
            if isinstance(member, Mapping):
                out |= field_paths(member, f"{path}.")
            else:
                out.add(path)
    return out


@dataclass(frozen=True)
class NeedToKnowProfiles:
    default: tuple[str, ...] = DEFAULT_FIELDS
    extra: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(AGENCY_EXTRA_FIELDS))

    def fields_for(self, agency: str) -> tuple[str, ...]:
        fields = list(self.default)
        fields += [f for f in self.extra.get(agency, ()) if f not in fields]
        return tuple(fields)

    def subject_details(self, agency: str, need_to_know: Mapping[str, Any]) -> dict[str, Any]:
        """What `agency` may be told about the child, out of everything triage shared."""
        return pick(need_to_know, self.fields_for(agency))
