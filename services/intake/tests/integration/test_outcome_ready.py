"""The referrer's status check says whether an outcome is ready (and since when), never what it
is: intake learns it from `FeedbackSent` (audience referrer) on `mash.feedback`."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest

from mash_common.auth import Role
from mash_common.codec import encode
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import produce, running, wait_until
from mash_intake.bootstrap import build_app
from mash_intake.config import IntakeSettings
from mash_schemas.events import FeedbackSent
from mash_schemas.topics import FEEDBACK

from .conftest import marf

pytestmark = pytest.mark.integration

STAFF = staff_headers(Role.DECISION_MAKER)


Audience = Literal["referrer", "receiving_team"]


async def send_feedback(bootstrap: str, contact_id: str, *, audience: Audience = "referrer",
                        sent_at: datetime | None = None) -> None:
    """What the feedback service publishes once the outcome is recorded."""
    data = FeedbackSent(
        contact_id=contact_id, decision_id=str(uuid.uuid4()), audience=audience,
        referrer_kind="professional", channel="email", status="sent",
        sent_at=sent_at or datetime.now(UTC).replace(microsecond=0),
    )
    _, value = encode(data, source="/mash/feedback", subject=contact_id)
    await produce(bootstrap, FEEDBACK, value, key=contact_id.encode())


async def test_the_status_says_when_an_outcome_is_ready_and_nothing_more(
    kafka_bootstrap: str, settings: IntakeSettings
) -> None:
    sent_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    siblings = marf(children=[
        {"first_name": "Ava", "last_name": "Brook", "date_of_birth": "2017-05-01"},
        {"first_name": "Leo", "last_name": "Brook", "date_of_birth": "2019-02-11"},
    ])
    async with running(build_app(settings), headers=STAFF) as client:
        body = (await client.post("/v1/contacts", json=siblings)).json()
        token = {"X-Status-Token": body["status_token"]}
        ava, leo = body["contacts"]

        async def status(reference: str) -> dict[str, object]:
            r = await client.get(f"/v1/contact-status/{reference}", headers=token)
            assert r.status_code == 200
            result: dict[str, object] = r.json()
            return result

        before = await status(ava["reference"])
        # For the receiving team only, and for a contact intake does not hold: nothing changes.
        await send_feedback(kafka_bootstrap, ava["contact_id"], audience="receiving_team")
        await send_feedback(kafka_bootstrap, leo["contact_id"], audience="receiving_team")
        await send_feedback(kafka_bootstrap, str(uuid.uuid4()))
        await send_feedback(kafka_bootstrap, ava["contact_id"], sent_at=sent_at)
        await send_feedback(kafka_bootstrap, ava["contact_id"],  # a repeat: the first one counts
                            sent_at=sent_at + timedelta(hours=1))

        async def ready() -> dict[str, object] | None:
            s = await status(ava["reference"])
            return s if s["outcome_ready"] else None

        after = await wait_until(ready, what="the outcome ready for the referrer")
        await asyncio.sleep(1.0)  # the repeat, and Leo's, are taken by now
        sibling = await status(leo["reference"])
        wrong = await client.get(f"/v1/contact-status/{ava['reference']}",
                                 headers={"X-Status-Token": "guess"})
        again = await status(ava["reference"])

    assert before["outcome_ready"] is False and before["outcome_ready_at"] is None
    assert set(after) == {"reference", "received", "received_at", "outcome_ready",
                          "outcome_ready_at"}
    assert datetime.fromisoformat(str(after["outcome_ready_at"])) == sent_at
    assert again == after
    assert sibling["outcome_ready"] is False
    assert wrong.status_code == 404
    assert "Brook" not in str(after)
