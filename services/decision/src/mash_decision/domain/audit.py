"""The audit log's hash chain: every read of a child's record, in the order it was logged.

No framework, no I/O. Each entry's hash is SHA-256 over the previous entry's hash followed by
the canonical JSON of the entry's own content, so changing, removing or reordering any entry
breaks every link after it. The canonical form is spelled out in the decision README for
auditors who recompute it themselves; `canonical` and `chain_hash` are that recipe.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

# The `prev_hash` of the first entry.
GENESIS = "0" * 64

# The hashed fields, by name, exactly as they appear in the canonical JSON.
CONTENT_FIELDS = (
    "seq", "event_id", "accessed_at", "accessed_by", "role", "agency", "contact_id", "service",
    "action",
)


def timestamp(at: datetime) -> str:
    """The canonical form of a time: UTC, microseconds, `Z` (2026-03-02T09:00:00.000000Z)."""
    if at.tzinfo is None:
        raise ValueError("an audit time must carry its timezone")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, kw_only=True)
class Access:
    """One read of a child's record: who, in what role (and agency), which contact, where,
    and what they read. Identifiers only: no child's personal data."""

    event_id: str
    accessed_at: datetime
    accessed_by: str
    role: str
    agency: str | None
    contact_id: str
    service: str
    action: str


@dataclass(frozen=True, kw_only=True)
class Entry(Access):
    """An access as logged: its place in the chain and the hashes that bind it there."""

    seq: int
    prev_hash: str
    hash: str

    def content(self) -> dict[str, object]:
        return content_of(self.seq, self)


def content_of(seq: int, access: Access) -> dict[str, object]:
    return {
        "seq": seq,
        "event_id": access.event_id,
        "accessed_at": timestamp(access.accessed_at),
        "accessed_by": access.accessed_by,
        "role": access.role,
        "agency": access.agency,
        "contact_id": access.contact_id,
        "service": access.service,
        "action": access.action,
    }


def canonical(content: dict[str, object]) -> str:
    """Keys sorted, no whitespace, non-ASCII escaped (\\uXXXX): one string per content."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def chain_hash(prev_hash: str, content: dict[str, object]) -> str:
    return hashlib.sha256((prev_hash + canonical(content)).encode("utf-8")).hexdigest()


def append(head: Entry | None, access: Access) -> Entry:
    """The entry that follows `head` (None: the log is empty)."""
    seq = head.seq + 1 if head else 1
    prev_hash = head.hash if head else GENESIS
    return Entry(
        seq=seq,
        prev_hash=prev_hash,
        hash=chain_hash(prev_hash, content_of(seq, access)),
        event_id=access.event_id,
        accessed_at=access.accessed_at,
        accessed_by=access.accessed_by,
        role=access.role,
        agency=access.agency,
        contact_id=access.contact_id,
        service=access.service,
        action=access.action,
    )


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    first_broken: int | None  # the sequence number of the first entry whose link is broken
    head: str | None  # the last entry's hash as stored; None for an empty log


class ChainCheck:
    """Walks the entries in sequence order, one at a time (a long log need not fit in memory).

    An entry is broken when its sequence number is not the one after the previous entry's
    (starting at 1), when its `prev_hash` is not the previous entry's hash (GENESIS for the
    first), or when its hash is not the hash of its `prev_hash` and its content.
    """

    def __init__(self) -> None:
        self.entries = 0
        self.first_broken: int | None = None
        self._last: Entry | None = None

    def add(self, entry: Entry) -> None:
        self.entries += 1
        if self.first_broken is None and not self._links(entry):
            self.first_broken = entry.seq
        self._last = entry

    def _links(self, entry: Entry) -> bool:
        expected_seq = self._last.seq + 1 if self._last else 1
        expected_prev = self._last.hash if self._last else GENESIS
        try:
            recomputed = chain_hash(entry.prev_hash, entry.content())
        except ValueError:  # e.g. a time stored without its timezone
            return False
        return (
            entry.seq == expected_seq
            and entry.prev_hash == expected_prev
            and entry.hash == recomputed
        )

    def result(self) -> Verification:
        return Verification(
            ok=self.first_broken is None,
            entries=self.entries,
            first_broken=self.first_broken,
            head=self._last.hash if self._last else None,
        )


def verify(entries: Iterable[Entry]) -> Verification:
    check = ChainCheck()
    for entry in entries:
        check.add(entry)
    return check.result()
