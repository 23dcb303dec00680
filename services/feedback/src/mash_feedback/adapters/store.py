"""The feedback store: cases, decisions and what was recorded, over one open transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mash_common.db import claim
from mash_schemas.events import ContactReceived, DecisionMade

from .tables import cases, decisions, deliveries, feedback


class FeedbackStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, contact_id: str) -> None:
        await claim(self.session, cases, {"contact_id": contact_id})

    async def case(self, contact_id: str) -> Row[Any] | None:
        result = await self.session.execute(select(cases).where(cases.c.contact_id == contact_id))
        return result.first()

    async def save_contact(self, contact: ContactReceived) -> None:
        await self.session.execute(
            update(cases)
            .where(cases.c.contact_id == contact.contact_id)
            .values(
                has_contact=True,
                reference=contact.reference,
                received_at=contact.received_at,
                referrer_kind=contact.referrer_kind,
                referrer_agency=contact.referrer_agency,
                contact_source=contact.contact_source,
                immediate_risk=contact.immediate_risk,
                concern_factors=list(contact.concern_factors),
                personal=contact.personal.model_dump(),
                channel=contact.channel,
            )
        )

    async def has_decision(self, decision_id: str) -> bool:
        result = await self.session.execute(
            select(decisions.c.decision_id).where(decisions.c.decision_id == decision_id)
        )
        return result.first() is not None

    async def add_decision(self, event_id: str, decision: DecisionMade) -> None:
        await self.session.execute(
            decisions.insert().values(
                decision_id=decision.decision_id,
                contact_id=decision.contact_id,
                event_id=event_id,
                outcome=decision.outcome,
                level_of_need=decision.level_of_need,
                receiving_team=decision.receiving_team,
                decided_by=decision.decided_by,
                decided_at=decision.decided_at,
                supersedes=decision.supersedes,
                rationale=decision.rationale.model_dump(),
                strategy_discussion_agencies=decision.strategy_discussion_agencies,
                signpost_service=decision.signpost_service,
            )
        )

    async def decisions(self, contact_id: str) -> Sequence[Row[Any]]:
        result = await self.session.execute(
            select(decisions)
            .where(decisions.c.contact_id == contact_id)
            .order_by(decisions.c.decided_at, decisions.c.decision_id)
        )
        return result.all()

    async def decisions_awaiting_feedback(self, contact_id: str) -> Sequence[Row[Any]]:
        answered = select(feedback.c.decision_id).where(feedback.c.contact_id == contact_id)
        result = await self.session.execute(
            select(decisions)
            .where(decisions.c.contact_id == contact_id,
                   decisions.c.decision_id.not_in(answered))
            .order_by(decisions.c.decided_at, decisions.c.decision_id)
        )
        return result.all()

    async def add_feedback(
        self,
        *,
        decision_id: str,
        audience: str,
        contact_id: str,
        event_id: str,
        referrer_kind: str | None,
        channel: str,
        status: str,
        message: dict[str, Any] | None,
        sent_at: datetime,
    ) -> None:
        await self.session.execute(
            feedback.insert().values(
                decision_id=decision_id,
                audience=audience,
                contact_id=contact_id,
                event_id=event_id,
                referrer_kind=referrer_kind,
                channel=channel,
                status=status,
                message=message,
                sent_at=sent_at,
            )
        )

    async def feedback(self, contact_id: str) -> Sequence[Row[Any]]:
        result = await self.session.execute(
            select(feedback)
            .where(feedback.c.contact_id == contact_id)
            .order_by(feedback.c.sent_at, feedback.c.audience)
        )
        return result.all()

    # --- deliveries -----------------------------------------------------------------------

    async def add_delivery(
        self, *, delivery_id: str, decision_id: str, audience: str, contact_id: str,
        channel: str, status: str, now: datetime,
    ) -> None:
        await self.session.execute(
            deliveries.insert().values(
                delivery_id=delivery_id, decision_id=decision_id, audience=audience,
                contact_id=contact_id, channel=channel, status=status, attempts=0,
                next_attempt_at=now if status == "pending" else None, created_at=now,
                sent_at=now if status == "sent" else None,
            )
        )

    async def due_deliveries(self, now: datetime, limit: int = 20) -> list[str]:
        result = await self.session.execute(
            select(deliveries.c.delivery_id)
            .where(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now)
            .order_by(deliveries.c.next_attempt_at)
            .limit(limit)
        )
        return [r.delivery_id for r in result]

    async def take_delivery(self, delivery_id: str, now: datetime, until: datetime) -> bool:
        """Take a due delivery for this copy until `until` (a lease: if this copy dies with it,
        another takes it then). False when another copy took it first."""
        result = await self.session.execute(
            update(deliveries)
            .where(deliveries.c.delivery_id == delivery_id, deliveries.c.status == "pending",
                   deliveries.c.next_attempt_at <= now)
            .values(next_attempt_at=until)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def delivery(self, delivery_id: str) -> Row[Any] | None:
        result = await self.session.execute(
            select(deliveries, feedback.c.message, cases.c.reference, cases.c.referrer_kind)
            .join(feedback, and_(feedback.c.decision_id == deliveries.c.decision_id,
                                 feedback.c.audience == deliveries.c.audience))
            .join(cases, cases.c.contact_id == deliveries.c.contact_id)
            .where(deliveries.c.delivery_id == delivery_id)
        )
        return result.first()

    async def mark_delivery(self, delivery_id: str, **values: Any) -> None:
        await self.session.execute(
            update(deliveries).where(deliveries.c.delivery_id == delivery_id).values(**values)
        )

    async def deliveries_of(self, contact_id: str) -> Sequence[Row[Any]]:
        result = await self.session.execute(
            select(deliveries).where(deliveries.c.contact_id == contact_id)
            .order_by(deliveries.c.created_at, deliveries.c.delivery_id)
        )
        return result.all()

    async def deliveries_by_status(self, status: str, limit: int) -> Sequence[Row[Any]]:
        result = await self.session.execute(
            select(deliveries, cases.c.reference)
            .join(cases, cases.c.contact_id == deliveries.c.contact_id)
            .where(deliveries.c.status == status)
            .order_by(deliveries.c.created_at, deliveries.c.delivery_id)
            .limit(limit)
        )
        return result.all()
