"""Versioned event models: the `data` of every CloudEvent the hub publishes.

Personal data (names, dates of birth, addresses, free text about a family) never travels in
plaintext: it sits inside a `Sealed` value, AES-256-GCM encrypted under a key of the contact
(or, on an agency's request topic, of that agency). Everything outside `Sealed` is safe for an
operator to read with Kafka tooling.

Evolution is additive: new optional fields only. A breaking change is a new `type` version with
an upcaster (see `upcasters.py`). Readers ignore fields they do not know.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from .codes import (
    Channel,
    ContactType,
    DecisionOutcome,
    RagRating,
    ReferrerKind,
    ThresholdOutcome,
)


class Sealed(BaseModel):
    """Ciphertext of a JSON object: AES-256-GCM, base64url without padding."""

    model_config = ConfigDict(extra="forbid")

    alg: Literal["A256GCM"] = "A256GCM"
    kid: str = Field(description="Which key sealed it: 'contact:<id>' or 'agency:<name>'")
    iv: str = Field(description="96-bit nonce, base64url")
    ct: str = Field(description="Ciphertext with the GCM tag, base64url")


class EventData(BaseModel):
    """Base of every event's data. Unknown fields are ignored when reading."""

    model_config = ConfigDict(extra="ignore")

    event_type: ClassVar[str]
    summary_line: ClassVar[str]


class ContactReceived(EventData):
    event_type: ClassVar[str] = "uk.mash.contact.received.v1"
    summary_line: ClassVar[str] = "A contact about one child was accepted by intake."

    contact_id: str
    reference: str = Field(description="Human reference, e.g. MASH-2026-000123")
    family_group_id: str = Field(description="Links the records of siblings in one contact")
    received_at: datetime
    channel: Channel
    contact_type: ContactType
    contact_source: str = Field(description="CIN contact source code, 1A-10")
    referrer_kind: ReferrerKind
    referrer_agency: str | None = Field(None, description="For professionals: their agency")
    immediate_risk: bool
    concern_factors: list[str] = Field(default_factory=list, description="CIN factor codes")
    child_age_years: int | None = Field(None, description="Age at contact; None if unborn")
    personal: Sealed = Field(description="Child, household, referrer and concern narrative")


class ThresholdDecided(EventData):
    event_type: ClassVar[str] = "uk.mash.threshold.decided.v1"
    summary_line: ClassVar[str] = "A decision maker screened the contact against levels of need."

    contact_id: str
    outcome: ThresholdOutcome
    level_of_need: int = Field(ge=1)
    decided_by: str = Field(description="Staff identifier of the decision maker")
    decided_at: datetime
    rationale: Sealed


class RagRated(EventData):
    event_type: ClassVar[str] = "uk.mash.rag.rated.v1"
    summary_line: ClassVar[str] = "The MASH manager rated (or re-rated) the contact's urgency."

    contact_id: str
    rating: RagRating
    previous_rating: RagRating | None = None
    rated_by: str
    rated_at: datetime
    deadline: datetime = Field(description="When the MASH must have decided, UTC")
    rationale: Sealed


class InformationRequested(EventData):
    event_type: ClassVar[str] = "uk.mash.information.requested.v1"
    summary_line: ClassVar[str] = "Triage asked the agency gateway to consult these agencies."

    contact_id: str
    reference: str
    rating: RagRating
    agencies: list[str] = Field(min_length=1)
    respond_by: datetime
    requested_by: str
    requested_at: datetime
    need_to_know: Sealed = Field(description="The fields agencies may be sent, sealed for the hub")


class AgencyRequest(EventData):
    event_type: ClassVar[str] = "uk.mash.agency.request.v1"
    summary_line: ClassVar[str] = "The hub asks one agency what it knows about a child."

    request_id: str
    contact_id: str
    reference: str
    agency: str
    rating: RagRating
    respond_by: datetime
    requested_at: datetime
    subject_details: Sealed = Field(
        description="Need-to-know fields, sealed with the agency's own key ('agency:<name>')"
    )


class AgencyResponse(EventData):
    event_type: ClassVar[str] = "uk.mash.agency.response.v1"
    summary_line: ClassVar[str] = "An agency answers an information request (produced by agencies)."

    request_id: str = Field(min_length=1)
    known_to_agency: bool
    summary: str = Field(description="What the agency knows, or 'nothing known'")
    responder: str | None = Field(None, description="The responding practitioner")


class InformationProvided(EventData):
    event_type: ClassVar[str] = "uk.mash.information.provided.v1"
    summary_line: ClassVar[str] = "The gateway accepted one agency's answer for the picture."

    contact_id: str
    request_id: str
    agency: str
    known_to_agency: bool
    received_at: datetime
    late: bool
    summary: Sealed
    channel: Literal["kafka", "http"] = "kafka"


class PictureCompleted(EventData):
    event_type: ClassVar[str] = "uk.mash.picture.completed.v1"
    summary_line: ClassVar[str] = "Every agency answered (or the deadline passed): ready to decide."

    contact_id: str
    answered: list[str]
    silent: list[str]
    reason: Literal["all_answered", "deadline_passed"]
    completed_at: datetime


class DeadlineWarned(EventData):
    event_type: ClassVar[str] = "uk.mash.deadline.warned.v1"
    summary_line: ClassVar[str] = "A contact's RAG deadline is approaching."

    contact_id: str
    rating: RagRating
    deadline: datetime
    warned_at: datetime


class DeadlineBreached(EventData):
    event_type: ClassVar[str] = "uk.mash.deadline.breached.v1"
    summary_line: ClassVar[str] = "A contact's RAG deadline passed without a decision."

    contact_id: str
    rating: RagRating
    deadline: datetime
    breached_at: datetime


class DecisionMade(EventData):
    event_type: ClassVar[str] = "uk.mash.decision.made.v1"
    summary_line: ClassVar[str] = "The MASH manager decided what happens next for the child."

    contact_id: str
    decision_id: str
    outcome: DecisionOutcome
    level_of_need: int = Field(ge=1)
    receiving_team: str | None = None
    decided_by: str
    decided_at: datetime
    supersedes: str | None = Field(None, description="The decision this one replaces")
    rationale: Sealed


class FeedbackSent(EventData):
    event_type: ClassVar[str] = "uk.mash.feedback.sent.v1"
    summary_line: ClassVar[str] = "The outcome was recorded for the referrer / receiving team."

    contact_id: str
    decision_id: str
    audience: Literal["referrer", "receiving_team"]
    referrer_kind: ReferrerKind | None = None
    channel: Literal["record", "email", "kafka", "none"]
    status: Literal["recorded", "sent", "not_required"]
    sent_at: datetime


class RecordAccessed(EventData):
    event_type: ClassVar[str] = "uk.mash.record.accessed.v1"
    summary_line: ClassVar[str] = "A person read a child's record (the audit trail)."

    contact_id: str
    accessed_by: str
    role: str
    service: str
    action: str
    accessed_at: datetime


class DeadLetter(EventData):
    event_type: ClassVar[str] = "uk.mash.dead_letter.v1"
    summary_line: ClassVar[str] = "A consumer could not decode or apply a message; here is why."

    consumer: str
    reason: str
    errors: list[str] = Field(default_factory=list)
    source_topic: str
    source_partition: int
    source_offset: int
    source_key: str | None = Field(None, description="Original key, base64")
    original: str = Field(description="Original message value, base64")
    dead_lettered_at: datetime


class BrokerEpochMarked(EventData):
    event_type: ClassVar[str] = "uk.mash.broker.epoch.v1"
    summary_line: ClassVar[str] = (
        "Names this broker's life: the first one on mash.cluster.epoch wins. A service that finds "
        "a different one than it last saw republishes its outbox."
    )

    epoch: str
    marked_by: str = Field(description="The service that wrote the marker")
    marked_at: datetime


EVENT_TYPES: dict[str, type[EventData]] = {
    m.event_type: m
    for m in (
        ContactReceived,
        ThresholdDecided,
        RagRated,
        InformationRequested,
        AgencyRequest,
        AgencyResponse,
        InformationProvided,
        PictureCompleted,
        DeadlineWarned,
        DeadlineBreached,
        DecisionMade,
        FeedbackSent,
        RecordAccessed,
        DeadLetter,
        BrokerEpochMarked,
    )
}


def model_for(event_type: str) -> type[EventData]:
    try:
        return EVENT_TYPES[event_type]
    except KeyError:
        raise KeyError(f"unknown event type {event_type!r}") from None


def json_schema(model: type[EventData]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": model.event_type,
        "description": model.summary_line,
        **schema,
    }
