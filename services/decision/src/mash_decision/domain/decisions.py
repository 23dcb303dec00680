"""The manager's decision and the rules it must pass. No framework, no I/O."""

from __future__ import annotations

from .picture import Picture

# Outcomes that hand the child to a team, which must therefore be named.
NEEDS_RECEIVING_TEAM = frozenset({"social_care_s17", "social_care_s47", "early_help"})


# Working Together 2023: a strategy discussion involves at least children's social care, the
# police and health; the agencies that took part are recorded with a section 47 decision.
STRATEGY_DISCUSSION_CORE = ("childrens-social-care", "police", "health")


def needs_receiving_team(outcome: str) -> bool:
    return outcome in NEEDS_RECEIVING_TEAM


def strategy_discussion_problem(outcome: str, agencies: list[str] | None) -> str | None:
    """Why the strategy discussion's agencies do not fit the outcome (None when they do)."""
    if outcome != "social_care_s47":
        if agencies:
            return "a strategy discussion is recorded only with a social_care_s47 outcome"
        return None
    if not agencies:
        return "name the agencies that took part in the strategy discussion (section 47)"
    missing = [a for a in STRATEGY_DISCUSSION_CORE if a not in agencies]
    if missing:
        return "a strategy discussion needs " + ", ".join(missing) + " to take part"
    return None


def signpost_problem(outcome: str, service: str | None) -> str | None:
    if outcome == "signpost" and not (service and service.strip()):
        return "name the service the family is signposted to"
    if outcome != "signpost" and service:
        return "a signpost service is recorded only with a signpost outcome"
    return None


class DecisionRefused(Exception):
    """The decision cannot be recorded as asked; `reason` says why, in the manager's words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotReadyForDecision(DecisionRefused):
    pass


class AlreadyDecided(DecisionRefused):
    def __init__(self, reason: str, current_decision_id: str | None) -> None:
        super().__init__(reason)
        self.current_decision_id = current_decision_id


class InvalidDecision(DecisionRefused):
    pass


def check_level_of_need(level: int, levels: int) -> None:
    if not 1 <= level <= levels:
        raise InvalidDecision(f"the level of need must be between 1 and {levels}")


def check_can_decide(picture: Picture, *, supersedes: str | None) -> None:
    """A decision needs a ready picture; a second one must name the decision it replaces."""
    if picture.completion is None:
        waiting = ", ".join(picture.silent) or "the contact or an information request"
        raise NotReadyForDecision(f"the picture is not ready for decision: waiting for {waiting}")
    current = picture.current_decision
    if current is None:
        if supersedes is not None:
            raise AlreadyDecided(
                f"there is no decision {supersedes} to supersede: this contact is not decided",
                None,
            )
        return
    if supersedes != current.decision_id:
        raise AlreadyDecided(
            f"this contact is already decided ({current.decision_id}); a new decision must "
            f"name it in 'supersedes'",
            current.decision_id,
        )
