"""One agency's request: who may answer it, when an answer is late, how long is left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mash_gateway.domain.requests import (
    AgencyRequestRecord,
    AnswerForWrongContact,
    AnswerFromWrongAgency,
    RequestStatus,
    UnknownAgency,
    agencies_to_ask,
    is_late,
    seconds_left,
)

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
DEADLINE = T0 + timedelta(hours=4)


def police_request(**overrides: object) -> AgencyRequestRecord:
    values: dict[str, object] = dict(
        request_id="r-1", contact_id="c-1", reference="MASH-2026-000001", agency="police",
        rating="red", respond_by=DEADLINE, requested_at=T0,
    )
    values.update(overrides)
    return AgencyRequestRecord(**values)  # type: ignore[arg-type]


def test_an_answer_before_the_deadline_is_in_time() -> None:
    answer = police_request().answer(agency="police", contact_id="c-1", at=DEADLINE)
    assert answer is not None and answer.late is False


def test_an_answer_after_the_deadline_is_accepted_and_marked_late() -> None:
    at = DEADLINE + timedelta(seconds=1)
    answer = police_request().answer(agency="police", contact_id="c-1", at=at)
    assert answer is not None and answer.late is True and answer.received_at == at


def test_a_second_answer_changes_nothing() -> None:
    answered = police_request(status=RequestStatus.ANSWERED, answered_at=T0)
    assert answered.answer(agency="police", contact_id="c-1", at=T0) is None


def test_only_the_agency_asked_can_answer() -> None:
    with pytest.raises(AnswerFromWrongAgency, match="addressed to police, not health"):
        police_request().answer(agency="health", contact_id="c-1", at=T0)


def test_an_answer_about_another_contact_is_refused() -> None:
    with pytest.raises(AnswerForWrongContact, match="about contact c-1, not c-2"):
        police_request().answer(agency="police", contact_id="c-2", at=T0)


def test_an_http_answer_names_no_contact_and_is_taken() -> None:
    assert police_request().answer(agency="police", contact_id=None, at=T0) is not None


def test_time_left_counts_down_then_goes_negative_and_stops_once_answered() -> None:
    request = police_request()
    assert request.time_left(T0) == 4 * 3600
    assert request.time_left(DEADLINE + timedelta(minutes=1, milliseconds=500)) == -61
    assert police_request(status=RequestStatus.ANSWERED).time_left(T0) is None


def test_lateness_and_seconds_left() -> None:
    assert not is_late(DEADLINE, DEADLINE)
    assert is_late(DEADLINE + timedelta(microseconds=1), DEADLINE)
    assert seconds_left(DEADLINE, DEADLINE - timedelta(seconds=90.7)) == 90


def test_each_agency_is_asked_once_and_only_known_agencies() -> None:
    known = ["police", "health", "education"]
    assert agencies_to_ask(["health", "police", "health"], known) == ["health", "police"]
    with pytest.raises(UnknownAgency, match="fire"):
        agencies_to_ask(["police", "fire"], known)


def test_a_re_rating_moves_an_open_requests_deadline_and_rating() -> None:
    request = police_request(rating="amber")
    earlier = T0 + timedelta(hours=1)
    assert request.move_deadline(respond_by=earlier, rating="red") == DEADLINE
    assert (request.respond_by, request.rating) == (earlier, "red")
    # The same deadline and rating again: nothing to change.
    assert request.move_deadline(respond_by=earlier, rating="red") is None
    # An answer is measured against the deadline it has now.
    answer = request.answer(agency="police", contact_id="c-1", at=earlier + timedelta(minutes=1))
    assert answer is not None and answer.late is True


def test_an_answered_request_keeps_its_deadline_and_rating() -> None:
    request = police_request(status=RequestStatus.ANSWERED, rating="amber")
    assert request.move_deadline(respond_by=T0 + timedelta(hours=1), rating="red") is None
    assert (request.respond_by, request.rating) == (DEADLINE, "amber")
