"""Generate docs/topics.md, the table of every topic, from the topic registry.

`python -m mash_schemas.docs` writes it; `python -m mash_schemas.docs check` exits non-zero
when the committed file drifts from `mash_schemas.topics.TOPICS` (a contract test does the same).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .topics import DAY_MS, TOPICS, Topic

REPO = Path(__file__).resolve().parents[3]
TOPICS_MD = REPO / "docs" / "topics.md"
SCHEMA_DIR = "../schemas/generated/jsonschema"  # relative to docs/


def retention(ms: int) -> str:
    if ms < 0:
        return "forever"
    if ms % DAY_MS == 0:
        days = ms // DAY_MS
        return f"{days} day" if days == 1 else f"{days} days"
    return f"{ms} ms"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _events(topic: Topic) -> str:
    if not topic.events:
        return "— (a plain marker, not a CloudEvent)"
    return "<br>".join(
        f"[`{e.event_type}`]({SCHEMA_DIR}/{e.event_type}.json)" for e in topic.events
    )


def topics_markdown(topics: tuple[Topic, ...] = TOPICS) -> str:
    lines = [
        "# Topics",
        "",
        "<!-- Generated from mash_schemas.topics by `python -m mash_schemas.docs`; "
        "do not edit by hand. -->",
        "",
        "Every topic of the hub, declared once in `schemas/src/mash_schemas/topics.py` and "
        "created idempotently on any Kafka cluster with `mash-topics create --bootstrap "
        "<host:port>`. Every message is a CloudEvent 1.0 in structured JSON mode "
        "(`application/cloudevents+json`); the key is the contact id unless the table says "
        "otherwise. Event types link to their JSON Schema. Agency systems integrate on the "
        "`mash.agency.<agency>.*` topics: see [agency-integration.md](agency-integration.md).",
        "",
        "| topic | partitions | key | retention | cleanup | producer | consumers | event types "
        "| purpose |",
        "|---|---:|---|---|---|---|---|---|---|",
    ]
    for t in topics:
        cells = [
            f"`{t.name}`",
            str(t.partitions),
            t.key,
            retention(t.retention_ms),
            t.cleanup_policy,
            t.producer,
            ", ".join(t.consumers) or "—",
            _events(t),
            t.description,
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += [
        "",
        f"{len(topics)} topics. Retention \"forever\" is `retention.ms=-1`: the event log is the "
        "audit record and the source of every rebuild; a deployment shortens it to its "
        "retention schedule.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mash_schemas.docs", description=__doc__)
    parser.add_argument("command", nargs="?", choices=["write", "check"], default="write")
    args = parser.parse_args(argv)
    text = topics_markdown()
    if args.command == "check":
        if not TOPICS_MD.exists() or TOPICS_MD.read_text() != text:
            print(f"{TOPICS_MD} differs from the topic registry; run "
                  "`python -m mash_schemas.docs`", file=sys.stderr)
            return 1
        return 0
    TOPICS_MD.parent.mkdir(parents=True, exist_ok=True)
    TOPICS_MD.write_text(text)
    print(f"wrote {TOPICS_MD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
