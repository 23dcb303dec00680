"""Staff, their roles, and what each role sees in the console. No framework, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mash_schemas.roles import CAN, Role

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,99}$")
MIN_PASSWORD = 12


@dataclass(frozen=True)
class StaffMember:
    username: str
    display_name: str
    role: Role
    agency: str | None = None

    def can(self, capability: str) -> bool:
        return self.role in CAN[capability]

    @property
    def role_label(self) -> str:
        if self.role is Role.AGENCY_PRACTITIONER and self.agency:
            return f"{self.role.label} ({self.agency.replace('-', ' ')})"
        return self.role.label


class InvalidStaffMember(ValueError):
    pass


def check_new_member(username: str, role: str, agency: str | None, password: str) -> Role:
    if not USERNAME.match(username):
        raise InvalidStaffMember("username: lower-case letters, digits, '.', '_' or '-'")
    try:
        parsed = Role(role)
    except ValueError as exc:
        raise InvalidStaffMember(f"role: one of {', '.join(r.value for r in Role)}") from exc
    if parsed is Role.AGENCY_PRACTITIONER and not agency:
        raise InvalidStaffMember("agency: an agency practitioner belongs to one agency")
    if parsed is not Role.AGENCY_PRACTITIONER and agency:
        raise InvalidStaffMember("agency: only agency practitioners belong to an agency")
    if len(password) < MIN_PASSWORD:
        raise InvalidStaffMember(f"password: at least {MIN_PASSWORD} characters")
    return parsed


@dataclass(frozen=True)
class NavItem:
    href: str
    text: str
    capability: str | None  # None: every signed-in person


# The console's sections, in the order of the journey; each shows only to roles that may use it.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("/", "Queues", "read-queues"),
    NavItem("/contacts/new", "Record a phone contact", "record-contact"),
    NavItem("/agency/requests", "Our agency's requests", "answer-request"),
    NavItem("/audit", "Audit log", "read-audit"),
    NavItem("/dead-letters", "Dead letters", "read-dead-letters"),
    NavItem("/status", "Service status", None),
)


def navigation_for(member: StaffMember) -> list[NavItem]:
    return [n for n in NAVIGATION if n.capability is None or member.can(n.capability)]


def home_for(member: StaffMember) -> str:
    """Where a person lands after signing in: the first section their role may use."""
    return navigation_for(member)[0].href


# Who `make run` creates, so that a new user can sign in at once (development only).
DEMO_PASSWORD = "mash-demo-password"
DEMO_STAFF: tuple[StaffMember, ...] = (
    StaffMember("dm.patel", "Asha Patel", Role.DECISION_MAKER),
    StaffMember("mgr.jones", "Sam Jones", Role.MASH_MANAGER),
    StaffMember("police.khan", "DC Imran Khan", Role.AGENCY_PRACTITIONER, "police"),
    StaffMember("health.obi", "Grace Obi (health visitor)", Role.AGENCY_PRACTITIONER, "health"),
    StaffMember("education.reid", "Mo Reid (school DSL)", Role.AGENCY_PRACTITIONER, "education"),
    StaffMember("auditor.ng", "Lee Ng", Role.AUDITOR),
    StaffMember("admin.silva", "Ana Silva", Role.ADMINISTRATOR),
)
