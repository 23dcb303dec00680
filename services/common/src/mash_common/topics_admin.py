"""`mash-topics`: create every declared topic idempotently on any Kafka cluster, or list them."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from mash_schemas.topics import TOPICS

from .kafka import ensure_topics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mash-topics", description=__doc__)
    parser.add_argument("command", choices=["create", "list"])
    parser.add_argument(
        "--bootstrap",
        default=os.environ.get("MASH_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        help="bootstrap address of the cluster (default 127.0.0.1:9092)",
    )
    args = parser.parse_args(argv)
    if args.command == "list":
        for t in TOPICS:
            print(f"{t.name}\tpartitions={t.partitions}\tretention.ms={t.retention_ms}"
                  f"\tcleanup.policy={t.cleanup_policy}\tproducer={t.producer}")
        return 0
    created = asyncio.run(ensure_topics(args.bootstrap))
    print(f"{len(created)} created, {len(TOPICS) - len(created)} already there "
          f"({len(TOPICS)} declared) on {args.bootstrap}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
