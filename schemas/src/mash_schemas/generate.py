"""Generate the committed contract documents from the models.

`mash-schemas generate` writes them; `mash-schemas check` exits non-zero when the committed
files drift from the models (the test suite runs the same comparison).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .envelope import Envelope
from .events import EVENT_TYPES, json_schema
from .examples import example_data, example_event
from .topics import TOPICS

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"


def envelope_schema() -> dict[str, Any]:
    schema = Envelope.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "uk.mash.envelope",
        "description": "CloudEvents 1.0 structured-mode envelope used for every message",
        **schema,
    }


def _message_name(event_type: str) -> str:
    return event_type.replace(".", "_")


def asyncapi() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for t in TOPICS:
        channel_id = t.name.replace(".", "_").replace("-", "_")
        msg_refs = {}
        for model in t.events:
            name = _message_name(model.event_type)
            msg_refs[name] = {"$ref": f"#/components/messages/{name}"}
            messages[name] = {
                "name": model.event_type,
                "title": model.event_type,
                "summary": model.summary_line,
                "contentType": "application/cloudevents+json",
                "headers": {"type": "object"},
                "payload": {
                    "allOf": [
                        {"$ref": "jsonschema/uk.mash.envelope.json"},
                        {
                            "type": "object",
                            "properties": {
                                "type": {"const": model.event_type},
                                "data": {"$ref": f"jsonschema/{model.event_type}.json"},
                            },
                        },
                    ]
                },
                "bindings": {"kafka": {"key": {"type": "string", "description": t.key}}},
            }
        channels[channel_id] = {
            "address": t.name,
            "description": t.description,
            "messages": msg_refs,
            "bindings": {
                "kafka": {
                    "topic": t.name,
                    "partitions": t.partitions,
                    "topicConfiguration": {
                        "cleanup.policy": [t.cleanup_policy],
                        "retention.ms": t.retention_ms,
                    },
                    "bindingVersion": "0.5.0",
                }
            },
            "x-producer": t.producer,
            "x-consumers": list(t.consumers),
            "x-key": t.key,
        }
        if msg_refs:
            operations[f"publish_{channel_id}"] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{channel_id}"},
                "summary": f"{t.producer} publishes",
                "messages": [
                    {"$ref": f"#/channels/{channel_id}/messages/{n}"} for n in msg_refs
                ],
            }
            operations[f"consume_{channel_id}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{channel_id}"},
                "summary": f"consumed by {', '.join(t.consumers) or 'auditors and operators'}",
                "messages": [
                    {"$ref": f"#/channels/{channel_id}/messages/{n}"} for n in msg_refs
                ],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "MASH event bus",
            "version": "1.0.0",
            "description": (
                "Every topic of the Multi Agency Safeguarding Hub. Each message is a CloudEvent "
                "1.0 in structured JSON mode; the Kafka key is the contact id."
            ),
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {
            "embedded": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "Embedded Tansu broker started by `make run`",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def rendered() -> dict[Path, str]:
    """Every generated file and its exact text."""

    def dump(obj: Any) -> str:
        return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    files: dict[Path, str] = {
        GENERATED / "jsonschema" / "uk.mash.envelope.json": dump(envelope_schema()),
        GENERATED / "asyncapi.json": dump(asyncapi()),
    }
    for event_type, model in EVENT_TYPES.items():
        files[GENERATED / "jsonschema" / f"{event_type}.json"] = dump(json_schema(model))
    for data in example_data():
        files[ROOT / "examples" / f"{data.event_type}.json"] = dump(example_event(data))
    return files


def drift() -> list[str]:
    problems = []
    expected = rendered()
    for path, text in expected.items():
        if not path.exists():
            problems.append(f"missing: {path.relative_to(ROOT)}")
        elif path.read_text() != text:
            problems.append(f"differs from the models: {path.relative_to(ROOT)}")
    for folder in (GENERATED / "jsonschema", ROOT / "examples"):
        for path in folder.glob("*.json"):
            if path not in expected:
                problems.append(f"no longer generated: {path.relative_to(ROOT)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mash-schemas")
    parser.add_argument("command", choices=["generate", "check"])
    args = parser.parse_args(argv)
    if args.command == "generate":
        for path, text in rendered().items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        for folder in (GENERATED / "jsonschema", ROOT / "examples"):
            for path in folder.glob("*.json"):
                if path not in rendered():
                    path.unlink()
        print(f"wrote {len(rendered())} files under {ROOT}")
        return 0
    problems = drift()
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print("run `make schemas` to regenerate", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
