"""The MASH journey as the console tells it: one stage per service. No framework, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from mash_schemas.topics import TOPICS, TOPICS_BY_NAME, dead_letters


@dataclass(frozen=True)
class Stage:
    service: str
    title: str
    does: str

    @property
    def publishes(self) -> list[tuple[str, list[str]]]:
        """(topic, event types) for every topic this stage writes, from the topic registry."""
        return [
            (t.name, [e.event_type for e in t.events])
            for t in TOPICS
            if t.producer == self.service and t.events and t.name != self.dead_letters
        ]

    @property
    def dead_letters(self) -> str | None:
        name = dead_letters(self.service)
        return name if name in TOPICS_BY_NAME else None


STAGES: tuple[Stage, ...] = (
    Stage(
        "intake",
        "Contact",
        "Accepts contacts (the Multi Agency Referral Form) from professionals, the public and "
        "agency systems, one record per child, and never loses one it acknowledged.",
    ),
    Stage(
        "triage",
        "Threshold decision and RAG rating",
        "The decision maker screens each contact against the levels of need; the MASH manager "
        "rates its urgency (red, amber, green), which starts the clock, and chooses the "
        "agencies to ask.",
    ),
    Stage(
        "agency-gateway",
        "Information sharing",
        "Sends each agency only what it needs to know, accepts their answers over Kafka or "
        "HTTP, and shows who has answered and how long the others have left.",
    ),
    Stage(
        "decision",
        "Decision",
        "Brings every answer into one picture, tells the manager when it is complete or the "
        "clock runs out, and records the decision and its rationale.",
    ),
    Stage(
        "feedback",
        "Feedback",
        "Records the summary for the receiving team and the outcome for the referrer.",
    ),
)
