"""One golden example per event type: the whole CloudEvent as it appears on its topic."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from .events import (
    AgencyChased,
    AgencyEscalated,
    AgencyRejection,
    AgencyRequest,
    AgencyRequestUpdated,
    AgencyResponse,
    AttachmentRef,
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
    LinkCandidate,
    PictureCompleted,
    Practitioner,
    RagRated,
    RecordAccessed,
    ReferralOutcome,
    RelevantDate,
    Sealed,
    ThresholdDecided,
    WrittenFormOverdue,
)

CONTACT = "0b6f2a4e-1f59-4d8e-9a3c-3c1d2f0a7b11"
REQUEST = "5d1c9e8a-7b2f-4c3d-8e1f-2a4b6c8d0e13"
DECISION = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f2a3b4c55"
T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
T1 = datetime(2026, 11, 2, 13, 30, tzinfo=UTC)


def _sealed(kid: str) -> Sealed:
    return Sealed(kid=kid, iv="q83vEjRWeJCrze8S", ct="3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")


SOURCES = {
    ContactReceived: "/mash/intake",
    ThresholdDecided: "/mash/triage",
    RagRated: "/mash/triage",
    InformationRequested: "/mash/triage",
    InformationDeadlinesChanged: "/mash/triage",
    DeadlineWarned: "/mash/triage",
    DeadlineBreached: "/mash/triage",
    AgencyRequest: "/mash/agency-gateway",
    AgencyRequestUpdated: "/mash/agency-gateway",
    AgencyResponse: "/agency/police",
    InformationProvided: "/mash/agency-gateway",
    AgencyRejection: "/mash/agency-gateway",
    AgencyChased: "/mash/agency-gateway",
    AgencyEscalated: "/mash/agency-gateway",
    PictureCompleted: "/mash/decision",
    DecisionMade: "/mash/decision",
    FeedbackSent: "/mash/feedback",
    RecordAccessed: "/mash/decision",
    DeadLetter: "/mash/agency-gateway",
    BrokerEpochMarked: "/mash/intake",
    HandoverSummary: "/mash/feedback",
    ReferralOutcome: "/mash/feedback",
    ContactSubmitted: "/agency/police",
    ContactSubmissionAccepted: "/mash/intake",
    ContactSubmissionRejected: "/mash/intake",
    ContactLinked: "/mash/intake",
    ContactLinkDecided: "/mash/intake",
    WrittenFormOverdue: "/mash/intake",
}
EARLIER = "7e3d2c1b-0a9f-4e8d-b7c6-5a4b3c2d1e0f"
LINK = "3c2b1a09-8f7e-4d6c-a5b4-c3d2e1f0a9b8"


def example_data() -> list[EventData]:
    c = _sealed(f"contact:{CONTACT}")
    return [
        ContactReceived(
            contact_id=CONTACT,
            reference="MASH-2026-000123",
            family_group_id="f3e2d1c0-b9a8-4765-8432-10fedcba9876",
            received_at=T0,
            channel="web",
            contact_type="concern",
            contact_source="2A",
            referrer_kind="professional",
            referrer_agency="education",
            immediate_risk=False,
            concern_factors=["3A", "16A"],
            child_age_years=7,
            personal=c,
        ),
        ThresholdDecided(
            contact_id=CONTACT,
            outcome="mash",
            level_of_need=3,
            decided_by="staff:dm-0042",
            decided_at=T0,
            rationale=c,
            lawful_basis="public_task",
            working_hours_to_decide=0.5,
            within_one_working_day=True,
        ),
        RagRated(
            contact_id=CONTACT,
            rating="amber",
            previous_rating=None,
            rated_by="staff:mgr-0007",
            rated_at=T0,
            deadline=T1,
            rationale=c,
        ),
        InformationRequested(
            contact_id=CONTACT,
            reference="MASH-2026-000123",
            rating="amber",
            agencies=["police", "health", "education"],
            respond_by=T1,
            requested_by="staff:mgr-0007",
            requested_at=T0,
            need_to_know=c,
            agency_respond_by={"police": T0 + (T1 - T0) * 3 / 4, "health": T1, "education": T1},
        ),
        InformationDeadlinesChanged(
            contact_id=CONTACT,
            reference="MASH-2026-000123",
            rating="red",
            previous_rating="amber",
            respond_by=T1 - timedelta(hours=2),
            agency_respond_by={
                "police": T0 + timedelta(hours=1),
                "health": T0 + timedelta(hours=1, minutes=30),
                "education": T0 + timedelta(hours=1, minutes=30),
            },
            changed_by="staff:mgr-0007",
            changed_at=T0 + timedelta(minutes=30),
        ),
        DeadlineWarned(contact_id=CONTACT, rating="amber", deadline=T1, warned_at=T0),
        DeadlineBreached(contact_id=CONTACT, rating="amber", deadline=T1, breached_at=T1),
        AgencyRequest(
            request_id=REQUEST,
            contact_id=CONTACT,
            reference="MASH-2026-000123",
            agency="police",
            rating="amber",
            respond_by=T1,
            requested_at=T0,
            subject_details=_sealed("agency:police"),
        ),
        AgencyRequestUpdated(
            request_id=REQUEST,
            contact_id=CONTACT,
            reference="MASH-2026-000123",
            agency="police",
            rating="red",
            respond_by=T0 + timedelta(hours=1),
            previous_respond_by=T0 + (T1 - T0) * 3 / 4,
            updated_at=T0 + timedelta(minutes=30),
        ),
        AgencyResponse(
            request_id=REQUEST,
            known_to_agency=True,
            summary="Two domestic incidents attended at the home address in 2026.",
            responder="PC 1234",
            nothing_known=False,
            involvement_summary="Attended the home twice; mother's partner arrested once.",
            risk_information="Partner has a conviction for assault (2024).",
            relevant_dates=[
                RelevantDate(date="2026-03-14", what="Domestic incident attended"),
                RelevantDate(date="2026-09-02", what="Partner arrested at the address"),
            ],
            responding_practitioner=Practitioner(
                name="PC 1234 Sam Rivers", role="MASH researcher", team="Police MASH desk"
            ),
            attachments=[
                AttachmentRef(
                    uri="https://police.example/mash/docs/INC-2026-0917",
                    title="Incident log",
                    media_type="application/pdf",
                )
            ],
        ),
        InformationProvided(
            contact_id=CONTACT,
            request_id=REQUEST,
            agency="police",
            known_to_agency=True,
            received_at=T0,
            late=False,
            summary=c,
        ),
        AgencyRejection(
            agency="police",
            rejected_event_id="2b7e4c1a-9d3f-4e8b-a6c5-0f1e2d3c4b5a",
            request_id="00000000-0000-4000-8000-000000000000",
            reason="no information request 00000000-0000-4000-8000-000000000000",
            source_topic="mash.agency.police.responses",
            source_partition=1,
            source_offset=17,
            rejected_at=T1,
        ),
        AgencyChased(
            request_id=REQUEST,
            contact_id=CONTACT,
            reference="MASH-2026-000123",
            agency="education",
            rating="amber",
            respond_by=T1,
            chased_at=datetime(2026, 11, 2, 12, 30, tzinfo=UTC),
        ),
        AgencyEscalated(
            contact_id=CONTACT,
            request_id=REQUEST,
            agency="education",
            rating="amber",
            respond_by=T1,
            escalated_at=T1,
        ),
        PictureCompleted(
            contact_id=CONTACT,
            answered=["police", "health"],
            silent=["education"],
            reason="deadline_passed",
            completed_at=T1,
        ),
        DecisionMade(
            contact_id=CONTACT,
            decision_id=DECISION,
            outcome="social_care_s17",
            level_of_need=3,
            receiving_team="Assessment team north",
            decided_by="staff:mgr-0007",
            decided_at=T1,
            rationale=c,
        ),
        FeedbackSent(
            contact_id=CONTACT,
            decision_id=DECISION,
            audience="referrer",
            referrer_kind="professional",
            channel="record",
            status="recorded",
            sent_at=T1,
        ),
        RecordAccessed(
            contact_id=CONTACT,
            accessed_by="staff:mgr-0007",
            role="mash_manager",
            service="decision",
            action="view picture",
            accessed_at=T1,
        ),
        DeadLetter(
            consumer="agency-gateway",
            reason="data does not match uk.mash.agency.response.v1",
            errors=["known_to_agency: Field required"],
            source_topic="mash.agency.police.responses",
            source_partition=0,
            source_offset=42,
            source_key="MGI2ZjJhNGU=",
            original="eyJub3QiOiAiYSBjbG91ZGV2ZW50In0=",
            dead_lettered_at=T1,
        ),
        BrokerEpochMarked(
            epoch="7c1e5a2b-3d4f-4e6a-8b9c-0d1e2f3a4b5c", marked_by="intake", marked_at=T0
        ),
        HandoverSummary(
            contact_id=CONTACT,
            decision_id=DECISION,
            reference="MASH-2026-000123",
            receiving_team="Assessment team north",
            outcome="social_care_s17",
            level_of_need=3,
            prepared_at=T1,
            summary=c,
        ),
        ReferralOutcome(
            contact_id=CONTACT,
            decision_id=DECISION,
            reference="MASH-2026-000123",
            referrer_agency="police",
            outcome="social_care_s17",
            level_of_need=3,
            receiving_team="Assessment team north",
            next_steps="A social worker from Assessment team north will contact the family.",
            decided_at=T1,
        ),
        ContactSubmitted(
            submission_id="TVP-MASH-2026-0042",
            agency="police",
            submitted_at=T0,
            form=_sealed("agency:police"),
        ),
        ContactSubmissionAccepted(
            submission_id="TVP-MASH-2026-0042",
            agency="police",
            family_group_id="f3e2d1c0-b9a8-4765-8432-10fedcba9876",
            contact_ids=[CONTACT],
            references=["MASH-2026-000123"],
            accepted_at=T0,
        ),
        ContactSubmissionRejected(
            submission_id="TVP-MASH-2026-0043",
            agency="police",
            rejected_event_id="6f5e4d3c-2b1a-4098-8765-43210fedcba9",
            reason="the referral form is not valid",
            errors=[
                "children.0.nhs_number: this is not a valid NHS number: it has 10 digits and the "
                "last one is a check digit that does not match (look for a mistyped digit)",
                "parents_not_aware_reason: say why the parents or carers do not know about this "
                "contact",
            ],
            rejected_at=T0,
        ),
        ContactLinked(
            contact_id=CONTACT,
            reference="MASH-2026-000123",
            candidates=[
                LinkCandidate(
                    link_id=LINK,
                    contact_id=EARLIER,
                    reference="MASH-2026-000042",
                    received_at=datetime(2026, 6, 1, 10, 0, tzinfo=UTC),
                    strength="likely",
                    score=0.93,
                    basis=["name", "date_of_birth", "postcode"],
                ),
            ],
            contacts_in_12_months=2,
            linked_at=T0,
        ),
        ContactLinkDecided(
            link_id=LINK,
            contact_id=CONTACT,
            linked_contact_id=EARLIER,
            decision="confirmed",
            strength="likely",
            decided_by="staff:dm-0042",
            decided_at=T1,
            contacts_in_12_months=2,
        ),
        WrittenFormOverdue(
            contact_id=CONTACT,
            reference="MASH-2026-000123",
            family_group_id="f3e2d1c0-b9a8-4765-8432-10fedcba9876",
            received_at=T0,
            due_at=datetime(2026, 11, 3, 9, 30, tzinfo=UTC),
            recorded_by="staff:mash-0011",
            overdue_at=datetime(2026, 11, 3, 9, 30, tzinfo=UTC),
        ),
    ]


def example_event(data: EventData) -> dict[str, Any]:
    subject = getattr(data, "contact_id", None) or (
        "broker" if isinstance(data, BrokerEpochMarked) else None
    ) or getattr(data, "submission_id", None) or CONTACT
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, data.event_type)),
        "source": SOURCES[type(data)],
        "type": data.event_type,
        "subject": subject,
        "time": "2026-11-02T13:30:00Z",
        "datacontenttype": "application/json",
        "data": data.model_dump(mode="json", exclude_none=False),
    }
