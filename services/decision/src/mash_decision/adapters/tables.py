"""Decision's own tables: every applied event about a contact, the picture folded from them, and
the audit log (every read of a child's record, hash chained).

Sealed values (rationales, agency answers, the contact's personal data) are stored exactly as
they travel, still sealed with the contact's key.
"""


from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    text,
)

from mash_common.db import UtcDateTime

metadata = MetaData()


# One row per contact: the summary the queue is read from, rewritten after every fold.
pictures = Table(
    "pictures",
    metadata,
    Column("contact_id", String(64), primary_key=True),
    Column("reference", String(32), nullable=True),
    Column("received_at", UtcDateTime(), nullable=True),
    Column("has_contact", Boolean, nullable=False, server_default=false()),
    Column("threshold_outcome", String(16), nullable=True),
    Column("level_of_need", Integer, nullable=True),
    Column("rating", String(8), nullable=True),
    Column("rating_rank", Integer, nullable=False, server_default=text("3")),
    Column("deadline", UtcDateTime(), nullable=True),
    Column("respond_by", UtcDateTime(), nullable=True),
    Column("due_at", UtcDateTime(), nullable=True),
    # {agency: respond_by ISO} and {agency: {request_id, known_to_agency, late, received_at}}
    Column("agencies", JSON, nullable=True),
    Column("answers", JSON, nullable=True),
    Column("breaches", Integer, nullable=False, server_default=text("0")),
    Column("warned_at", UtcDateTime(), nullable=True),
    Column("status", String(16), nullable=False, server_default="open", index=True),
    Column("ready_at", UtcDateTime(), nullable=True),
    Column("ready_reason", String(16), nullable=True),
    Column("decision_id", String(64), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=True),
    # Timeliness (migration 0002): when each stage was reached, by the events' own times.
    Column("threshold_at", UtcDateTime(), nullable=True),
    Column("rated_at", UtcDateTime(), nullable=True),
    Column("all_answered_at", UtcDateTime(), nullable=True),
    Column("decided_at", UtcDateTime(), nullable=True),
    Column("feedback_sent_at", UtcDateTime(), nullable=True),
    # [{rated_at, rating, deadline}] and [{type, at}] (events the picture has no rule for)
    Column("rag_history", JSON, nullable=True),
    Column("other_events", JSON, nullable=True),
)

# Every event applied to a picture (its own PictureCompleted and DecisionMade included).
picture_events = Table(
    "picture_events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("contact_id", String(64), nullable=False, index=True),
    Column("event_type", String(128), nullable=False),
    Column("topic", String(255), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("data", JSON, nullable=False),
)

# The audit log (migration 0003): append-only, one row per RecordAccessed, in the order logged.
# `hash` = SHA-256(prev_hash + canonical JSON of the row's content): see domain/audit.py.
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer().with_variant(BigInteger(), "postgresql"), primary_key=True,
           autoincrement=False),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("accessed_at", UtcDateTime(), nullable=False, index=True),
    Column("accessed_by", String(255), nullable=False, index=True),
    Column("role", String(64), nullable=False),
    Column("agency", String(64), nullable=True, index=True),
    Column("contact_id", String(255), nullable=False, index=True),
    Column("service", String(64), nullable=False),
    Column("action", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
