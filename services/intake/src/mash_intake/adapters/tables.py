"""Intake's own tables. Personal data is stored sealed, exactly as it travels."""

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
)

from mash_common.db import UtcDateTime

metadata = MetaData()

contacts = Table(
    "contacts",
    metadata,
    Column("contact_id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("family_group_id", String(36), nullable=False, index=True),
    Column("received_at", UtcDateTime, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("contact_type", String(16), nullable=False),
    Column("contact_source", String(4), nullable=False),
    Column("referrer_kind", String(16), nullable=False),
    Column("immediate_risk", Integer, nullable=False),
    Column("child_index", Integer, nullable=False),
    Column("child_dob", Date, nullable=True),
    Column("personal", JSON, nullable=False),
    Column("status_token_hash", String(64), nullable=False),
)

submissions = Table(
    "submissions",
    metadata,
    Column("idempotency_key", String(200), primary_key=True),
    Column("family_group_id", String(36), nullable=False),
    Column("response", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

counters = Table(
    "counters",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Integer, nullable=False),
)

# Identity: each child filed under its blocking keys, as keyed hashes (HMAC-SHA256 under a key
# of intake's own), so candidates are found without storing a name or a birthday in plaintext.
identity_keys = Table(
    "identity_keys",
    metadata,
    Column("key_hash", String(64), nullable=False),
    Column("contact_id", String(36), nullable=False),
    PrimaryKeyConstraint("key_hash", "contact_id"),
    Index("ix_identity_keys_contact_id", "contact_id"),
)

# A candidate link between a new contact and an earlier one; a person confirms or rejects it.
links = Table(
    "links",
    metadata,
    Column("link_id", String(36), primary_key=True),
    Column("contact_id", String(36), nullable=False, index=True),
    Column("linked_contact_id", String(36), nullable=False, index=True),
    Column("strength", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("basis", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", UtcDateTime, nullable=True),
    UniqueConstraint("contact_id", "linked_contact_id", name="uq_links_pair"),
)

# Phone contacts: the written form should follow; a timer reminds when it has not.
written_form_reminders = Table(
    "written_form_reminders",
    metadata,
    Column("family_group_id", String(36), primary_key=True),
    Column("contact_id", String(36), nullable=False),
    Column("reference", String(32), nullable=False, unique=True),
    Column("recorded_by", String(100), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime, nullable=False, index=True),
    Column("fired_at", UtcDateTime, nullable=True),
    Column("followed_at", UtcDateTime, nullable=True),
    Column("followed_by", String(36), nullable=True),
)

# The referrer may learn that an outcome is ready (never what it is): set from FeedbackSent.
outcomes_ready = Table(
    "outcomes_ready",
    metadata,
    Column("contact_id", String(36), primary_key=True),
    Column("decision_id", String(64), nullable=False),
    Column("ready_at", UtcDateTime, nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)
