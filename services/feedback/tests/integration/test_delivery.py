"""Feedback delivered: email through a real SMTP server on localhost, the handover summary on its
topic, outcome events for agency systems; retries that back off and survive a restart. Real
broker, both databases."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from mash_common.auth import Role
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import read_topic, running, settings_for, wait_until
from mash_feedback.bootstrap import build_app
from mash_feedback.config import FeedbackSettings
from mash_feedback.domain.feedback import NEXT_STEPS, OUTCOME_WORDS
from mash_schemas.codes import DecisionOutcome
from mash_schemas.events import FeedbackSent, HandoverSummary, ReferralOutcome
from mash_schemas.topics import FEEDBACK, HANDOVER, OUTCOMES

pytestmark = pytest.mark.integration

STAFF = staff_headers(Role.MASH_MANAGER, "mgr-7")
OPERATOR = staff_headers(Role.ADMINISTRATOR, "staff:ops-1")  # deliveries, no case records
# Everyone in the family, and where they live: a public referrer's email names none of it.
FAMILY = ("Ava", "Brook", "Dean", "Margaret", "Mill Lane", "MK1 1AA", "2017")
TEAMS = {"social_care_s17": "Assessment 2", "social_care_s47": "Child protection team",
         "early_help": "Early Help East", "signpost": None, "nfa": None, "advice": None}


def emailing(bootstrap: str, db_url: str, port: int, **overrides: Any) -> FeedbackSettings:
    values: dict[str, Any] = {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_timeout_s": 3,
                              "email_retry_first_s": 0.3, "email_retry_longest_s": 1.0,
                              **overrides}
    return settings_for(FeedbackSettings, bootstrap=bootstrap, db_url=db_url, **values)


def decision_for(hub: Any, outcome: str) -> Any:
    extra: dict[str, Any] = {}
    if outcome == "social_care_s47":
        extra["strategy_discussion_agencies"] = ["childrens-social-care", "health", "police"]
    if outcome == "signpost":
        extra["signpost_service"] = "Family Support Hub"
    return hub.decision(outcome, TEAMS[outcome], **extra)


def emails(mailbox: Any, hub: Any, n: int = 1) -> Any:
    async def probe() -> list[Any] | None:
        found = mailbox.for_reference(hub.reference)
        return found if len(found) >= n else None

    return probe


def published(hub: Any, topic: str, event_type: str, n: int = 1) -> Any:
    async def probe() -> list[Any] | None:
        found = await hub.published(topic, event_type)
        return found if len(found) >= n else None

    return probe


@pytest.mark.parametrize("outcome", get_args(DecisionOutcome))
async def test_the_journey_of_each_outcome_to_the_referrers_inbox_and_the_receiving_team(
    kafka_bootstrap: str, database_url: str, hub_for: Any, mailbox: Any, outcome: str
) -> None:
    settings = emailing(kafka_bootstrap, database_url, mailbox.port)
    professional = hub_for(kafka_bootstrap, settings, "professional")
    public = hub_for(kafka_bootstrap, settings, "public")
    async with running(build_app(settings)) as client:
        for hub in (professional, public):
            await hub.send(hub.contact())
            await hub.send(decision_for(hub, outcome))
        [to_professional] = await wait_until(emails(mailbox, professional), what="email")
        [to_public] = await wait_until(emails(mailbox, public), what="public email")
        sent = await wait_until(
            published(professional, FEEDBACK, FeedbackSent.event_type, 3), what="sent")
        body = (await client.get(f"/v1/feedback/{professional.contact_id}",
                                 headers=STAFF)).json()
        handover = await client.get(f"/v1/handover/{professional.contact_id}", headers=STAFF)
        handed = await professional.published(HANDOVER, HandoverSummary.event_type)

    # The professional: the outcome and the next steps, to their address.
    assert to_professional["To"] == "jo@oak.example"
    text = to_professional.get_content()
    assert "Dear Jo Class" in text and OUTCOME_WORDS[outcome] in text
    team = TEAMS[outcome] or "the MASH"
    assert NEXT_STEPS[outcome].format(team=team).split(".")[0] in " ".join(text.split())
    if outcome == "signpost":
        assert "Family Support Hub" in text

    # The member of the public: a general acknowledgement that names no one.
    assert to_public["To"] == "margaret@example.org"
    public_text = str(to_public["Subject"]) + "\n" + to_public.get_content()
    for name in FAMILY:
        assert name not in public_text, name
    assert OUTCOME_WORDS[outcome] not in public_text and public.reference in public_text

    # Recorded, then sent: the delivery's status is there to see.
    statuses = sorted((e.data.audience, e.data.channel, e.data.status) for e in sent)
    team_status = ("receiving_team", "kafka", "sent") if TEAMS[outcome] else (
        "receiving_team", "none", "not_required")
    assert statuses == sorted([("referrer", "email", "recorded"), ("referrer", "email", "sent"),
                               team_status])
    referrer = next(f for f in body["decisions"][0]["feedback"] if f["audience"] == "referrer")
    [delivery] = referrer["deliveries"]
    assert (delivery["channel"], delivery["status"], delivery["attempts"]) == ("email", "sent", 1)

    # The receiving team: the summary on the handover topic, sealed, and readable here.
    if TEAMS[outcome]:
        [event] = handed
        summary = professional.sealer.open(event.data.summary)
        assert event.data.receiving_team == TEAMS[outcome]
        assert "Ava Brook, born 2017-05-01" in summary["body"]
        assert "Needs support with routines" in summary["body"]
        assert handover.status_code == 200
        assert handover.json()[0]["summary"] == summary
        if outcome == "social_care_s47":
            assert "Strategy discussion with: childrens-social-care, health, police" in (
                summary["body"])
    else:
        assert handed == [] and handover.status_code == 404


async def test_an_email_that_cannot_be_sent_is_retried_with_backoff_even_after_a_restart(
    kafka_bootstrap: str, database_url: str, hub_for: Any, closed_mailbox: Any
) -> None:
    settings = emailing(kafka_bootstrap, database_url, closed_mailbox.port)
    hub = hub_for(kafka_bootstrap, settings, "professional")

    async def delivery(client: Any) -> dict[str, Any] | None:
        r = await client.get(f"/v1/feedback/{hub.contact_id}", headers=STAFF)
        if r.status_code != 200:
            return None
        referrer = next(f for f in r.json()["decisions"][0]["feedback"]
                        if f["audience"] == "referrer")
        return referrer["deliveries"][0] if referrer["deliveries"] else None

    async with running(build_app(settings)) as client:
        await hub.send(hub.contact())
        await hub.send(hub.decision())

        async def failed_twice() -> dict[str, Any] | None:
            found = await delivery(client)
            return found if found and found["attempts"] >= 2 else None

        state = await wait_until(failed_twice, what="two failed attempts")
        pending = (await client.get("/v1/deliveries", params={"status": "pending"},
                                     headers=OPERATOR)).json()
    assert state["status"] == "pending" and state["next_attempt_at"] is not None
    assert state["last_error"].startswith("ConnectionRefusedError")
    assert any(p["contact_id"] == hub.contact_id for p in pending)
    assert "jo@oak.example" not in str(pending)  # operators see state, not addresses

    # The service stops; the mail server comes up; a new process takes the retry from the DB.
    closed_mailbox.start()
    async with running(build_app(settings)) as client:
        [received] = await wait_until(emails(closed_mailbox, hub), what="the retried email")

        async def sent() -> dict[str, Any] | None:
            found = await delivery(client)
            return found if found and found["status"] == "sent" else None

        state = await wait_until(sent, what="the delivery marked sent")
    assert received["To"] == "jo@oak.example" and state["attempts"] >= 3
    assert state["last_error"] is None and state["sent_at"] is not None


async def test_an_email_is_given_up_after_the_last_attempt_and_shown_as_failed(
    kafka_bootstrap: str, database_url: str, hub_for: Any, closed_mailbox: Any
) -> None:
    settings = emailing(kafka_bootstrap, database_url, closed_mailbox.port,
                        email_max_attempts=2, email_retry_first_s=0.1)
    hub = hub_for(kafka_bootstrap, settings, "public")
    async with running(build_app(settings)) as client:
        await hub.send(hub.contact())
        await hub.send(hub.decision("nfa", None))

        async def failed() -> list[dict[str, Any]] | None:
            rows = (await client.get("/v1/deliveries", params={"status": "failed"},
                                         headers=OPERATOR)).json()
            return [r for r in rows if r["contact_id"] == hub.contact_id] or None

        [row] = await wait_until(failed, what="the delivery given up")
    assert row["attempts"] == 2 and row["reference"] == hub.reference
    assert row["next_attempt_at"] is None


async def test_an_agency_system_that_referred_gets_the_outcome_as_an_event(
    kafka_bootstrap: str, database_url: str, hub_for: Any, mailbox: Any
) -> None:
    settings = emailing(kafka_bootstrap, database_url, mailbox.port)
    hub = hub_for(kafka_bootstrap, settings, "professional")
    anonymous = hub_for(kafka_bootstrap, settings, "anonymous")
    async with running(build_app(settings)) as client:
        await hub.send(hub.contact(channel="agency"))
        decision = hub.decision("social_care_s17", "Assessment 2")
        await hub.send(decision)
        await anonymous.send(anonymous.contact())
        await anonymous.send(anonymous.decision("nfa", None))
        [event] = await wait_until(published(hub, OUTCOMES, ReferralOutcome.event_type),
                                   what="the outcome event")
        await wait_until(emails(mailbox, hub), what="the email too")
        await wait_until(published(anonymous, FEEDBACK, FeedbackSent.event_type, 2),
                         what="the anonymous contact's feedback")
        body = (await client.get(f"/v1/feedback/{hub.contact_id}", headers=STAFF)).json()
        raw = [m.value for m in await read_topic(kafka_bootstrap, OUTCOMES)
               if m.key is not None and m.key.decode(errors="replace") == hub.contact_id]
    outcome = event.data
    assert (outcome.reference, outcome.outcome, outcome.receiving_team) == (
        hub.reference, "social_care_s17", "Assessment 2")
    assert outcome.decision_id == decision.decision_id and outcome.referrer_agency == "Oak Primary"
    assert "Assessment 2" in outcome.next_steps
    assert not any(name.encode() in value for value in raw for name in FAMILY + ("Jo Class",))
    referrer = next(f for f in body["decisions"][0]["feedback"] if f["audience"] == "referrer")
    assert sorted(d["channel"] for d in referrer["deliveries"]) == ["email", "kafka"]
    assert mailbox.for_reference(anonymous.reference) == []  # an anonymous referrer: nothing
