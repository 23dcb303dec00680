"""Staff roles and what each may do: the values a staff token's `role` claim takes.

Services and the console read this one table; the role tests walk it. Every guarded HTTP route
names one capability.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    DECISION_MAKER = "decision-maker"
    MASH_MANAGER = "mash-manager"
    AGENCY_PRACTITIONER = "agency-practitioner"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return {
            Role.DECISION_MAKER: "Decision maker",
            Role.MASH_MANAGER: "MASH manager",
            Role.AGENCY_PRACTITIONER: "Agency practitioner",
            Role.AUDITOR: "Auditor",
            Role.ADMINISTRATOR: "Administrator",
        }[self]


# Who may do what, by capability. Services and the console both read this one table, and the
# role tests walk it: every route names one capability.
STAFF_CASEWORK = frozenset({Role.DECISION_MAKER, Role.MASH_MANAGER})
CAN: dict[str, frozenset[Role]] = {
    # intake
    "record-contact": STAFF_CASEWORK,
    "read-contact": STAFF_CASEWORK | {Role.AUDITOR},
    "decide-link": STAFF_CASEWORK,
    # triage
    "read-queues": STAFF_CASEWORK,
    "screen": frozenset({Role.DECISION_MAKER}),
    "rate": frozenset({Role.MASH_MANAGER}),
    "read-triage": STAFF_CASEWORK | {Role.AUDITOR},
    "read-timeliness": STAFF_CASEWORK | {Role.AUDITOR},
    # agency gateway
    "read-agency-progress": STAFF_CASEWORK | {Role.AUDITOR},
    "answer-request": frozenset({Role.AGENCY_PRACTITIONER}),
    # decision
    "read-picture": STAFF_CASEWORK | {Role.AUDITOR},
    "decide": frozenset({Role.MASH_MANAGER}),
    # feedback
    "read-feedback": STAFF_CASEWORK | {Role.AUDITOR},
    "read-deliveries": frozenset({Role.MASH_MANAGER, Role.ADMINISTRATOR}),
    # operations and oversight
    "read-dead-letters": frozenset({Role.ADMINISTRATOR}),
    "read-audit": frozenset({Role.AUDITOR}),
}


def allowed(role: str, capability: str) -> bool:
    return role in CAN[capability]
