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


LawfulBasis = Literal["public_task", "legal_obligation", "vital_interests", "consent"]
SocialCareResponse = Literal["strategy_discussion", "section_47", "section_17"]


class ThresholdDecided(EventData):
    event_type: ClassVar[str] = "uk.mash.threshold.decided.v1"
    summary_line: ClassVar[str] = "A decision maker screened the contact against levels of need."

    contact_id: str
    outcome: ThresholdOutcome
    level_of_need: int = Field(ge=1)
    decided_by: str = Field(description="Staff identifier of the decision maker")
    decided_at: datetime
    rationale: Sealed
    lawful_basis: LawfulBasis | None = Field(
        None, description="The consent decision: the lawful basis for sharing; any but consent "
        "means sharing without it (the reason for overriding it is in the sealed rationale, as "
        "consent_override_reason)"
    )
    social_care_response: SocialCareResponse | None = Field(
        None, description="For outcome social_care: what it starts"
    )
    working_hours_to_decide: float | None = Field(
        None, description="MASH working hours from the contact's receipt to this decision"
    )
    within_one_working_day: bool | None = Field(
        None, description="Working Together 2023: decided within one working day of receipt"
    )


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
    agency_respond_by: dict[str, datetime] | None = Field(
        None, description="Each agency's own deadline, inside the RAG timescale (respond_by); "
        "an agency not named here answers by respond_by"
    )


class InformationDeadlinesChanged(EventData):
    event_type: ClassVar[str] = "uk.mash.information.deadlines.changed.v1"
    summary_line: ClassVar[str] = (
        "A re-rating moved the deadlines of the agencies already asked for information."
    )

    contact_id: str
    reference: str
    rating: RagRating = Field(description="The new rating")
    previous_rating: RagRating
    respond_by: datetime = Field(description="The contact's new RAG deadline, UTC")
    agency_respond_by: dict[str, datetime] = Field(
        description="Each agency asked and its new deadline, never later than respond_by "
        "(earlier on a more urgent rating, later on a less urgent one)"
    )
    changed_by: str = Field(description="Staff identifier of the manager who re-rated")
    changed_at: datetime


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


class AgencyRequestUpdated(EventData):
    event_type: ClassVar[str] = "uk.mash.agency.request.updated.v1"
    summary_line: ClassVar[str] = (
        "The hub moved an open request's deadline after a re-rating (on the agency's requests "
        "topic; no personal data)."
    )

    request_id: str
    contact_id: str
    reference: str
    agency: str
    rating: RagRating = Field(description="The contact's new RAG rating")
    respond_by: datetime = Field(description="The agency's new deadline, UTC")
    previous_respond_by: datetime = Field(description="The deadline it replaces, UTC")
    updated_at: datetime


class RelevantDate(BaseModel):
    """A date in an agency's answer that matters to the MASH (an incident, an appointment)."""

    model_config = ConfigDict(extra="ignore")

    date: str = Field(description="ISO 8601 date (or date-time)")
    what: str = Field(max_length=500, description="What happened on that date")


class Practitioner(BaseModel):
    """The practitioner who researched the records and answered."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(max_length=200)
    role: str | None = Field(None, max_length=200)
    team: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=320)


class AttachmentRef(BaseModel):
    """A document the agency holds, shared by reference (never inline on the bus)."""

    model_config = ConfigDict(extra="ignore")

    uri: str = Field(max_length=2000, description="Where the MASH can fetch it, in the agency")
    title: str | None = Field(None, max_length=300)
    media_type: str | None = Field(None, max_length=100)
    sha256: str | None = Field(None, description="Hex digest, to check what was fetched")


class AgencyResponse(EventData):
    event_type: ClassVar[str] = "uk.mash.agency.response.v1"
    summary_line: ClassVar[str] = "An agency answers an information request (produced by agencies)."

    request_id: str = Field(min_length=1)
    known_to_agency: bool
    summary: str = Field(description="What the agency knows, or 'nothing known'")
    responder: str | None = Field(None, description="The responding practitioner")
    # Optional since issue 5; an answer with only the three fields above stays valid.
    nothing_known: bool | None = Field(
        None, description="True: the records were searched and hold nothing (then not known)"
    )
    involvement_summary: str | None = Field(
        None, description="The agency's involvement with the child or family"
    )
    risk_information: str | None = Field(None, description="Risks the agency knows of")
    relevant_dates: list[RelevantDate] = Field(default_factory=list)
    responding_practitioner: Practitioner | None = None
    attachments: list[AttachmentRef] = Field(
        default_factory=list, description="Documents by reference"
    )


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


class AgencyRejection(EventData):
    event_type: ClassVar[str] = "uk.mash.agency.rejection.v1"
    summary_line: ClassVar[str] = (
        "The hub could not take an agency's answer; why (on the agency's rejections topic)."
    )

    agency: str
    rejected_event_id: str | None = Field(None, description="The answer's CloudEvent id")
    request_id: str | None = Field(None, description="The request the answer named, if any")
    reason: str
    errors: list[str] = Field(default_factory=list)
    source_topic: str
    source_partition: int
    source_offset: int
    rejected_at: datetime


class AgencyChased(EventData):
    event_type: ClassVar[str] = "uk.mash.agency.chased.v1"
    summary_line: ClassVar[str] = (
        "A reminder to an agency that its answer is due soon (on its requests topic)."
    )

    request_id: str
    contact_id: str
    reference: str
    agency: str
    rating: RagRating
    respond_by: datetime
    chased_at: datetime


class AgencyEscalated(EventData):
    event_type: ClassVar[str] = "uk.mash.agency.escalated.v1"
    summary_line: ClassVar[str] = (
        "An agency had not answered by its deadline: recorded and escalated to the MASH manager."
    )

    contact_id: str
    request_id: str
    agency: str
    rating: RagRating
    respond_by: datetime
    escalated_at: datetime
    escalated_to: Literal["mash_manager"] = "mash_manager"
    reason: Literal["no_answer_by_deadline"] = "no_answer_by_deadline"


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
    strategy_discussion_agencies: list[str] | None = Field(
        None, description="social_care_s47: the agencies that took part in the strategy discussion"
    )
    strategy_discussion_at: datetime | None = Field(
        None, description="social_care_s47: when the strategy discussion was held"
    )
    signpost_service: str | None = Field(
        None, description="signpost: the service the family was pointed to"
    )


class HandoverSummary(EventData):
    event_type: ClassVar[str] = "uk.mash.handover.summary.v1"
    summary_line: ClassVar[str] = "The summary the receiving team gets when a case is handed over."

    contact_id: str
    decision_id: str
    reference: str
    receiving_team: str
    outcome: DecisionOutcome
    level_of_need: int = Field(ge=1)
    supersedes: str | None = Field(None, description="The decision this handover replaces")
    prepared_at: datetime
    summary: Sealed = Field(
        description="Subject and body of the handover (the child, the concern, the decision and "
        "its rationale), sealed with the contact's key"
    )


class ReferralOutcome(EventData):
    event_type: ClassVar[str] = "uk.mash.referral.outcome.v1"
    summary_line: ClassVar[str] = (
        "The outcome of a contact for the agency system that referred it (no personal data)."
    )

    contact_id: str
    decision_id: str
    reference: str
    referrer_agency: str | None = Field(None, description="The referring agency, as it said")
    outcome: DecisionOutcome
    level_of_need: int = Field(ge=1)
    receiving_team: str | None = None
    supersedes: str | None = Field(None, description="The decision this outcome replaces")
    next_steps: str = Field(description="What the referrer should do next, in plain words")
    decided_at: datetime


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
    agency: str | None = Field(
        None,
        description="The reader's agency: an agency practitioner's, or the agency whose own "
        "system read it; absent for MASH staff (added to v1, optional)",
    )


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



class ContactSubmitted(EventData):
    event_type: ClassVar[str] = "uk.mash.contact.submitted.v1"
    summary_line: ClassVar[str] = (
        "An agency system submits a contact (the referral form, sealed with its agency key)."
    )

    submission_id: str = Field(
        min_length=1, max_length=150,
        description="The agency's own id for this submission; a resend keeps it (idempotent)",
    )
    agency: str = Field(description="The submitting agency, e.g. police")
    submitted_at: datetime
    form: Sealed = Field(
        description="The referral form as POST /v1/contacts takes it, sealed with the "
        "agency's key ('agency:<name>')"
    )


class ContactSubmissionAccepted(EventData):
    event_type: ClassVar[str] = "uk.mash.contact.submission.accepted.v1"
    summary_line: ClassVar[str] = (
        "Intake accepted an agency's submitted contact: its references (on the agency's "
        "requests topic)."
    )

    submission_id: str
    agency: str
    family_group_id: str
    contact_ids: list[str]
    references: list[str] = Field(description="One human reference per child")
    accepted_at: datetime


class ContactSubmissionRejected(EventData):
    event_type: ClassVar[str] = "uk.mash.contact.submission.rejected.v1"
    summary_line: ClassVar[str] = (
        "Intake could not accept an agency's submitted contact; every reason (on the agency's "
        "rejections topic, no personal data)."
    )

    submission_id: str | None = Field(None, description="The agency's id, if it could be read")
    agency: str
    rejected_event_id: str | None = Field(None, description="The submission's CloudEvent id")
    reason: str
    errors: list[str] = Field(
        default_factory=list, description="'<field>: <what to put right>', one per problem"
    )
    rejected_at: datetime


class LinkCandidate(BaseModel):
    """An earlier contact that may be about the same child."""

    model_config = ConfigDict(extra="ignore")

    link_id: str
    contact_id: str = Field(description="The earlier contact")
    reference: str
    received_at: datetime
    strength: Literal["exact", "likely", "possible"] = Field(
        description="exact: same NHS number; likely / possible: ranked on name, date of birth "
        "and postcode"
    )
    score: float = Field(ge=0, le=1)
    basis: list[str] = Field(description="What agreed, e.g. nhs_number, name, date_of_birth")


class ContactLinked(EventData):
    event_type: ClassVar[str] = "uk.mash.contact.linked.v1"
    summary_line: ClassVar[str] = (
        "Intake found earlier contacts that may be about the same child (never merged silently)."
    )

    contact_id: str
    reference: str
    candidates: list[LinkCandidate] = Field(description="Best first")
    contacts_in_12_months: int = Field(
        ge=1, description="This contact's number among the child's contacts in the last 12 "
        "months, counting exact and likely matches not rejected (3: a third contact)"
    )
    linked_at: datetime


class ContactLinkDecided(EventData):
    event_type: ClassVar[str] = "uk.mash.contact.link.decided.v1"
    summary_line: ClassVar[str] = (
        "A person confirmed or rejected that two contacts are about the same child."
    )

    link_id: str
    contact_id: str
    linked_contact_id: str
    decision: Literal["confirmed", "rejected"]
    strength: Literal["exact", "likely", "possible"]
    decided_by: str
    decided_at: datetime
    contacts_in_12_months: int = Field(ge=1, description="Recounted after the decision")


class WrittenFormOverdue(EventData):
    event_type: ClassVar[str] = "uk.mash.contact.written_form.overdue.v1"
    summary_line: ClassVar[str] = (
        "A phone contact's written referral form has not followed in time."
    )

    contact_id: str
    reference: str
    family_group_id: str
    received_at: datetime
    due_at: datetime
    recorded_by: str = Field(description="Staff who took the call")
    overdue_at: datetime

EVENT_TYPES: dict[str, type[EventData]] = {
    m.event_type: m
    for m in (
        ContactReceived,
        ThresholdDecided,
        RagRated,
        InformationRequested,
        InformationDeadlinesChanged,
        AgencyRequest,
        AgencyRequestUpdated,
        AgencyResponse,
        InformationProvided,
        AgencyRejection,
        AgencyChased,
        AgencyEscalated,
        PictureCompleted,
        DeadlineWarned,
        DeadlineBreached,
        DecisionMade,
        FeedbackSent,
        RecordAccessed,
        DeadLetter,
        BrokerEpochMarked,
        HandoverSummary,
        ReferralOutcome,
        ContactSubmitted,
        ContactSubmissionAccepted,
        ContactSubmissionRejected,
        ContactLinked,
        ContactLinkDecided,
        WrittenFormOverdue,
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
