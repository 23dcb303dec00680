"""Feedback's own tables. Personal data (the contact's details, the rationale, every message
written for a referrer or a team) is stored sealed with the contact's key."""


from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    false,
)

from mash_common.db import UtcDateTime

metadata = MetaData()


# One row per contact, created by whichever of its events arrives first: the contact's own
# columns stay empty until ContactReceived is here.
cases = Table(
    "cases",
    metadata,
    Column("contact_id", String(64), primary_key=True),
    Column("has_contact", Boolean, nullable=False, server_default=false()),
    Column("reference", String(32), nullable=True),
    Column("received_at", UtcDateTime(), nullable=True),
    Column("referrer_kind", String(16), nullable=True),
    Column("referrer_agency", String(200), nullable=True),
    Column("contact_source", String(4), nullable=True),
    Column("immediate_risk", Boolean, nullable=True),
    Column("concern_factors", JSON, nullable=True),
    Column("personal", JSON, nullable=True),
    Column("channel", String(8), nullable=True),  # 0002: "agency" = an agency system referred
)

decisions = Table(
    "decisions",
    metadata,
    Column("decision_id", String(64), primary_key=True),
    Column("contact_id", String(64), nullable=False, index=True),
    Column("event_id", String(64), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("level_of_need", Integer, nullable=False),
    Column("receiving_team", String(200), nullable=True),
    Column("decided_by", String(100), nullable=False),
    Column("decided_at", UtcDateTime(), nullable=False),
    Column("supersedes", String(64), nullable=True),
    Column("rationale", JSON, nullable=False),
    Column("strategy_discussion_agencies", JSON, nullable=True),  # 0002
    Column("signpost_service", String(200), nullable=True),  # 0002
)

# What was recorded for each decision and audience: written once, with its FeedbackSent.
feedback = Table(
    "feedback",
    metadata,
    Column("decision_id", String(64), primary_key=True),
    Column("audience", String(16), primary_key=True),
    Column("contact_id", String(64), nullable=False, index=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("referrer_kind", String(16), nullable=True),
    Column("channel", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("message", JSON, nullable=True),
    Column("sent_at", UtcDateTime(), nullable=False),
)

# Each delivery of a feedback (0002): an email to the referrer, retried with backoff from the
# database (so retries survive a restart), or an outcome event for an agency system. The
# address and the text are in the feedback row, sealed; here only state, no personal data.
deliveries = Table(
    "deliveries",
    metadata,
    Column("delivery_id", String(64), primary_key=True),
    Column("decision_id", String(64), nullable=False),
    Column("audience", String(16), nullable=False),
    Column("contact_id", String(64), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("status", String(16), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime(), nullable=True, index=True),
    Column("last_error", String(200), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True),
)
