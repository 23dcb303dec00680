"""Decision's use cases: fold an event into its picture, complete pictures, read the queue and
a picture (audited), record the manager's decision."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mash_common.audit import Reader, record_read
from mash_common.codec import Decoded
from mash_common.consumer import Rejected
from mash_common.crypto import Sealer, SealError, contact_kid
from mash_common.outbox import UnitOfWork
from mash_schemas.events import (
    EVENT_TYPES,
    DecisionMade,
    EventData,
    PictureCompleted,
)
from mash_schemas.topics import topic_for_event

from ..adapters.store import PictureStore
from ..domain.decisions import check_can_decide, check_level_of_need
from ..domain.picture import Decided, Picture, fold, readiness
from .commands import MakeDecision
from .facts import contact_of, fact_from, happened_at

# PictureCompleted ids are derived from the contact: a second one could never be written.
COMPLETED_IDS = uuid.UUID("6c1d2f0a-2b4e-4c8e-9f31-7a5d0c9e4b21")


class UnknownContact(LookupError):
    pass


def _data(row: Any) -> EventData:
    return EVENT_TYPES[row.event_type].model_validate(row.data)


def _foldable(rows: Sequence[Any]) -> list[Any]:
    # A type this build of the schemas does not know (a newer copy stored it) waits, kept.
    return [r for r in rows if r.event_type in EVENT_TYPES]


def fold_rows(contact_id: str, rows: Sequence[Any]) -> Picture:
    return fold(
        contact_id, [fact_from(r.event_id, _data(r), r.occurred_at) for r in _foldable(rows)]
    )


async def _publish_and_keep(
    uow: UnitOfWork,
    store: PictureStore,
    data: EventData,
    *,
    contact_id: str,
    now: datetime,
    event_id: str | None = None,
) -> str:
    """Publish one of our own events and keep it in the picture like any other."""
    event_id = await uow.publish(data, subject=contact_id, time=now, event_id=event_id)
    await store.add_event(
        event_id=event_id,
        contact_id=contact_id,
        event_type=data.event_type,
        topic=topic_for_event(data.event_type),
        occurred_at=now,
        recorded_at=now,
        data=data.model_dump(mode="json"),
    )
    return event_id


async def _refresh(
    uow: UnitOfWork, store: PictureStore, contact_id: str, *, now: datetime
) -> tuple[Picture, bool]:
    """Recompute the picture from every stored event; complete it if it has become ready.

    The caller holds the contact's row, so the completion check and the publish are one step:
    PictureCompleted goes out once. Returns the picture and whether it completed just now.
    """
    picture = fold_rows(contact_id, await store.events(contact_id))
    completion = readiness(picture, now)
    if completion is not None:
        await _publish_and_keep(
            uow,
            store,
            PictureCompleted(
                contact_id=contact_id,
                answered=list(completion.answered),
                silent=list(completion.silent),
                reason=completion.reason,  # type: ignore[arg-type]
                completed_at=completion.at,
            ),
            contact_id=contact_id,
            now=now,
            event_id=str(uuid.uuid5(COMPLETED_IDS, contact_id)),
        )
        picture.completion = completion
    await store.save(picture, now=now)
    return picture, completion is not None


async def record_event(uow: UnitOfWork, event: Decoded, *, now: datetime) -> None:
    """Keep the event, then fold every event about its contact again."""
    data = event.data
    contact_id = contact_of(data)
    if event.subject != contact_id:
        raise Rejected(
            "the event's subject is not its contact",
            [f"subject {event.subject!r} differs from data.contact_id {contact_id!r}"],
        )
    store = PictureStore(uow.session)
    await store.lock(contact_id)
    if await store.has_event(event.event_id):
        return
    await store.add_event(
        event_id=event.event_id,
        contact_id=contact_id,
        event_type=data.event_type,
        topic=topic_for_event(data.event_type),
        occurred_at=event.envelope.time,
        recorded_at=now,
        data=data.model_dump(mode="json"),
    )
    await _refresh(uow, store, contact_id, now=now)


async def contacts_due(session: AsyncSession, *, now: datetime) -> list[str]:
    return await PictureStore(session).due_for_completion(now)


async def complete_if_ready(uow: UnitOfWork, contact_id: str, *, now: datetime) -> bool:
    """The deadline clock: a picture whose agencies' time ran out is ready with what it has."""
    store = PictureStore(uow.session)
    await store.lock(contact_id)
    _, completed = await _refresh(uow, store, contact_id, now=now)
    return completed


async def make_decision(
    uow: UnitOfWork,
    sealer: Sealer,
    contact_id: str,
    command: MakeDecision,
    *,
    decided_by: str,
    now: datetime,
    levels_of_need: int,
) -> dict[str, Any]:
    check_level_of_need(command.level_of_need, levels_of_need)
    store = PictureStore(uow.session)
    if not await store.exists(contact_id):
        raise UnknownContact(contact_id)
    await store.lock(contact_id)
    # A deadline that passed since the clock last ticked makes the picture ready now.
    picture, _ = await _refresh(uow, store, contact_id, now=now)
    check_can_decide(picture, supersedes=command.supersedes)
    decision = DecisionMade(
        contact_id=contact_id,
        decision_id=str(uuid.uuid4()),
        outcome=command.outcome,
        level_of_need=command.level_of_need,
        receiving_team=command.receiving_team,
        decided_by=decided_by,
        decided_at=now,
        supersedes=command.supersedes,
        rationale=sealer.seal(contact_kid(contact_id), {"rationale": command.rationale}),
        strategy_discussion_agencies=(
            [str(a) for a in command.strategy_discussion_agencies]
            if command.strategy_discussion_agencies else None
        ),
        strategy_discussion_at=(
            command.strategy_discussion_at if command.outcome == "social_care_s47" else None
        ),
        signpost_service=command.signpost_service,
    )
    await _publish_and_keep(uow, store, decision, contact_id=contact_id, now=now)
    await store.save(fold_rows(contact_id, await store.events(contact_id)), now=now)
    return {
        "decision_id": decision.decision_id,
        "contact_id": contact_id,
        "outcome": decision.outcome,
        "level_of_need": decision.level_of_need,
        "receiving_team": decision.receiving_team,
        "decided_by": decided_by,
        "decided_at": now,
        "supersedes": decision.supersedes,
        "strategy_discussion_agencies": decision.strategy_discussion_agencies,
        "strategy_discussion_at": decision.strategy_discussion_at,
        "signpost_service": decision.signpost_service,
    }


# --- reading -------------------------------------------------------------------------------


def _seconds(delta: Any) -> int | None:
    return None if delta is None else int(delta.total_seconds())


async def queue(uow: UnitOfWork, *, now: datetime) -> list[dict[str, Any]]:
    rows = await PictureStore(uow.session).ready_queue()
    out = []
    for r in rows:
        agencies = r.agencies or {}
        answers = r.answers or {}
        out.append(
            {
                "contact_id": r.contact_id,
                "reference": r.reference,
                "rating": r.rating,
                "deadline": r.deadline,
                "respond_by": r.respond_by,
                "time_left_seconds": _seconds(r.due_at - now) if r.due_at else None,
                "ready_at": r.ready_at,
                "ready_reason": r.ready_reason,
                "answered": sorted(a for a in agencies if a in answers),
                "silent": sorted(a for a in agencies if a not in answers),
                "breaches": r.breaches,
            }
        )
    return out


# Sealed fields a decision maker reads in the picture; the rest stay sealed in the view too
# (the child's details are read, audited, from intake).
OPENED_FIELDS = frozenset({"summary", "rationale"})


def _is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and {"kid", "iv", "ct"} <= value.keys()


def _open(sealer: Sealer, value: dict[str, Any]) -> dict[str, Any]:
    try:
        return sealer.open(value)
    except SealError:
        return {"unreadable": True}


def _reveal(sealer: Sealer, data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in data.items():
        if _is_sealed(value):
            out[name] = _open(sealer, value) if name in OPENED_FIELDS else {"sealed": True}
        else:
            out[name] = value
    return out


def _decision_view(fact: Decided, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "decision_id": fact.decision_id,
        "outcome": fact.outcome,
        "level_of_need": fact.level_of_need,
        "receiving_team": fact.receiving_team,
        "decided_by": fact.decided_by,
        "decided_at": fact.at,
        "supersedes": fact.supersedes,
        "rationale": data.get("rationale", {}).get("rationale"),
        "strategy_discussion_agencies": list(fact.strategy_discussion_agencies) or None,
        "strategy_discussion_at": data.get("strategy_discussion_at"),
        "signpost_service": fact.signpost_service,
    }


async def read_picture(
    uow: UnitOfWork, sealer: Sealer, contact_id: str, *, reader: Reader, now: datetime
) -> dict[str, Any] | None:
    """A person reads a child's picture: the read itself is an audit event."""
    store = PictureStore(uow.session)
    if not await store.exists(contact_id):
        return None
    rows = await store.events(contact_id)
    picture = fold_rows(contact_id, rows)
    await record_read(uow, reader, contact_id=contact_id, service="decision",
                      action="read picture", now=now)
    revealed = {r.event_id: _reveal(sealer, r.data) for r in rows}
    agencies = []
    for agency in sorted(set(picture.requested) | set(picture.answers)):
        answer = picture.answers.get(agency)
        agencies.append(
            {
                "agency": agency,
                "requested": agency in picture.requested,
                "respond_by": picture.requested.get(agency),
                # the agency's own deadline inside respond_by (moved by a re-rating)
                "agency_respond_by": picture.agency_deadlines.get(agency),
                "answered": answer is not None,
                "known_to_agency": answer.known_to_agency if answer else None,
                "late": answer.late if answer else None,
                "received_at": answer.received_at if answer else None,
                "answer": revealed[answer.event_id].get("summary") if answer else None,
            }
        )
    current = picture.current_decision
    completion = picture.completion
    return {
        "contact_id": contact_id,
        "reference": picture.reference,
        "status": picture.status,
        "received_at": picture.received_at,
        "immediate_risk": picture.immediate_risk,
        "threshold": (
            {"outcome": picture.threshold_outcome, "level_of_need": picture.level_of_need}
            if picture.threshold_outcome else None
        ),
        "rating": picture.rating,
        "deadline": picture.deadline,
        "respond_by": picture.respond_by,
        "time_left_seconds": _seconds(picture.time_left(now)),
        "agencies": agencies,
        "warned_at": picture.warned_at,
        "breaches": picture.breaches,
        "rag_history": [
            {"rated_at": at, "rating": rating, "deadline": deadline}
            for at, rating, deadline in picture.rag_history
        ],
        "feedback": [
            {"decision_id": f.decision_id, "audience": f.audience, "channel": f.channel,
             "status": f.status, "at": f.at}
            for f in picture.feedback
        ],
        "other_events": [{"type": n.event_type, "at": n.at} for n in picture.notes],
        "repeat_contacts": {
            "contacts_in_12_months": picture.contacts_in_12_months,
            "earlier": [
                {"link_id": e.link_id, "contact_id": e.contact_id, "reference": e.reference,
                 "strength": e.strength, "status": e.status}
                for e in picture.earlier_contacts.values()
            ],
        },
        "escalations": [{"agency": e.agency, "respond_by": e.respond_by, "at": e.at}
                        for e in picture.escalations],
        "completion": (
            {
                "reason": completion.reason,
                "answered": list(completion.answered),
                "silent": list(completion.silent),
                "completed_at": completion.at,
            }
            if completion else None
        ),
        "decision": _decision_view(current, revealed[current.event_id]) if current else None,
        "decisions": [_decision_view(d, revealed[d.event_id]) for d in picture.decisions],
        "timeline": sorted(
            (
                {
                    "event_id": r.event_id,
                    "type": r.event_type,
                    "topic": r.topic,
                    "time": happened_at(_data(r), r.occurred_at),
                    "data": revealed[r.event_id],
                }
                for r in _foldable(rows)
            ),
            key=lambda e: (e["time"], e["event_id"]),
        ),
    }


# --- timeliness ----------------------------------------------------------------------------

STAGES = ("threshold", "rated", "all_answered", "ready", "decided", "feedback_sent")


def _stage_times(row: Any) -> dict[str, datetime | None]:
    return {
        "threshold": row.threshold_at,
        "rated": row.rated_at,
        "all_answered": row.all_answered_at,
        "ready": row.ready_at,
        "decided": row.decided_at,
        "feedback_sent": row.feedback_sent_at,
    }


async def timeliness(uow: UnitOfWork, contact_id: str, *, now: datetime
                     ) -> dict[str, Any] | None:
    """When each stage of one contact was reached, and how long after it was received.
    Times and references only: no personal data, so the read is not audited."""
    row = await PictureStore(uow.session).picture_row(contact_id)
    if row is None:
        return None
    received = row.received_at
    stages = _stage_times(row)
    decided = row.decided_at
    return {
        "contact_id": contact_id,
        "reference": row.reference,
        "status": row.status,
        "rating": row.rating,
        "deadline": row.deadline,
        "received_at": received,
        **{f"{name}_at": at for name, at in stages.items()},
        "seconds_from_received": {
            name: _seconds(at - received) if at and received else None
            for name, at in stages.items()
        },
        "rag_history": row.rag_history or [],
        "agencies": [
            {
                "agency": agency,
                "respond_by": respond_by,
                "answered_at": (row.answers or {}).get(agency, {}).get("received_at"),
                "late": (row.answers or {}).get(agency, {}).get("late"),
                "silent": agency not in (row.answers or {}),
            }
            for agency, respond_by in sorted((row.agencies or {}).items())
        ],
        # Decided within the RAG deadline? Still open: how long is left (negative: overdue).
        "decided_in_time": (decided <= row.deadline) if decided and row.deadline else None,
        "time_left_seconds": (
            _seconds(row.due_at - now) if row.due_at and decided is None else None
        ),
    }


def _percentile(values: list[int], q: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def timeliness_summary(uow: UnitOfWork, *, now: datetime) -> dict[str, Any]:
    """How quickly contacts move through each stage, over every contact the service knows:
    how many reached it, and the median and 90th percentile of the time from receipt."""
    rows = await PictureStore(uow.session).timeliness_rows()
    stages: dict[str, Any] = {}
    for name in STAGES:
        waits = [
            int((at - r.received_at).total_seconds())
            for r in rows
            if (at := _stage_times(r)[name]) is not None and r.received_at is not None
        ]
        stages[name] = {
            "reached": len(waits),
            "median_seconds": _percentile(waits, 0.5),
            "p90_seconds": _percentile(waits, 0.9),
        }
    decided = [r for r in rows if r.decided_at is not None and r.deadline is not None]
    overdue = [r for r in rows
               if r.decided_at is None and r.deadline is not None and r.deadline < now]
    return {
        "contacts": len(rows),
        "stages": stages,
        "decided_in_time": sum(1 for r in decided if r.decided_at <= r.deadline),
        "decided_late": sum(1 for r in decided if r.decided_at > r.deadline),
        "undecided_past_deadline": len(overdue),
        "by_rating": {
            rating: sum(1 for r in rows if r.rating == rating)
            for rating in ("red", "amber", "green")
        },
    }
