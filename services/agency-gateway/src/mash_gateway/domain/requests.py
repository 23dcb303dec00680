"""Information requests to agencies and their answers, in the MASH's own words.

One information request from triage becomes one request per agency. Each agency answers once;
an answer after the deadline is accepted and marked late; a second answer changes nothing. No
framework, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class RequestStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class AnswerRefused(Exception):
    """An answer that cannot be applied to any request (it goes to a dead letter / 4xx)."""


class UnknownRequest(AnswerRefused):
    def __init__(self, request_id: str) -> None:
        super().__init__(f"no information request {request_id}")
        self.request_id = request_id


class AnswerFromWrongAgency(AnswerRefused):
    def __init__(self, request_id: str, addressed_to: str, answered_by: str) -> None:
        super().__init__(
            f"request {request_id} is addressed to {addressed_to}, not {answered_by}"
        )


class AnswerForWrongContact(AnswerRefused):
    def __init__(self, request_id: str, contact_id: str, claimed: str) -> None:
        super().__init__(
            f"request {request_id} is about contact {contact_id}, not {claimed}"
        )


class ContradictoryAnswer(AnswerRefused):
    def __init__(self, request_id: str) -> None:
        super().__init__(
            f"answer to {request_id} says nothing is known yet that the child is known"
        )


def check_consistent(request_id: str, *, known_to_agency: bool, nothing_known: bool | None) -> None:
    """"Nothing known" and "known to the agency" cannot both be true."""
    if nothing_known and known_to_agency:
        raise ContradictoryAnswer(request_id)


class UnknownAgency(Exception):
    def __init__(self, agencies: Iterable[str]) -> None:
        super().__init__(f"not an agency this hub consults: {', '.join(sorted(agencies))}")


def agencies_to_ask(requested: Iterable[str], known: Iterable[str]) -> list[str]:
    """Each agency once, in the order triage named them; all of them must be known."""
    wanted = list(dict.fromkeys(requested))
    unknown = set(wanted) - set(known)
    if unknown:
        raise UnknownAgency(unknown)
    return wanted


def is_late(received_at: datetime, respond_by: datetime) -> bool:
    """An answer on the deadline itself is in time."""
    return received_at > respond_by


def seconds_left(respond_by: datetime, now: datetime) -> int:
    """Whole seconds until the deadline; negative once it has passed (how overdue)."""
    return math.floor((respond_by - now).total_seconds())


@dataclass(frozen=True)
class Answer:
    late: bool
    received_at: datetime


@dataclass
class AgencyRequestRecord:
    """One agency's request about one contact."""

    request_id: str
    contact_id: str
    reference: str
    agency: str
    rating: str
    respond_by: datetime
    requested_at: datetime
    status: RequestStatus = RequestStatus.OPEN
    answered_at: datetime | None = None
    late: bool | None = None
    known_to_agency: bool | None = None
    channel: str | None = None

    @property
    def answered(self) -> bool:
        return self.status is RequestStatus.ANSWERED

    def answer(self, *, agency: str, contact_id: str | None, at: datetime) -> Answer | None:
        """Check an answer against this request. None: it was already answered (a duplicate)."""
        if agency != self.agency:
            raise AnswerFromWrongAgency(self.request_id, self.agency, agency)
        if contact_id is not None and contact_id != self.contact_id:
            raise AnswerForWrongContact(self.request_id, self.contact_id, contact_id)
        if self.answered:
            return None
        return Answer(late=is_late(at, self.respond_by), received_at=at)

    def move_deadline(self, *, respond_by: datetime, rating: str) -> datetime | None:
        """A re-rating moved the agency's deadline. An open request takes the new deadline and
        rating and the previous deadline is returned; None when there is nothing to change
        (already answered: the answer stands as given, in time or late; or the same deadline
        and rating)."""
        if self.answered or (respond_by == self.respond_by and rating == self.rating):
            return None
        previous = self.respond_by
        self.respond_by, self.rating = respond_by, rating
        return previous

    def time_left(self, now: datetime) -> int | None:
        """Seconds left to answer, for the UI; None once answered."""
        return None if self.answered else seconds_left(self.respond_by, now)
