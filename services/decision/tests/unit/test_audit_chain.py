"""The audit log's hash chain: how an entry is hashed, and how a broken link is found."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from mash_decision.domain.audit import (
    GENESIS,
    Access,
    ChainCheck,
    Entry,
    append,
    canonical,
    chain_hash,
    timestamp,
    verify,
)

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def access(n: int, **changes: object) -> Access:
    values: dict[str, object] = {
        "event_id": f"e-{n}", "accessed_at": T + timedelta(minutes=n),
        "accessed_by": "mgr-7", "role": "mash-manager", "agency": None,
        "contact_id": f"c-{n % 3}", "service": "decision", "action": "read picture",
    }
    return Access(**{**values, **changes})  # type: ignore[arg-type]


def chain(n: int) -> list[Entry]:
    entries: list[Entry] = []
    for i in range(1, n + 1):
        entries.append(append(entries[-1] if entries else None, access(i)))
    return entries


def test_the_first_entry_follows_the_genesis_hash_and_each_next_one_its_predecessor() -> None:
    first, second, third = chain(3)
    assert (first.seq, first.prev_hash) == (1, GENESIS)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert (third.seq, third.prev_hash) == (3, second.hash)
    assert len({first.hash, second.hash, third.hash}) == 3


def test_the_hash_is_the_readme_recipe_a_few_lines_of_python() -> None:
    entry = chain(1)[0]
    content = {
        "seq": 1, "event_id": "e-1", "accessed_at": "2026-03-02T09:01:00.000000Z",
        "accessed_by": "mgr-7", "role": "mash-manager", "agency": None, "contact_id": "c-1",
        "service": "decision", "action": "read picture",
    }
    assert entry.content() == content
    assert canonical(content) == (
        '{"accessed_at":"2026-03-02T09:01:00.000000Z","accessed_by":"mgr-7","action":'
        '"read picture","agency":null,"contact_id":"c-1","event_id":"e-1","role":'
        '"mash-manager","seq":1,"service":"decision"}'
    )
    recomputed = hashlib.sha256(
        (GENESIS + json.dumps(content, sort_keys=True, separators=(",", ":"))).encode()
    ).hexdigest()
    assert entry.hash == recomputed == chain_hash(GENESIS, content)


def test_times_are_hashed_in_utc_whatever_zone_they_were_given_in() -> None:
    paris = timezone(timedelta(hours=1))
    assert timestamp(datetime(2026, 3, 2, 10, 0, 0, 250, tzinfo=paris)) == (
        "2026-03-02T09:00:00.000250Z")
    with pytest.raises(ValueError, match="timezone"):
        timestamp(datetime(2026, 3, 2, 9, 0))


def test_non_ascii_text_is_escaped_so_the_bytes_hashed_are_unambiguous() -> None:
    entry = append(None, access(1, accessed_by="zoë"))
    assert '"accessed_by":"zo\\u00eb"' in canonical(entry.content())


def test_an_intact_chain_verifies_and_names_its_head() -> None:
    entries = chain(5)
    result = verify(entries)
    assert result.ok and result.entries == 5 and result.first_broken is None
    assert result.head == entries[-1].hash


def test_an_empty_log_verifies_with_no_head() -> None:
    result = verify([])
    assert result.ok and result.entries == 0 and result.head is None


@pytest.mark.parametrize("field, value", [
    ("accessed_by", "someone-else"),
    ("action", "read nothing"),
    ("contact_id", "c-other"),
    ("agency", "police"),
    ("accessed_at", T - timedelta(days=1)),
])
def test_a_changed_entry_is_the_first_broken_one(field: str, value: object) -> None:
    entries = chain(5)
    entries[2] = dataclasses.replace(entries[2], **{field: value})  # type: ignore[arg-type]
    result = verify(entries)
    assert not result.ok and result.first_broken == 3 and result.entries == 5


def test_a_changed_entry_with_its_hash_recomputed_breaks_the_next_link() -> None:
    entries = chain(5)
    forged = dataclasses.replace(entries[2], action="read nothing")
    entries[2] = dataclasses.replace(forged, hash=chain_hash(forged.prev_hash, forged.content()))
    assert verify(entries).first_broken == 4


def test_a_removed_entry_breaks_the_link_of_the_one_after_it() -> None:
    entries = chain(5)
    del entries[1]
    assert verify(entries).first_broken == 3


def test_swapped_entries_break_the_chain_where_the_swap_begins() -> None:
    entries = chain(5)
    entries[1], entries[2] = entries[2], entries[1]
    assert verify(entries).first_broken == 3  # seq 3 now stands where seq 2 belongs


def test_a_renumbered_entry_is_broken_even_if_its_links_look_right() -> None:
    entries = chain(3)
    entries[2] = dataclasses.replace(entries[2], seq=7)
    assert verify(entries).first_broken == 7


def test_a_time_without_a_timezone_in_the_store_is_a_broken_entry_not_a_crash() -> None:
    entries = chain(3)
    entries[1] = dataclasses.replace(entries[1], accessed_at=datetime(2026, 3, 2, 9, 2))
    assert verify(entries).first_broken == 2


def test_the_check_walks_one_entry_at_a_time_and_keeps_the_first_break() -> None:
    entries = chain(6)
    entries[1] = dataclasses.replace(entries[1], action="x")
    entries[4] = dataclasses.replace(entries[4], action="y")
    check = ChainCheck()
    for entry in entries:
        check.add(entry)
    result = check.result()
    assert (result.ok, result.first_broken, result.entries) == (False, 2, 6)
    assert result.head == entries[-1].hash


def test_the_readme_recipe_recomputes_every_hash_from_what_the_api_shows() -> None:
    import re
    from pathlib import Path

    from mash_decision.entrypoints.audit import AuditEntry

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    [recipe] = [block for block in re.findall(r"```python\n(.*?)```", readme, re.S)
                if "def entry_hash" in block]
    namespace: dict[str, object] = {}
    exec(recipe, namespace)  # the auditor's few lines, exactly as documented
    entry_hash = namespace["entry_hash"]
    shown = [AuditEntry.of(e).model_dump(mode="json") for e in chain(3)]
    assert [entry_hash(e) for e in shown] == [e["hash"] for e in shown]  # type: ignore[operator]
    assert shown[0]["accessed_at"] == "2026-03-02T09:01:00.000000Z"
