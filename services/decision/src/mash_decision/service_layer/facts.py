"""Translation between the wire contract (schema events) and the picture's facts."""

from __future__ import annotations

from datetime import datetime

from mash_schemas.events import (
    AgencyEscalated,
    ContactLinkDecided,
    ContactLinked,
    ContactReceived,
    DeadlineBreached,
    DeadlineWarned,
    DecisionMade,
    EventData,
    FeedbackSent,
    InformationDeadlinesChanged,
    InformationProvided,
    InformationRequested,
    PictureCompleted,
    RagRated,
    ThresholdDecided,
)

from ..domain.picture import (
    AgencyAnswered,
    AgencyDeadlinesMoved,
    AgencyEscalation,
    ContactArrived,
    DeadlineApproaching,
    DeadlineMissed,
    Decided,
    EarlierContactsFound,
    Fact,
    FeedbackGiven,
    InformationSought,
    LinkDecided,
    Noted,
    PictureComplete,
    RagRatingSet,
    ThresholdScreened,
)

# Every event type a picture is folded from (the two the service publishes itself included).
PICTURE_EVENTS: tuple[type[EventData], ...] = (
    ContactReceived,
    ThresholdDecided,
    RagRated,
    InformationRequested,
    InformationDeadlinesChanged,
    DeadlineWarned,
    DeadlineBreached,
    InformationProvided,
    PictureCompleted,
    DecisionMade,
    FeedbackSent,
    ContactLinked,
    ContactLinkDecided,
    AgencyEscalated,
)


def contact_of(data: EventData) -> str:
    contact_id: str = data.contact_id  # type: ignore[attr-defined]
    return contact_id


def happened_at(data: EventData, envelope_time: datetime | None = None) -> datetime:
    """When the event happened, by its own account (not when it reached us); for a type the
    picture has no rule for, the time on its envelope."""
    match data:
        case ContactReceived() | InformationProvided():
            return data.received_at
        case ThresholdDecided() | DecisionMade():
            return data.decided_at
        case RagRated():
            return data.rated_at
        case InformationRequested():
            return data.requested_at
        case InformationDeadlinesChanged():
            return data.changed_at
        case DeadlineWarned():
            return data.warned_at
        case DeadlineBreached():
            return data.breached_at
        case PictureCompleted():
            return data.completed_at
        case FeedbackSent():
            return data.sent_at
        case ContactLinked():
            return data.linked_at
        case ContactLinkDecided():
            return data.decided_at
        case AgencyEscalated():
            return data.escalated_at
    if envelope_time is not None:
        return envelope_time
    raise TypeError(f"{data.event_type} is not part of a picture")


def fact_from(event_id: str, data: EventData, envelope_time: datetime | None = None) -> Fact:
    at = happened_at(data, envelope_time)
    match data:
        case ContactReceived():
            return ContactArrived(
                event_id=event_id, at=at, reference=data.reference,
                received_at=data.received_at, immediate_risk=data.immediate_risk,
            )
        case ThresholdDecided():
            return ThresholdScreened(
                event_id=event_id, at=at, outcome=data.outcome, level_of_need=data.level_of_need
            )
        case RagRated():
            return RagRatingSet(event_id=event_id, at=at, rating=data.rating,
                                deadline=data.deadline)
        case InformationRequested():
            return InformationSought(
                event_id=event_id, at=at, reference=data.reference, rating=data.rating,
                agencies=tuple(data.agencies), respond_by=data.respond_by,
                agency_respond_by=tuple(sorted((data.agency_respond_by or {}).items())),
            )
        case InformationDeadlinesChanged():
            return AgencyDeadlinesMoved(
                event_id=event_id, at=at, rating=data.rating, respond_by=data.respond_by,
                agency_respond_by=tuple(sorted(data.agency_respond_by.items())),
            )
        case InformationProvided():
            return AgencyAnswered(
                event_id=event_id, at=at, agency=data.agency, request_id=data.request_id,
                known_to_agency=data.known_to_agency, late=data.late,
            )
        case DeadlineWarned():
            return DeadlineApproaching(event_id=event_id, at=at, deadline=data.deadline)
        case DeadlineBreached():
            return DeadlineMissed(event_id=event_id, at=at, deadline=data.deadline)
        case PictureCompleted():
            return PictureComplete(
                event_id=event_id, at=at, reason=data.reason,
                answered=tuple(data.answered), silent=tuple(data.silent),
            )
        case DecisionMade():
            return Decided(
                event_id=event_id, at=at, decision_id=data.decision_id, outcome=data.outcome,
                level_of_need=data.level_of_need, receiving_team=data.receiving_team,
                decided_by=data.decided_by, supersedes=data.supersedes,
                strategy_discussion_agencies=tuple(data.strategy_discussion_agencies or ()),
                signpost_service=data.signpost_service,
            )
        case FeedbackSent():
            return FeedbackGiven(
                event_id=event_id, at=at, decision_id=data.decision_id, audience=data.audience,
                channel=data.channel, status=data.status,
            )
        case ContactLinked():
            return EarlierContactsFound(
                event_id=event_id, at=at, contacts_in_12_months=data.contacts_in_12_months,
                candidates=tuple(
                    (c.link_id, c.contact_id, c.reference, c.strength) for c in data.candidates
                ),
            )
        case ContactLinkDecided():
            return LinkDecided(
                event_id=event_id, at=at, link_id=data.link_id,
                linked_contact_id=data.linked_contact_id, decision=data.decision,
                contacts_in_12_months=data.contacts_in_12_months,
            )
        case AgencyEscalated():
            return AgencyEscalation(event_id=event_id, at=at, agency=data.agency,
                                    respond_by=data.respond_by)
    return Noted(event_id=event_id, at=at, event_type=data.event_type)
