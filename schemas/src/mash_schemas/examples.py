"""One golden example per event type: the whole CloudEvent as it appears on its topic."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from .events import (
    AgencyRequest,
    AgencyResponse,
    BrokerEpochMarked,
    ContactReceived,
    DeadLetter,
    DeadlineBreached,
    DeadlineWarned,
    DecisionMade,
    EventData,
    FeedbackSent,
    InformationProvided,
    InformationRequested,
    PictureCompleted,
    RagRated,
    RecordAccessed,
    Sealed,
    ThresholdDecided,
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
    DeadlineWarned: "/mash/triage",
    DeadlineBreached: "/mash/triage",
    AgencyRequest: "/mash/agency-gateway",
    AgencyResponse: "/agency/police",
    InformationProvided: "/mash/agency-gateway",
    PictureCompleted: "/mash/decision",
    DecisionMade: "/mash/decision",
    FeedbackSent: "/mash/feedback",
    RecordAccessed: "/mash/decision",
    DeadLetter: "/mash/agency-gateway",
    BrokerEpochMarked: "/mash/intake",
}


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
        AgencyResponse(
            request_id=REQUEST,
            known_to_agency=True,
            summary="Two domestic incidents attended at the home address in 2026.",
            responder="PC 1234",
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
    ]


def example_event(data: EventData) -> dict[str, Any]:
    subject = getattr(data, "contact_id", None) or (
        "broker" if isinstance(data, BrokerEpochMarked) else CONTACT
    )
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
