"""Matching quality on at least 1,000 synthetic children with realistic mistakes and true
repeats: precision and recall of the "likely" (and exact) matches, printed and asserted.

Candidates are found the way intake finds them (any blocking key in common), so a repeat that
blocking misses counts against recall. The figures are recorded in docs/identity-matching.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from mash_intake.domain.matching import Identity, blocking_keys, rank

from .synthetic_children import Record, generate


def measure(records: list[Record]) -> dict[str, float]:
    index: dict[str, set[int]] = defaultdict(set)
    predicted: set[tuple[int, int]] = set()
    possible: set[tuple[int, int]] = set()
    truth: set[tuple[int, int]] = set()
    for n, record in enumerate(records):
        keys = blocking_keys(record.identity)
        candidates = set().union(*(index[k] for k in keys)) if keys else set()
        for m, match in rank(record.identity,
                             ((i, records[i].identity) for i in sorted(candidates))):
            (predicted if match.strength in ("exact", "likely") else possible).add((m, n))
        truth.update((m, n) for m in range(n) if records[m].person == record.person)
        for k in keys:
            index[k].add(n)
    hits = len(predicted & truth)
    return {
        "records": len(records),
        "children": len({r.person for r in records}),
        "true_pairs": len(truth),
        "likely": len(predicted),
        "precision": hits / len(predicted) if predicted else 1.0,
        "recall": hits / len(truth) if truth else 1.0,
        "possible": len(possible),
        "possible_true": len(possible & truth),
        "missed": len(truth - predicted - possible),
    }


def report(name: str, m: dict[str, float]) -> None:
    print(f"\n{name}: {m['records']} records of {m['children']} children, "
          f"{m['true_pairs']} true repeat pairs; likely/exact {m['likely']}: "
          f"precision {m['precision']:.3f}, recall {m['recall']:.3f}; possible {m['possible']} "
          f"({m['possible_true']} true); missed altogether {m['missed']}")


def test_fuzzy_matching_without_nhs_numbers_is_precise_and_complete() -> None:
    records = [Record(r.person, replace(r.identity, nhs_number=None)) for r in generate()]
    m = measure(records)
    report("names, dates of birth and postcodes only", m)
    assert m["children"] >= 1000
    assert m["precision"] >= 0.95 and m["recall"] >= 0.95


def test_matching_with_nhs_numbers_where_referrers_knew_them() -> None:
    m = measure(generate(seed=7))
    report("with NHS numbers on about half the records", m)
    assert m["children"] >= 1000
    assert m["precision"] >= 0.95 and m["recall"] >= 0.95


def test_siblings_and_twins_are_never_likely() -> None:
    ava = Identity("Ava", "Brook", date_of_birth=date(2017, 5, 1), postcode="MK9 3EP",
                   gender="female")
    twin = replace(ava, first_name="Leo", gender="male")
    sibling = replace(twin, date_of_birth=date(2015, 5, 1))
    assert [m.strength for _, m in rank(ava, [("twin", twin), ("sibling", sibling)])] == [
        "possible"]

