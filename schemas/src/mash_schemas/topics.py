"""The topic registry: every topic the hub uses, declared once.

A command (`mash-topics create`) creates them idempotently on any Kafka cluster; the AsyncAPI
document is generated from this list. Every key is the contact id, so every event about one
contact keeps its order within a topic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .codes import AGENCIES
from .events import (
    AgencyChased,
    AgencyEscalated,
    AgencyRejection,
    AgencyRequest,
    AgencyRequestUpdated,
    AgencyResponse,
    BrokerEpochMarked,
    ContactLinkDecided,
    ContactLinked,
    ContactReceived,
    ContactSubmissionAccepted,
    ContactSubmissionRejected,
    ContactSubmitted,
    DeadLetter,
    DeadlineBreached,
    DeadlineWarned,
    DecisionMade,
    EventData,
    FeedbackSent,
    HandoverSummary,
    InformationDeadlinesChanged,
    InformationProvided,
    InformationRequested,
    PictureCompleted,
    RagRated,
    RecordAccessed,
    ReferralOutcome,
    ThresholdDecided,
    WrittenFormOverdue,
)

DAY_MS = 24 * 3600 * 1000
FOREVER = -1

SERVICES = ("intake", "triage", "agency-gateway", "decision", "feedback")


@dataclass(frozen=True)
class Topic:
    name: str
    description: str
    events: tuple[type[EventData], ...]
    producer: str
    consumers: tuple[str, ...]
    partitions: int = 6
    key: str = "contact id"
    retention_ms: int = FOREVER
    cleanup_policy: str = "delete"
    extra_config: dict[str, str] = field(default_factory=dict)

    @property
    def config(self) -> dict[str, str]:
        return {
            "retention.ms": str(self.retention_ms),
            "cleanup.policy": self.cleanup_policy,
            **self.extra_config,
        }


CONTACTS = "mash.contacts"
TRIAGE = "mash.triage"
INFORMATION = "mash.information"
DECISIONS = "mash.decisions"
FEEDBACK = "mash.feedback"
HANDOVER = "mash.handover"
OUTCOMES = "mash.outcomes"
AUDIT = "mash.audit"
SUBMISSIONS = "mash.intake.submissions"
EPOCH = "mash.cluster.epoch"


def agency_requests(agency: str) -> str:
    return f"mash.agency.{agency}.requests"


def agency_responses(agency: str) -> str:
    return f"mash.agency.{agency}.responses"


def agency_rejections(agency: str) -> str:
    return f"mash.agency.{agency}.rejections"


# Event types whose home topic is one agency's own (publishing them needs the agency).
AGENCY_TOPIC_OF: dict[str, Callable[[str], str]] = {
    AgencyChased.event_type: agency_requests,
    AgencyRejection.event_type: agency_rejections,
    AgencyRequestUpdated.event_type: agency_requests,
    ContactSubmissionAccepted.event_type: agency_requests,
    ContactSubmissionRejected.event_type: agency_rejections,
}


def dead_letters(service: str) -> str:
    return f"mash.dlq.{service}"


def _registry() -> tuple[Topic, ...]:
    # Retention: the event log is the audit record and the source of every rebuild, so the
    # journey's topics keep everything (-1). Deployments shorten it to their retention schedule.
    topics = [
        Topic(
            CONTACTS,
            "Contacts accepted by intake, one per child; the earlier contacts each may repeat "
            "(links, and people's decisions on them); phone contacts whose written form is "
            "overdue.",
            (ContactReceived, ContactLinked, ContactLinkDecided, WrittenFormOverdue),
            producer="intake",
            consumers=("triage", "decision", "feedback"),
        ),
        Topic(
            TRIAGE,
            "Threshold decisions, RAG ratings, information requests (and their deadlines moved "
            "by a re-rating) and the RAG clock.",
            (ThresholdDecided, RagRated, InformationRequested, InformationDeadlinesChanged,
             DeadlineWarned, DeadlineBreached),
            producer="triage",
            consumers=("agency-gateway", "decision"),
        ),
        Topic(
            INFORMATION,
            "Agency answers accepted by the gateway, for the picture, and agencies that did "
            "not answer by their deadline (escalated to the MASH manager).",
            (InformationProvided, AgencyEscalated),
            producer="agency-gateway",
            consumers=("decision",),
        ),
        Topic(
            DECISIONS,
            "Completed pictures and the manager's decisions.",
            (PictureCompleted, DecisionMade),
            producer="decision",
            consumers=("triage", "feedback"),
        ),
        Topic(
            FEEDBACK,
            "Outcome feedback recorded for referrers and receiving teams.",
            (FeedbackSent,),
            producer="feedback",
            consumers=("decision", "intake"),
        ),
        Topic(
            HANDOVER,
            "Summaries for the teams that receive cases (sealed with the contact's key).",
            (HandoverSummary,),
            producer="feedback",
            consumers=("receiving teams' systems",),
        ),
        Topic(
            OUTCOMES,
            "Outcomes for agency systems that referred a contact over Kafka; codes and the "
            "reference only, no personal data.",
            (ReferralOutcome,),
            producer="feedback",
            consumers=("referring agency systems",),
        ),
        Topic(
            SUBMISSIONS,
            "Contacts submitted by agency systems: the referral form sealed with the submitting "
            "agency's key. Keyed by the agency's submission id.",
            (ContactSubmitted,),
            producer="agency systems",
            consumers=("intake",),
            partitions=3,
            key="submission id",
        ),
        Topic(
            AUDIT,
            "Every read of a child's record by a person.",
            (RecordAccessed,),
            producer="any service",
            consumers=("decision",),
        ),
        Topic(
            EPOCH,
            "Broker incarnation marker: its first message names this broker's life. Services "
            "compare it with the one they last saw to notice an empty broker and republish.",
            (BrokerEpochMarked,),
            producer="any service",
            consumers=("every service",),
            partitions=1,
            key="none",
        ),
    ]
    for agency in AGENCIES:
        topics.append(
            Topic(
                agency_requests(agency),
                f"Information requests addressed to {agency}; need-to-know fields sealed "
                f"with {agency}'s key. Deadlines moved by a re-rating. Reminders before the "
                f"deadline. Receipts for contacts {agency} submitted (from intake).",
                (AgencyRequest, AgencyRequestUpdated, AgencyChased, ContactSubmissionAccepted),
                producer="agency-gateway",
                consumers=(f"{agency} systems",),
                partitions=3,
            )
        )
        topics.append(
            Topic(
                agency_responses(agency),
                f"Answers from {agency} systems to the hub's information requests.",
                (AgencyResponse,),
                producer=f"{agency} systems",
                consumers=("agency-gateway",),
                partitions=3,
            )
        )
        topics.append(
            Topic(
                agency_rejections(agency),
                f"Answers from {agency} the hub could not take, and why (no personal data); "
                f"contacts {agency} submitted that intake could not accept, and why.",
                (AgencyRejection, ContactSubmissionRejected),
                producer="agency-gateway, intake",
                consumers=(f"{agency} systems",),
                partitions=1,
            )
        )
    for service in SERVICES:
        topics.append(
            Topic(
                dead_letters(service),
                f"Messages {service} could not decode or apply, with the reason.",
                (DeadLetter,),
                producer=service,
                consumers=("operators",),
                partitions=1,
                key="original key",
                retention_ms=30 * DAY_MS,
            )
        )
    return tuple(topics)


TOPICS: tuple[Topic, ...] = _registry()
TOPICS_BY_NAME: dict[str, Topic] = {t.name: t for t in TOPICS}


def topic_for_event(event_type: str, agency: str | None = None) -> str:
    """The one topic an event type is published on (agency topics need the agency)."""
    if event_type == AgencyRequest.event_type:
        if not agency:
            raise ValueError("agency requests need an agency")
        return agency_requests(agency)
    if event_type == AgencyResponse.event_type:
        if not agency:
            raise ValueError("agency responses need an agency")
        return agency_responses(agency)
    if event_type in AGENCY_TOPIC_OF:
        if not agency:
            raise ValueError(f"{event_type} needs an agency")
        return AGENCY_TOPIC_OF[event_type](agency)
    for t in TOPICS:
        if any(e.event_type == event_type for e in t.events) and not t.name.startswith(
            ("mash.dlq.", "mash.agency.")
        ):
            return t.name
    raise KeyError(f"no topic declared for {event_type!r}")
