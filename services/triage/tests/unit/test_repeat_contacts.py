"""Repeat contacts as screening shows them: counts by strength, decisions kept, latest count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mash_triage.domain import repeats
from mash_triage.domain.repeats import RepeatLink

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_first_contact_shows_one_contact_and_no_links() -> None:
    assert repeats.repeat_contacts(None, ()) == {
        "contacts_in_12_months": 1, "exact": 0, "likely": 0, "possible": 0, "confirmed": 0,
        "rejected": 0, "links": [],
    }


def test_undecided_candidates_count_by_strength_and_decided_ones_by_decision() -> None:
    links = [
        RepeatLink("c-3", "MASH-3", "possible", rank=2),
        RepeatLink("c-1", "MASH-1", "likely", rank=0),
        RepeatLink("c-9", None, "likely", "confirmed"),  # only its decision heard so far
        RepeatLink("c-2", "MASH-2", "likely", "rejected", rank=1),
        RepeatLink("c-4", "MASH-4", "exact", rank=3),
    ]
    shown = repeats.repeat_contacts(3, links)
    assert (shown["contacts_in_12_months"], shown["exact"], shown["likely"], shown["possible"],
            shown["confirmed"], shown["rejected"]) == (3, 1, 1, 1, 1, 1)
    # Intake's order (best first), then links known only from a decision.
    assert [link["contact_id"] for link in shown["links"]] == ["c-1", "c-2", "c-3", "c-4", "c-9"]
    assert shown["links"][0] == {"contact_id": "c-1", "reference": "MASH-1",
                                 "strength": "likely", "status": "proposed"}


def test_the_record_shows_who_decided_the_queue_does_not() -> None:
    link = RepeatLink("c-1", "MASH-1", "likely", "confirmed", rank=0, received_at=T0,
                      decided_by="staff:dm-1", decided_at=T0)
    assert "decided_by" not in repeats.repeat_contacts(2, [link])["links"][0]
    assert repeats.repeat_contacts(2, [link], detail=True)["links"][0]["decided_by"] == (
        "staff:dm-1"
    )


def test_a_decision_heard_before_its_link_is_kept() -> None:
    assert repeats.status_after_link(None) == "proposed"
    assert repeats.status_after_link("proposed") == "proposed"
    assert repeats.status_after_link("confirmed") == "confirmed"
    assert repeats.status_after_link("rejected") == "rejected"


def test_the_latest_count_wins_whatever_order_it_arrives_in() -> None:
    assert repeats.count_is_newer(None, T0)
    assert repeats.count_is_newer(T0, T0 + timedelta(minutes=5))
    assert repeats.count_is_newer(T0, T0)
    assert not repeats.count_is_newer(T0 + timedelta(minutes=5), T0)
