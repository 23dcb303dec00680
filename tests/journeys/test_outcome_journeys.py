"""From a ready picture to the referrer's inbox, for every outcome the manager can choose.

The decision and feedback services run in this process on the real broker and real databases
(both engines), each with its own store; a real SMTP server on localhost receives the emails.
The test plays intake, triage and the agency gateway, and the MASH manager over HTTP.
"""

from __future__ import annotations

import email
import email.policy
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, get_args

import pytest
from aiosmtpd.controller import Controller

from mash_common.auth import Role
from mash_common.broker import free_port
from mash_common.codec import DecodeError, decode, encode
from mash_common.crypto import Sealer, contact_kid
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import produce, read_topic, running, settings_for, wait_until
from mash_decision.bootstrap import build_app as decision_app
from mash_decision.config import DecisionSettings
from mash_feedback.bootstrap import build_app as feedback_app
from mash_feedback.config import FeedbackSettings
from mash_feedback.domain.feedback import OUTCOME_WORDS
from mash_schemas.codes import DecisionOutcome
from mash_schemas.envelope import utcnow
from mash_schemas.events import (
    ContactReceived,
    EventData,
    HandoverSummary,
    InformationProvided,
    InformationRequested,
)
from mash_schemas.topics import HANDOVER, topic_for_event

pytestmark = pytest.mark.integration

MANAGER = staff_headers(Role.MASH_MANAGER, "staff:mgr-7")
FAMILY = ("Ava", "Brook", "Dean", "Margaret", "Mill Lane", "MK1 1AA", "2017")
REFERRERS = {
    "professional": {"kind": "professional", "name": "Jo Class", "role": "Teacher",
                     "agency": "Oak Primary", "email": "jo@oak.example"},
    "public": {"kind": "public", "name": "Margaret Brook", "email": "margaret@example.org"},
}
DECISIONS: dict[str, dict[str, Any]] = {
    "social_care_s17": {"receiving_team": "Assessment 2", "level_of_need": 3},
    "social_care_s47": {"receiving_team": "Child protection team", "level_of_need": 4,
                        "strategy_discussion_agencies": ["childrens-social-care", "health",
                                                         "police"]},
    "early_help": {"receiving_team": "Early Help East", "level_of_need": 2},
    "signpost": {"signpost_service": "Family Support Hub", "level_of_need": 1},
    "nfa": {"level_of_need": 1},
    "advice": {"level_of_need": 1},
}


class Inbox:
    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[Any] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 OK"

    def for_reference(self, reference: str) -> list[Any]:
        return [m for m in self.received if m["X-MASH-Reference"] == reference]


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox()
    box.controller.start()
    yield box
    box.controller.stop()


@pytest.fixture
def feedback_database_url(request: pytest.FixtureRequest, database_url: str, tmp_path: Any
                          ) -> str:
    """Feedback's own store, on the same engine as decision's."""
    if database_url.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{tmp_path}/feedback.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


class Contact:
    """One child's contact, played through intake, triage and the agency gateway."""

    def __init__(self, bootstrap: str, sealer: Sealer, referrer: str) -> None:
        self.bootstrap = bootstrap
        self.sealer = sealer
        self.contact_id = str(uuid.uuid4())
        self.reference = f"MASH-2026-{uuid.uuid4().int % 1_000_000:06d}"
        self.referrer = REFERRERS[referrer]

    def seal(self, payload: dict[str, Any]) -> Any:
        return self.sealer.seal(contact_kid(self.contact_id), payload)

    async def send(self, data: EventData) -> None:
        _, value = encode(data, source="/mash/test", subject=self.contact_id)
        await produce(self.bootstrap, topic_for_event(data.event_type), value,
                      key=self.contact_id.encode())

    async def up_to_a_complete_picture(self) -> None:
        now = utcnow()
        await self.send(ContactReceived(
            contact_id=self.contact_id, reference=self.reference,
            family_group_id=str(uuid.uuid4()), received_at=now - timedelta(hours=2),
            channel="web", contact_type="concern",
            contact_source="2A" if self.referrer["kind"] == "professional" else "1A",
            referrer_kind=self.referrer["kind"], referrer_agency=self.referrer.get("agency"),
            immediate_risk=False, concern_factors=["16A"], child_age_years=8,
            personal=self.seal({
                "child": {"first_name": "Ava", "last_name": "Brook",
                          "date_of_birth": "2017-05-01", "address": "4 Mill Lane",
                          "postcode": "MK1 1AA"},
                "referrer": self.referrer,
                "concern": {"summary": "Ava came to school hungry; uncle Dean shouts at her"},
            }),
        ))
        await self.send(InformationRequested(
            contact_id=self.contact_id, reference=self.reference, rating="amber",
            agencies=["police"], respond_by=now + timedelta(hours=4), requested_by="mgr-1",
            requested_at=now - timedelta(hours=1), need_to_know=self.seal({"child": {}}),
        ))
        await self.send(InformationProvided(
            contact_id=self.contact_id, request_id="req-police", agency="police",
            known_to_agency=True, received_at=now - timedelta(minutes=30), late=False,
            summary=self.seal({"summary": "One domestic incident at the address"}),
        ))

    async def handed_over(self) -> list[Any]:
        out = []
        for m in await read_topic(self.bootstrap, HANDOVER):
            if m.key is None or m.key.decode(errors="replace") != self.contact_id:
                continue
            try:
                event = decode(m.value)
            except DecodeError:
                continue
            if event.type == HandoverSummary.event_type:
                out.append(event)
        return out


@pytest.mark.parametrize("outcome", get_args(DecisionOutcome))
async def test_a_decision_reaches_the_referrer_the_team_and_the_timeliness_record(
    kafka_bootstrap: str, database_url: str, feedback_database_url: str, inbox: Inbox,
    outcome: str,
) -> None:
    decision_settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap,
                                     db_url=database_url)
    feedback_settings = settings_for(
        FeedbackSettings, bootstrap=kafka_bootstrap, db_url=feedback_database_url,
        smtp_host="127.0.0.1", smtp_port=inbox.port, email_retry_first_s=0.3)
    sealer = Sealer(decision_settings.data_key.get_secret_value())
    contacts = {kind: Contact(kafka_bootstrap, sealer, kind) for kind in REFERRERS}
    async with running(decision_app(decision_settings), headers=MANAGER) as decision, \
            running(feedback_app(feedback_settings), headers=MANAGER) as feedback:
        for contact in contacts.values():
            await contact.up_to_a_complete_picture()
        for contact in contacts.values():
            async def ready(c: Contact = contact) -> bool:
                queue = (await decision.get("/v1/queue")).json()
                return any(i["contact_id"] == c.contact_id for i in queue)

            await wait_until(ready, what="the picture ready for decision")
            made = await decision.post(
                f"/v1/contacts/{contact.contact_id}/decision", headers=MANAGER,
                json={"outcome": outcome, "rationale": f"The manager's reasons for {outcome}",
                      **DECISIONS[outcome]})
            assert made.status_code == 201, made.text

        professional, public = contacts["professional"], contacts["public"]
        [to_professional] = await wait_until(
            lambda: _found(inbox.for_reference(professional.reference)), what="email")
        [to_public] = await wait_until(
            lambda: _found(inbox.for_reference(public.reference)), what="public email")

        async def told(c: Contact) -> dict[str, Any] | None:
            r = (await decision.get(f"/v1/timeliness/{c.contact_id}")).json()
            return r if r["feedback_sent_at"] else None

        timeliness = await wait_until(lambda: told(professional), what="feedback in timeliness")
        recorded = (await feedback.get(f"/v1/feedback/{professional.contact_id}",
                                       headers=MANAGER)).json()
        handed = await professional.handed_over()

    text = to_professional.get_content()
    assert "Dear Jo Class" in text and OUTCOME_WORDS[outcome] in text
    team = DECISIONS[outcome].get("receiving_team")
    if team:
        assert team in text
        [handover] = handed
        summary = sealer.open(handover.data.summary)["body"]
        assert "Ava Brook" in summary and f"The manager's reasons for {outcome}" in summary
    else:
        assert handed == []
    if outcome == "signpost":
        assert "Family Support Hub" in text

    public_text = str(to_public["Subject"]) + "\n" + to_public.get_content()
    for name in FAMILY:
        assert name not in public_text, name
    assert OUTCOME_WORDS[outcome] not in public_text and public.reference in public_text

    [decided] = recorded["decisions"]
    referrer = next(f for f in decided["feedback"] if f["audience"] == "referrer")
    assert referrer["deliveries"][0]["status"] == "sent"
    seconds = timeliness["seconds_from_received"]
    assert seconds["all_answered"] is not None and seconds["decided"] >= seconds["ready"]
    assert seconds["feedback_sent"] >= seconds["decided"]


async def _found(items: list[Any]) -> list[Any] | None:
    return items or None
