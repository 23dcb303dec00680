"""Outcome feedback in the MASH's own words: what the referrer is told, and the summary the
receiving team gets. No framework, no I/O.

What each referrer may be told (Working Together 2023; DfE information sharing advice 2024):
- a professional: the outcome and the next steps, in enough detail to act;
- a member of the public: that the contact was looked at and acted on, in general terms that
  name no one and disclose nobody's personal data (a public referrer may be a relative, a
  neighbour, or someone the family would rather did not know);
- an anonymous referrer: nothing, as there is no one to tell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

OUTCOME_WORDS = {
    "social_care_s17": "a Children and Family assessment by children's social care "
    "(section 17, child in need)",
    "social_care_s47": "child protection enquiries by children's social care (section 47), "
    "following a strategy discussion",
    "early_help": "an early help assessment",
    "signpost": "information about services that can help the family (signposting)",
    "nfa": "no further action by the MASH",
    "advice": "advice, with no further action by the MASH",
}

NEXT_STEPS = {
    "social_care_s17": "A social worker from {team} will contact the family to begin the "
    "assessment, and may contact you for what you know. Please keep supporting the child and "
    "tell {team} about any new concern.",
    "social_care_s47": "{team} is making enquiries. A social worker may contact you; please do "
    "not discuss the enquiries with the family unless the social worker asks you to.",
    "early_help": "{team} will contact the family to offer an early help assessment, and may "
    "ask you to take part as a professional who knows the child.",
    "signpost": "The family has been given information about services that can help. Please "
    "keep supporting the child, and make a new contact if things change.",
    "nfa": "Please keep supporting the child, and make a new contact if you have a new or "
    "growing concern.",
    "advice": "Please keep supporting the child, and make a new contact if you have a new or "
    "growing concern.",
}

DANGER = "If you think a child is in immediate danger, call 999."


@dataclass(frozen=True)
class Referrer:
    kind: str  # "professional" | "public" | "anonymous"
    name: str | None = None
    role: str | None = None
    agency: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Child:
    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: str | None = None
    expected_due_date: str | None = None
    nhs_number: str | None = None
    address: str | None = None
    postcode: str | None = None

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or "(name not given)"


@dataclass(frozen=True)
class Referral:
    """The contact as feedback needs it (its personal details already opened)."""

    contact_id: str
    reference: str
    received_at: datetime
    referrer: Referrer
    contact_source: str
    immediate_risk: bool
    concern_factors: tuple[str, ...] = ()
    concern_summary: str | None = None
    child: Child | None = None
    channel: str = "web"  # "agency": an agency system referred it over Kafka

    @property
    def from_agency_system(self) -> bool:
        return self.channel == "agency" and self.referrer.kind == "professional"


@dataclass(frozen=True)
class Decision:
    decision_id: str
    outcome: str
    level_of_need: int
    receiving_team: str | None
    decided_at: datetime
    decided_by: str
    supersedes: str | None = None
    rationale: str | None = None
    strategy_discussion_agencies: tuple[str, ...] = ()
    signpost_service: str | None = None


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    to: str | None = None


@dataclass(frozen=True)
class Feedback:
    audience: str  # "referrer" | "receiving_team"
    # "email" (delivered later, with retries), "kafka" (the handover topic), "record" (kept
    # here to be read: no email address, or no mail server configured), "none"
    channel: str
    status: str  # "recorded" | "sent" | "not_required"
    message: Message | None = None
    referrer_kind: str | None = None


def _day(at: datetime | date) -> str:
    return f"{at.day} {at:%B %Y}"


def next_steps(decision: Decision) -> str:
    return NEXT_STEPS[decision.outcome].format(team=decision.receiving_team or "the MASH")


def outcome_for_referrer(referral: Referral, decision: Decision, *, email: bool = False
                         ) -> Feedback:
    """What the referrer is told; `email`: a mail server is there to send it."""
    kind = referral.referrer.kind
    if kind == "professional":
        message = _for_professional(referral, decision)
    elif kind == "public":
        message = _for_public(referral, decision)
    else:
        return Feedback("referrer", "none", "not_required", None, kind)
    channel = "email" if email and message.to else "record"
    return Feedback("referrer", channel, "recorded", message, kind)


@dataclass(frozen=True)
class AgencyOutcome:
    """The outcome for an agency system that referred over Kafka: codes, no personal data."""

    referrer_agency: str | None
    outcome: str
    level_of_need: int
    receiving_team: str | None
    next_steps: str


def outcome_for_agency_system(referral: Referral, decision: Decision) -> AgencyOutcome | None:
    if not referral.from_agency_system:
        return None
    return AgencyOutcome(
        referrer_agency=referral.referrer.agency,
        outcome=decision.outcome,
        level_of_need=decision.level_of_need,
        receiving_team=decision.receiving_team,
        next_steps=next_steps(decision),
    )


def _for_professional(referral: Referral, decision: Decision) -> Message:
    referrer = referral.referrer
    team = decision.receiving_team or "the MASH"
    child = f" about {referral.child.name}" if referral.child else ""
    lines = [
        f"Dear {referrer.name or 'colleague'},",
        "",
        f"Thank you for your contact{child} (reference {referral.reference}), received on "
        f"{_day(referral.received_at)}.",
        "",
        f"The MASH has decided on {OUTCOME_WORDS[decision.outcome]}, at level of need "
        f"{decision.level_of_need}." + (
            f" The case has passed to {decision.receiving_team}."
            if decision.receiving_team else ""
        ) + (
            f" The family has been pointed to {decision.signpost_service}."
            if decision.signpost_service else ""
        ),
        "",
        "Next steps: " + NEXT_STEPS[decision.outcome].format(team=team),
    ]
    if decision.supersedes:
        lines += ["", "This replaces the outcome we recorded for you earlier on this contact."]
    lines += ["", DANGER]
    return Message(
        subject=f"Outcome of your contact {referral.reference}",
        body="\n".join(lines),
        to=referrer.email,
    )


def _for_public(referral: Referral, decision: Decision) -> Message:
    # General terms only: no names (not even the referrer's, who may be family), no outcome.
    lines = [
        f"Thank you for contacting the Multi Agency Safeguarding Hub (reference "
        f"{referral.reference}).",
        "",
        "We have looked carefully at what you told us, together with our partner agencies, "
        "and decided what should happen next. To protect the privacy of the people involved, "
        "we cannot tell you what was decided or share anyone's personal information.",
        "",
        "If you are worried again, please contact us and quote your reference. " + DANGER,
    ]
    if decision.supersedes:
        lines += ["", "This follows our earlier message about the same contact."]
    return Message(
        subject=f"Your contact with the MASH ({referral.reference})",
        body="\n".join(lines),
        to=referral.referrer.email,
    )


def summary_for_receiving_team(referral: Referral, decision: Decision) -> Feedback:
    team = decision.receiving_team
    if not team:
        return Feedback("receiving_team", "none", "not_required", None, None)
    child = referral.child or Child()
    born = (
        f"born {child.date_of_birth}" if child.date_of_birth
        else f"due {child.expected_due_date}" if child.expected_due_date
        else "date of birth not given"
    )
    referrer = referral.referrer
    referred_by = {
        "professional": f"a professional ({referrer.role or 'role not given'}, "
                        f"{referrer.agency or 'agency not given'})",
        "public": "a member of the public",
    }.get(referrer.kind, "an anonymous referrer")
    lines = [
        f"Handover to {team} from the MASH: contact {referral.reference}.",
        "",
        f"Child: {child.name}, {born}"
        + (f", NHS number {child.nhs_number}" if child.nhs_number else "")
        + (f", {child.address}" if child.address else "")
        + (f" {child.postcode}" if child.postcode else "") + ".",
        f"Contact received {_day(referral.received_at)} from {referred_by}; source: "
        f"{referral.contact_source}.",
        f"Immediate risk reported: {'yes' if referral.immediate_risk else 'no'}.",
        "Concerns: " + (", ".join(referral.concern_factors) or "none coded") + ".",
    ]
    if referral.concern_summary:
        lines += ["", f"What the referrer told us: {referral.concern_summary}"]
    lines += [
        "",
        f"Decision ({_day(decision.decided_at)}, by {decision.decided_by}): "
        f"{OUTCOME_WORDS[decision.outcome]}; level of need {decision.level_of_need}.",
        f"Why: {decision.rationale or '(rationale not readable)'}",
    ]
    if decision.strategy_discussion_agencies:
        lines += ["Strategy discussion with: "
                  + ", ".join(decision.strategy_discussion_agencies) + "."]
    if decision.supersedes:
        lines += ["", f"This decision replaces decision {decision.supersedes}."]
    # Published on the handover topic in the same transaction that records it: sent.
    return Feedback(
        "receiving_team",
        "kafka",
        "sent",
        Message(subject=f"MASH handover {referral.reference}: {decision.outcome}",
                body="\n".join(lines), to=team),
        None,
    )


def feedback_for(referral: Referral, decision: Decision, *, email: bool = False
                 ) -> tuple[Feedback, Feedback]:
    """Everything one decision owes: the referrer's outcome and the receiving team's summary."""
    return (
        outcome_for_referrer(referral, decision, email=email),
        summary_for_receiving_team(referral, decision),
    )


@dataclass(frozen=True)
class RetryPolicy:
    """Email delivery: exponential backoff from `first` up to `longest`, then give up."""

    first: timedelta = timedelta(seconds=30)
    longest: timedelta = timedelta(hours=1)
    max_attempts: int = 10

    def after_failure(self, attempts: int, now: datetime) -> datetime | None:
        """When to try again after `attempts` failed tries; None: give up (failed)."""
        if attempts >= self.max_attempts:
            return None
        return now + min(self.first * 2 ** (attempts - 1), self.longest)
