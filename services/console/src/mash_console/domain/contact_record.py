"""A contact's record as the console shows it: the timeline, where it stands, and what was fed
back. Built from what the services return (decision's picture, triage's record, the gateway's
requests, feedback's record); no framework, no I/O.

The timeline runs oldest first (newest last): a case record is read as a story, each step
following from the one before (the request, then the answers, then the decision). Where the
contact stands now, and what to do next, are at the top of the page, so nobody has to scroll to
the end to find them.

Each source stands in for another when it is missing: the picture (decision) is the backbone;
without it, triage's history, the gateway's requests and feedback's record give what they know.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mash_schemas.codes import CONTACT_SOURCES

from .formatting import agency_name, parse_time, when

THRESHOLD_OUTCOMES = {
    "mash": "Into the MASH for information sharing",
    "social_care": "Straight to children's social care",
    "early_help": "Early help",
    "signpost": "Signpost to another service",
    "advice": "Advice",
    "nfa": "No further action",
}
DECISION_OUTCOMES = {
    "social_care_s17": "Children's social care: child in need assessment (section 17)",
    "social_care_s47": "Children's social care: child protection enquiry (section 47)",
    "early_help": "Early help assessment",
    "signpost": "Signpost to another service",
    "nfa": "No further action",
    "advice": "Advice, no further action",
}
REFERRER_KINDS = {
    "professional": "a professional",
    "public": "a member of the public",
    "anonymous": "an anonymous referrer",
}
RATINGS = {"red": "Red", "amber": "Amber", "green": "Green"}
LAWFUL_BASES = {
    "public_task": "Public task",
    "legal_obligation": "Legal obligation",
    "vital_interests": "Vital interests",
    "consent": "Consent",
}

EVENT = "uk.mash."  # every event type's prefix


def outcome_label(outcome: str | None) -> str:
    return DECISION_OUTCOMES.get(outcome or "", outcome or "")


def agencies_text(agencies: Iterable[str] | None) -> str:
    return ", ".join(agency_name(a) for a in agencies or []) or "none"


def _rating(value: Any) -> str:
    return RATINGS.get(str(value), str(value or "not rated"))


def _opened(value: Any, key: str) -> str | None:
    """A sealed field the service opened ({key: text}), or None (still sealed, unreadable)."""
    if isinstance(value, Mapping):
        text = value.get(key)
        return text if isinstance(text, str) and text else None
    return value if isinstance(value, str) and value else None


# --- the timeline ------------------------------------------------------------------------


@dataclass
class Entry:
    """One step in the contact's story."""

    at: datetime
    kind: str  # a stable slug: the entry's data-testid is "timeline-<kind>"
    title: str
    by: str | None = None
    rows: list[tuple[str, str]] = field(default_factory=list)  # facts: (label, value)
    text: str | None = None  # a narrative (a rationale, an agency's answer)
    text_label: str | None = None
    rating: str | None = None  # shown as a RAG tag
    tag: tuple[str, str] | None = None  # (text, GOV.UK tag colour), e.g. ("Late", "orange")
    shared: list[tuple[str, str]] = field(default_factory=list)  # what an agency shared
    deadline: str | None = None  # a live countdown to this deadline
    order: int = 0  # among entries at the same moment

    @property
    def when(self) -> str:
        return when(self.at)

    @property
    def iso(self) -> str:
        return self.at.isoformat()


def _at(value: Any) -> datetime | None:
    try:
        return parse_time(value)
    except (TypeError, ValueError):
        return None


def _shared(answer: Any) -> list[tuple[str, str]]:
    """What an agency shared beyond its summary, as (label, text) rows."""
    if not isinstance(answer, Mapping):
        return []
    rows: list[tuple[str, str]] = []
    for key, label in (("involvement_summary", "Involvement"),
                       ("risk_information", "Risks known")):
        if isinstance(answer.get(key), str) and answer[key]:
            rows.append((label, answer[key]))
    dates = [d for d in answer.get("relevant_dates") or [] if isinstance(d, Mapping)]
    if dates:
        rows.append(("Dates that matter",
                     "; ".join(f"{d.get('date', '')}: {d.get('what', '')}" for d in dates)))
    person = answer.get("responding_practitioner")
    if isinstance(person, Mapping) and person.get("name"):
        who = ", ".join(str(person[k]) for k in ("name", "role", "team", "phone", "email")
                        if person.get(k))
        rows.append(("Answered by", who))
    elif isinstance(answer.get("responder"), str) and answer["responder"]:
        rows.append(("Answered by", answer["responder"]))
    files = [a for a in answer.get("attachments") or [] if isinstance(a, Mapping)]
    if files:
        rows.append(("Documents held", "; ".join(str(a.get("title") or a.get("uri"))
                                                  for a in files)))
    return rows


def _from_picture_event(event: Mapping[str, Any]) -> Entry | None:
    at = _at(event.get("time"))
    if at is None:
        return None
    kind = str(event.get("type", ""))
    data: Mapping[str, Any] = event.get("data") or {}
    name = kind.removeprefix(EVENT).removesuffix(".v1")
    if name == "contact.received":
        rows = [("Reference", str(data.get("reference", "")))]
        referrer = REFERRER_KINDS.get(str(data.get("referrer_kind")), "someone")
        if data.get("referrer_agency"):
            referrer += f" ({data['referrer_agency']})"
        rows.append(("From", referrer))
        source = data.get("contact_source")
        if source:
            rows.append(("Contact source", f"{source}: {CONTACT_SOURCES.get(source, source)}"))
        if data.get("channel"):
            rows.append(("How", {"web": "Online form", "phone": "Phone call",
                                 "agency": "An agency's system"}.get(data["channel"],
                                                                      data["channel"])))
        return Entry(at, "contact-received", "Contact received", rows=rows,
                     tag=("Immediate risk reported", "red") if data.get("immediate_risk")
                     else None)
    if name == "contact.linked":
        candidates = [c for c in data.get("candidates") or [] if isinstance(c, Mapping)]
        rows = [("Contacts about this child in the last 12 months",
                 str(data.get("contacts_in_12_months", "")))]
        rows += [(str(c.get("reference", "")), f"{c.get('strength', '')} match")
                 for c in candidates]
        return Entry(at, "repeat-contacts", "Earlier contacts found for this child", rows=rows)
    if name == "contact.link.decided":
        decision = "confirmed" if data.get("decision") == "confirmed" else "rejected"
        return Entry(at, "repeat-contact-decided",
                     f"Earlier contact {decision} as the same child",
                     by=data.get("decided_by"),
                     rows=[("Contacts in the last 12 months",
                            str(data.get("contacts_in_12_months", "")))])
    if name == "threshold.decided":
        outcome = THRESHOLD_OUTCOMES.get(str(data.get("outcome")), str(data.get("outcome")))
        rows = [("Outcome", outcome), ("Level of need", str(data.get("level_of_need", "")))]
        if data.get("lawful_basis"):
            rows.append(("Lawful basis for sharing",
                         LAWFUL_BASES.get(data["lawful_basis"], data["lawful_basis"])))
        if data.get("within_one_working_day") is not None:
            rows.append(("Within one working day",
                         "Yes" if data["within_one_working_day"] else "No"))
        return Entry(at, "threshold", "Threshold decision", by=data.get("decided_by"), rows=rows,
                     text=_opened(data.get("rationale"), "rationale"), text_label="Rationale")
    if name == "rag.rated":
        previous = data.get("previous_rating")
        title = (f"Re-rated from {_rating(previous)} to {_rating(data.get('rating'))}"
                 if previous else f"Rated {_rating(data.get('rating'))}")
        return Entry(at, "re-rated" if previous else "rated", title, by=data.get("rated_by"),
                     rating=data.get("rating"),
                     rows=[("Decision due by", when(data.get("deadline")))],
                     text=_opened(data.get("rationale"), "rationale"), text_label="Rationale")
    if name == "information.requested":
        own = data.get("agency_respond_by") or {}
        rows = [(agency_name(a), "answer by " + when(own.get(a) or data.get("respond_by")))
                for a in data.get("agencies") or []]
        return Entry(at, "information-requested",
                     "Information requested from " + agencies_text(data.get("agencies")),
                     by=data.get("requested_by"), rows=rows)
    if name == "information.deadlines.changed":
        own = data.get("agency_respond_by") or {}
        rows = [(agency_name(a), "answer by " + when(t)) for a, t in sorted(own.items())]
        return Entry(at, "deadlines-moved",
                     f"Agencies' deadlines moved with the re-rating to "
                     f"{_rating(data.get('rating'))}",
                     by=data.get("changed_by"), rows=rows, order=1)
    if name == "information.provided":
        answer = data.get("summary")
        agency = agency_name(data.get("agency"))
        known = data.get("known_to_agency")
        return Entry(
            at, "answer", f"{agency} answered", order=1,
            rows=[("Known to " + agency, "Yes" if known else "No")],
            text=_opened(answer, "summary"), text_label=f"What {agency} said",
            shared=_shared(answer),
            tag=("Late", "orange") if data.get("late") else None,
        )
    if name == "agency.escalated":
        agency = agency_name(data.get("agency"))
        return Entry(at, "escalated", f"{agency} did not answer in time: escalated to the "
                     "MASH manager", rows=[("It was due by", when(data.get("respond_by")))],
                     tag=("Escalated", "red"))
    if name == "deadline.warned":
        return Entry(at, "deadline-warned", "The decision is due soon",
                     rows=[("Due by", when(data.get("deadline")))], tag=("Due soon", "yellow"))
    if name == "deadline.breached":
        return Entry(at, "breached", "The RAG deadline passed without a decision",
                     rows=[("It was due by", when(data.get("deadline")))],
                     rating=data.get("rating"), tag=("Breached", "red"))
    if name == "picture.completed":
        silent = data.get("silent") or []
        why = ("every agency asked has answered" if data.get("reason") == "all_answered"
               else "the agencies' time to answer ran out")
        rows = [("Answered", agencies_text(data.get("answered")))]
        if silent:
            rows.append(("Not answered", agencies_text(silent)))
        return Entry(at, "ready", f"Ready for decision: {why}", rows=rows, order=2)
    if name == "decision.made":
        return _decision_entry(at, data)
    if name == "feedback.sent":
        return _feedback_entry(at, data.get("audience"), data.get("channel"),
                               data.get("status"), data.get("referrer_kind"))
    if name == "record.accessed":
        return None
    label = name.replace(".", " ").replace("_", " ")
    return Entry(at, "other", label[:1].upper() + label[1:])


def _decision_entry(at: datetime, data: Mapping[str, Any]) -> Entry:
    rows = [("Outcome", outcome_label(data.get("outcome"))),
            ("Level of need", str(data.get("level_of_need", "")))]
    if data.get("receiving_team"):
        rows.append(("Receiving team", str(data["receiving_team"])))
    if data.get("strategy_discussion_agencies"):
        rows.append(("Strategy discussion with",
                     agencies_text(data["strategy_discussion_agencies"])))
    if data.get("strategy_discussion_at"):
        rows.append(("Strategy discussion held", when(data["strategy_discussion_at"])))
    if data.get("signpost_service"):
        rows.append(("Signposted to", str(data["signpost_service"])))
    if data.get("supersedes"):
        rows.append(("Replaces", "the earlier decision"))
    return Entry(at, "decision", "Decision changed" if data.get("supersedes") else "Decision",
                 by=data.get("decided_by"), rows=rows, order=3,
                 text=_opened(data.get("rationale"), "rationale"), text_label="Rationale")


def _feedback_entry(at: datetime, audience: Any, channel: Any, status: Any,
                    referrer_kind: Any = None) -> Entry:
    if audience == "receiving_team":
        title = ("Handover summary sent to the receiving team" if status == "sent"
                 else "No receiving team to hand over to")
        return Entry(at, "handover", title, order=5)
    if channel == "none" or status == "not_required":
        title = "Nothing sent to the referrer (anonymous)"
    elif channel == "email" and status == "sent":
        title = "Outcome emailed to the referrer"
    elif channel == "email":
        title = "Outcome for the referrer written, to be emailed"
    else:
        title = "Outcome for the referrer recorded"
    kind = REFERRER_KINDS.get(str(referrer_kind))
    return Entry(at, "feedback", title, order=4,
                 rows=[("Referrer", kind)] if kind else [])


def _from_triage_history(history: Iterable[Mapping[str, Any]]) -> list[Entry]:
    """Triage's own account, used when the picture cannot be read."""
    out = []
    for step in history:
        at = _at(step.get("at"))
        if at is None:
            continue
        action = step.get("action")
        if action == "contact received":
            out.append(Entry(at, "contact-received", "Contact received"))
        elif action == "threshold decided":
            outcome = THRESHOLD_OUTCOMES.get(str(step.get("outcome")), str(step.get("outcome")))
            out.append(Entry(at, "threshold", "Threshold decision", by=step.get("by"),
                             rows=[("Outcome", outcome),
                                   ("Level of need", str(step.get("level_of_need", "")))],
                             text=step.get("rationale"), text_label="Rationale"))
        elif action in ("rated", "re-rated"):
            previous = step.get("previous_rating")
            title = (f"Re-rated from {_rating(previous)} to {_rating(step.get('rating'))}"
                     if previous else f"Rated {_rating(step.get('rating'))}")
            out.append(Entry(at, str(action), title, by=step.get("by"),
                             rating=step.get("rating"),
                             rows=[("Decision due by", when(step.get("deadline")))],
                             text=step.get("rationale"), text_label="Rationale"))
        elif action == "information requested":
            out.append(Entry(at, "information-requested", "Information requested from "
                             + agencies_text(step.get("agencies")), by=step.get("by")))
        elif action == "deadline warned":
            out.append(Entry(at, "deadline-warned", "The decision is due soon",
                             rows=[("Due by", when(step.get("deadline")))],
                             tag=("Due soon", "yellow")))
        elif action == "deadline breached":
            out.append(Entry(at, "breached", "The RAG deadline passed without a decision",
                             rows=[("It was due by", when(step.get("deadline")))],
                             rating=step.get("rating"), tag=("Breached", "red")))
        elif action == "decision made":
            out.append(Entry(at, "decision", "Decision", order=3,
                             rows=[("Outcome", outcome_label(step.get("outcome")))]))
    return out


def _from_requests(requests: Iterable[Mapping[str, Any]], *, with_answers: bool
                   ) -> list[Entry]:
    """Reminders (only the gateway knows them); answers and escalations too when the picture
    is missing."""
    out = []
    for r in requests:
        agency = agency_name(r.get("agency"))
        reminded = _at(r.get("reminded_at"))
        if reminded:
            out.append(Entry(reminded, "reminder", f"Reminder sent to {agency}",
                             rows=[("Answer due by", when(r.get("respond_by")))]))
        if not with_answers:
            continue
        answered = _at(r.get("answered_at"))
        if answered:
            out.append(Entry(answered, "answer", f"{agency} answered", order=1,
                             tag=("Late", "orange") if r.get("late") else None,
                             rows=[("Known to " + agency,
                                    "Yes" if r.get("known_to_agency") else "No")]))
        escalated = _at(r.get("escalated_at"))
        if escalated:
            out.append(Entry(escalated, "escalated", f"{agency} did not answer in time: "
                             "escalated to the MASH manager",
                             rows=[("It was due by", when(r.get("respond_by")))],
                             tag=("Escalated", "red")))
    return out


def _from_feedback(feedback: Mapping[str, Any]) -> list[Entry]:
    out = []
    for decision in feedback.get("decisions") or []:
        for item in decision.get("feedback") or []:
            at = _at(item.get("sent_at"))
            if at:
                out.append(_feedback_entry(at, item.get("audience"), item.get("channel"),
                                           item.get("status"), item.get("referrer_kind")))
    return out


def timeline(
    picture: Mapping[str, Any] | None,
    triage: Mapping[str, Any] | None,
    requests: list[Mapping[str, Any]] | None,
    feedback: Mapping[str, Any] | None,
) -> list[Entry]:
    """Everything known about the contact, oldest first."""
    entries: list[Entry] = []
    if picture is not None:
        entries += [e for e in map(_from_picture_event, picture.get("timeline") or []) if e]
    else:
        if triage is not None:
            entries += _from_triage_history(triage.get("history") or [])
        if feedback is not None:
            entries += _from_feedback(feedback)
    if requests is not None:
        entries += _from_requests(requests, with_answers=picture is None)
    return sorted(entries, key=lambda e: (e.at, e.order))


# --- where the contact stands ------------------------------------------------------------

TRIAGE_STAGES = {
    "awaiting_threshold": "Awaiting screening",
    "closed": "Screened out",
    "awaiting_rating": "Awaiting a RAG rating",
    "rated": "Rated",
    "decided": "Decided",
}
PICTURE_STAGES = {
    "gathering": "Waiting for agencies to answer",
    "ready": "Ready for decision",
    "decided": "Decided",
}


def stage(picture: Mapping[str, Any] | None, triage: Mapping[str, Any] | None) -> str:
    picture_status = (picture or {}).get("status")
    if picture_status in PICTURE_STAGES:
        return PICTURE_STAGES[picture_status]
    triage_status = (triage or {}).get("status")
    if triage_status == "closed":
        outcome = ((triage or {}).get("threshold_decision") or {}).get("outcome")
        return "Screened out: " + THRESHOLD_OUTCOMES.get(str(outcome), "closed").lower()
    return TRIAGE_STAGES.get(str(triage_status), "Received")


@dataclass(frozen=True)
class Action:
    href: str
    text: str
    testid: str
    primary: bool = False


def actions(contact_id: str, can: Any, picture: Mapping[str, Any] | None,
            triage: Mapping[str, Any] | None) -> list[Action]:
    """What this person may do next, given where the contact stands (`can`: capability ->
    bool, the viewer's role)."""
    base = f"/contacts/{contact_id}"
    picture_status = (picture or {}).get("status")
    triage_status = (triage or {}).get("status")
    found = []
    if can("screen") and triage_status == "awaiting_threshold":
        found.append(Action(f"{base}/screening", "Screen this contact", "action-screen", True))
    if can("rate") and triage_status in ("awaiting_rating", "rated") \
            and picture_status != "decided":
        text = "Rate this contact" if triage_status == "awaiting_rating" else "Re-rate"
        found.append(Action(f"{base}/rating", text, "action-rate",
                            triage_status == "awaiting_rating"))
    if can("decide") and picture_status == "ready":
        found.append(Action(f"{base}/decision", "Make the decision", "action-decide", True))
    if can("decide") and picture_status == "decided":
        found.append(Action(f"{base}/decision", "Change the decision", "action-change"))
    if can("read-feedback") and picture_status == "decided":
        found.append(Action(f"{base}/feedback", "See what was fed back", "action-feedback"))
    return found


def requests_table(requests: list[Mapping[str, Any]] | None,
                   picture: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Each agency asked: its deadline, and its answer or its time left. The gateway's account
    (it knows each agency's own deadline and its reminders), else the picture's."""
    if requests is not None:
        return [
            {"agency": r.get("agency"), "respond_by": r.get("respond_by"),
             "seconds_left": r.get("seconds_left"), "answered_at": r.get("answered_at"),
             "late": r.get("late"), "reminded_at": r.get("reminded_at"),
             "escalated_at": r.get("escalated_at"), "known": r.get("known_to_agency")}
            for r in requests
        ]
    escalated = {e.get("agency"): e.get("at") for e in (picture or {}).get("escalations") or []}
    return [
        {"agency": a.get("agency"), "respond_by": a.get("respond_by"), "seconds_left": None,
         "answered_at": a.get("received_at"), "late": a.get("late"), "reminded_at": None,
         "escalated_at": escalated.get(a.get("agency")), "known": a.get("known_to_agency")}
        for a in (picture or {}).get("agencies") or [] if a.get("requested")
    ]


# --- what was fed back -------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    text: str
    colour: str  # a GOV.UK tag colour
    detail: str = ""


def _delivery(d: Mapping[str, Any]) -> Delivery:
    status, channel = d.get("status"), d.get("channel")
    attempts = int(d.get("attempts") or 0)
    error = f" (last error: {d['last_error']})" if d.get("last_error") else ""
    if channel == "kafka":
        return Delivery("Sent to the referring agency's system", "green",
                        f"The outcome went on mash.outcomes at {when(d.get('sent_at'))}.")
    if status == "sent":
        return Delivery("Email sent", "green", f"Sent at {when(d.get('sent_at'))}.")
    if status == "failed":
        return Delivery("Email failed", "red",
                        f"Gave up after {attempts} attempts{error}. Contact the referrer "
                        "another way.")
    if attempts:
        return Delivery("Retrying", "yellow",
                        f"{attempts} failed attempt{'s' if attempts != 1 else ''}{error}; "
                        f"next try at {when(d.get('next_attempt_at'))}.")
    return Delivery("Email queued", "blue", "Waiting to be sent.")


def told_referrer(kind: Any, outcome: Any) -> str:
    """What the referrer was told, without naming anyone (feedback's rules, in words)."""
    if kind == "professional":
        return (f"The outcome ({outcome_label(outcome).lower()}), the level of need, the "
                "receiving team or service, and the next steps.")
    if kind == "public":
        return ("A general acknowledgement quoting the reference: no outcome and nobody's "
                "personal details.")
    return "Nothing: the referrer did not give their details."


def feedback_view(body: Mapping[str, Any], handovers: list[Mapping[str, Any]] | None
                  ) -> list[dict[str, Any]]:
    """Each decision with what the referrer and the receiving team got, newest decision
    first. `handovers` (the teams' summaries, opened) only for those who may read them."""
    by_decision = {h.get("decision_id"): h for h in handovers or []}
    out = []
    for decision in reversed(list(body.get("decisions") or [])):
        items = {i.get("audience"): i for i in decision.get("feedback") or []}
        referrer = items.get("referrer") or {}
        team = items.get("receiving_team") or {}
        deliveries = [_delivery(d) for d in referrer.get("deliveries") or []]
        if not deliveries:
            if referrer.get("channel") == "record":
                deliveries = [Delivery("Recorded to be read", "grey",
                                       "Not emailed: no email address was given, or no mail "
                                       "server is set up.")]
            elif referrer.get("channel") == "none":
                deliveries = [Delivery("Nothing to send", "grey", "The referrer was "
                                       "anonymous.")]
        message = referrer.get("message") if isinstance(referrer.get("message"), Mapping) \
            else None
        out.append({
            "decision_id": decision.get("decision_id"),
            "outcome": decision.get("outcome"),
            "outcome_label": outcome_label(decision.get("outcome")),
            "decided_at": decision.get("decided_at"),
            "supersedes": decision.get("supersedes"),
            "receiving_team": decision.get("receiving_team"),
            "referrer_kind": referrer.get("referrer_kind") or body.get("referrer_kind"),
            "told": told_referrer(referrer.get("referrer_kind") or body.get("referrer_kind"),
                                  decision.get("outcome")),
            "recorded_at": referrer.get("sent_at"),
            "subject": message.get("subject") if message else None,
            "message_body": message.get("body") if message else None,
            "deliveries": deliveries,
            "team_status": team.get("status"),
            "team_at": team.get("sent_at"),
            "handover": by_decision.get(decision.get("decision_id")),
        })
    return out


WAITING = {
    "unknown": "The feedback service has not heard of this contact yet.",
    "awaiting_contact": "The feedback service has the decision and is waiting for the "
                        "contact's details to reach it.",
    "awaiting_decision": "No decision has been made yet, so nothing has been fed back.",
    "pending": "The decision has been made; the feedback is being prepared. Refresh this page "
               "in a moment.",
}
