"""Intake's own tables. Personal data is stored sealed, exactly as it travels."""

from sqlalchemy import JSON, Column, Date, Integer, MetaData, String, Table

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

