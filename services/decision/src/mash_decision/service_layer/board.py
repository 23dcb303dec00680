"""The board: the queues around the one ready for decision (`handlers.queue`).

- awaiting agencies: rated contacts with information requests out whose picture is not ready
  yet, with each agency's own time left;
- breached: contacts not yet decided whose RAG deadline has passed, the most overdue first.

References and timings only, no personal data: these reads are not audited. The summary rows
(`pictures`) choose and order the contacts; each one's stored events are folded again for what
the row does not hold (each agency's own deadline, escalations, when the breach was recorded).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mash_common.outbox import UnitOfWork

from ..adapters.store import PictureStore
from ..domain.picture import Picture
from .handlers import fold_rows


def _seconds(later: datetime | None, earlier: datetime) -> int | None:
    return None if later is None else int((later - earlier).total_seconds())


def _agencies(picture: Picture, now: datetime) -> list[dict[str, Any]]:
    escalated = {e.agency: e.at for e in picture.escalations}
    out = []
    for agency in sorted(picture.requested):
        answer = picture.answers.get(agency)
        respond_by = picture.agency_deadlines.get(agency, picture.requested[agency])
        out.append(
            {
                "agency": agency,
                "answered": answer is not None,
                "respond_by": respond_by,
                # Null once answered; negative once the agency's own time has run out.
                "time_left_seconds": None if answer else _seconds(respond_by, now),
                "answered_at": answer.received_at if answer else None,
                "late": answer.late if answer else None,
                "escalated_at": escalated.get(agency),
            }
        )
    return out


def _item(row: Any, picture: Picture, now: datetime) -> dict[str, Any]:
    overdue = _seconds(now, row.deadline) if row.deadline else None
    return {
        "contact_id": row.contact_id,
        "reference": row.reference,
        "rating": row.rating,
        "status": row.status,
        "deadline": row.deadline,
        "respond_by": row.respond_by,
        # Until the RAG deadline (else the agencies' deadline); negative once passed.
        "time_left_seconds": _seconds(row.due_at, now),
        "overdue_seconds": overdue if overdue is not None and overdue >= 0 else None,
        "breaches": row.breaches,
        "breached_at": picture.breaches[0] if picture.breaches else None,
        "agencies": _agencies(picture, now),
    }


async def _items(store: PictureStore, rows: Any, now: datetime) -> dict[str, Any]:
    events = await store.events_of([r.contact_id for r in rows])
    items = [_item(r, fold_rows(r.contact_id, events[r.contact_id]), now) for r in rows]
    return {"waiting": len(items), "items": items}


async def awaiting_agencies(uow: UnitOfWork, *, now: datetime) -> dict[str, Any]:
    """Rated, information requested, not yet ready: red first, then the least time left."""
    store = PictureStore(uow.session)
    return await _items(store, await store.awaiting_agencies(), now)


async def breached(uow: UnitOfWork, *, now: datetime) -> dict[str, Any]:
    """Not yet decided and past the RAG deadline: the most overdue first."""
    store = PictureStore(uow.session)
    return await _items(store, await store.past_deadline(now), now)
