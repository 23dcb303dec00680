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

# The defaults a MASH starts from (DOMAIN.md; issue 5 deepens them). Settings override both.
DEFAULT_FIELDS: tuple[str, ...] = (
    "child.first_name",
    "child.last_name",
    "child.date_of_birth",
    "child.expected_due_date",
)
AGENCY_EXTRA_FIELDS: dict[str, tuple[str, ...]] = {
    "police": ("child.address", "child.postcode"),
    "health": ("child.nhs_number", "child.gp"),
    "education": ("child.school",),
}

_MISSING = object()


def _lookup(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _place(out: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = out
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def pick(record: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """Only the named fields of `record`, keeping their nesting; absent or empty ones left out."""
    out: dict[str, Any] = {}
    for path in fields:
        value = _lookup(record, path)
        if value is _MISSING or value is None or value == "":
            continue
        _place(out, path, value)
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
