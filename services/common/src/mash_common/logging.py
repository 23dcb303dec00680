"""structlog JSON logging: one line per event handled, never personal data.

Log calls pass identifiers only (event id, contact id, topic, partition, offset, type); the
processor below drops any key not on the allow-list, so a careless `log.info(name=...)` cannot
leak a child's name into the logs.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

SAFE_KEYS = frozenset(
    {
        "event",
        "level",
        "timestamp",
        "logger",
        "service",
        "event_id",
        "event_type",
        "contact_id",
        "request_id",
        "decision_id",
        "reference",
        "topic",
        "partition",
        "offset",
        "count",
        "reason",
        "epoch",
        "url",
        "port",
        "consumer",
        "agency",
        "status",
        "duration_ms",
        "error",
        "exc_info",
        "exception",
        "method",
        "path",
        "attempt",
        "settings",
        "outcome",
        "rating",
        "pid",
    }
)


def _drop_unsafe(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    dropped = [k for k in event_dict if k not in SAFE_KEYS]
    for k in dropped:
        del event_dict[k]
    if dropped:
        event_dict["dropped_keys"] = sorted(dropped)
    return event_dict


def configure_logging(service: str, level: str = "INFO") -> None:
    logging.basicConfig(format="%(message)s", stream=sys.stderr, level=level.upper())
    for noisy in ("aiokafka", "kafka", "sqlalchemy", "alembic", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _drop_unsafe,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str = "mash") -> Any:
    return structlog.get_logger(name)
