"""The MASH wire contract. Only these models cross Kafka."""

from .envelope import CONTENT_TYPE, Envelope
from .events import EVENT_TYPES, EventData, Sealed, model_for
from .topics import TOPICS, TOPICS_BY_NAME, Topic, topic_for_event

__all__ = [
    "CONTENT_TYPE",
    "EVENT_TYPES",
    "TOPICS",
    "TOPICS_BY_NAME",
    "Envelope",
    "EventData",
    "Sealed",
    "Topic",
    "model_for",
    "topic_for_event",
]
