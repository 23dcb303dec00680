"""docs/topics.md is generated from the topic registry and must not drift from it."""

from __future__ import annotations

from mash_schemas.docs import TOPICS_MD, retention, topics_markdown
from mash_schemas.topics import DAY_MS, TOPICS


def test_the_committed_topics_table_matches_the_registry() -> None:
    assert TOPICS_MD.exists(), "docs/topics.md is missing: run `python -m mash_schemas.docs`"
    assert TOPICS_MD.read_text() == topics_markdown(), (
        "docs/topics.md differs from mash_schemas.topics: run `python -m mash_schemas.docs`"
    )


def test_every_topic_has_one_row_naming_its_producer_and_consumers() -> None:
    rows = [line for line in topics_markdown().splitlines() if line.startswith("| `")]
    assert len(rows) == len(TOPICS)
    for topic, row in zip(TOPICS, rows, strict=True):
        assert row.startswith(f"| `{topic.name}` | {topic.partitions} | {topic.key} |")
        assert topic.producer in row
        assert all(consumer in row for consumer in topic.consumers)
        assert all(event.event_type in row for event in topic.events)


def test_retention_reads_as_words() -> None:
    assert retention(-1) == "forever"
    assert retention(30 * DAY_MS) == "30 days"
    assert retention(DAY_MS) == "1 day"
    assert retention(1500) == "1500 ms"
