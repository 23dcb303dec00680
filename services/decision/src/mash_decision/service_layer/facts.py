"""Translation between the wire contract (schema events) and the picture's facts."""

from __future__ import annotations

from datetime import datetime

from mash_schemas.events import (
    ContactReceived,
    DeadlineBreached,
    DeadlineWarned,
    DecisionMade,
    EventData,
    InformationProvided,
    InformationRequested,
    PictureCompleted,
    RagRated,
    ThresholdDecided,
)

from ..domain.picture import (
    AgencyAnswered,
    ContactArrived,
    DeadlineApproaching,
    DeadlineMissed,
    Decided,
    Fact,
    InformationSought,
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
    DeadlineWarned,
    DeadlineBreached,
    InformationProvided,
    PictureCompleted,
    DecisionMade,
)


def contact_of(data: EventData) -> str:
    contact_id: str = data.contact_id  # type: ignore[attr-defined]
    return contact_id


def happened_at(data: EventData) -> datetime:
    """When the event happened, by its own account (not when it reached us)."""
    match data:
        case ContactReceived() | InformationProvided():
            return data.received_at
        case ThresholdDecided() | DecisionMade():
            return data.decided_at
        case RagRated():
            return data.rated_at
        case InformationRequested():
            return data.requested_at
        case DeadlineWarned():
            return data.warned_at
        case DeadlineBreached():
            return data.breached_at
        case PictureCompleted():
            return data.completed_at
    raise TypeError(f"{data.event_type} is not part of a picture")


def fact_from(event_id: str, data: EventData) -> Fact:
    at = happened_at(data)
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
            )
    raise TypeError(f"{data.event_type} is not part of a picture")
