"""Triage's own tables. Personal data and rationales are stored sealed, exactly as they travel."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

from mash_common.db import UtcDateTime

metadata = MetaData()

# One row per contact: what screening needs to order and show it, and where it has got to.
contacts = Table(
    "contacts",
    metadata,
    Column("contact_id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False),
    Column("family_group_id", String(36), nullable=False, index=True),
    Column("received_at", UtcDateTime, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("contact_type", String(16), nullable=False),
    Column("contact_source", String(4), nullable=False),
    Column("referrer_kind", String(16), nullable=False),
    Column("immediate_risk", Boolean, nullable=False),
    Column("concern_factors", JSON, nullable=False),
    Column("child_age_years", Integer, nullable=True),
    Column("personal", JSON, nullable=False),  # Sealed with the contact's key, never opened here
    Column("status", String(24), nullable=False),
    Column("outcome", String(16), nullable=True),
    Column("level_of_need", Integer, nullable=True),
    Column("rating", String(8), nullable=True),
    Column("deadline", UtcDateTime, nullable=True),
    Column("agencies", JSON, nullable=True),
    Column("information_requested_at", UtcDateTime, nullable=True),
    Column("decision_id", String(64), nullable=True),
    Column("decision_outcome", String(32), nullable=True),
    Column("decided_at", UtcDateTime, nullable=True),
    Column("event_id", String(64), nullable=False),  # the ContactReceived this row came from
    # 0002: one working day from receipt (Working Together 2023); each agency's deadline.
    Column("decision_due_by", UtcDateTime, nullable=True),
    Column("agency_respond_by", JSON, nullable=True),  # {agency: ISO time}
    # Optimistic concurrency: two managers changing one contact at once; the second is told.
    Column("version", Integer, nullable=False),
    # The queues: WHERE status = ? ORDER BY immediate_risk DESC, received_at, contact_id.
    Index("ix_contacts_queue", "status", "immediate_risk", "received_at", "contact_id"),
)

# The threshold decision: the primary key makes "decided once" hold even for two racing callers.
threshold_decisions = Table(
    "threshold_decisions",
    metadata,
    Column("contact_id", String(36), ForeignKey("contacts.contact_id"), primary_key=True),
    Column("outcome", String(16), nullable=False),
    Column("level_of_need", Integer, nullable=False),
    Column("decided_by", String(100), nullable=False),
    Column("role", String(50), nullable=False),
    Column("decided_at", UtcDateTime, nullable=False),
    Column("rationale", JSON, nullable=False),  # Sealed
    # 0002: the consent decision and how long the decision took in working hours.
    Column("lawful_basis", String(24), nullable=True),
    Column("consent_override_reason", JSON, nullable=True),  # Sealed
    Column("social_care_response", String(24), nullable=True),
    Column("working_hours_to_decide", Float, nullable=True),
    Column("within_one_working_day", Boolean, nullable=True),
    Index("ix_threshold_decisions_decided_at", "decided_at"),
)

# Every RAG rating and re-rating, with its rationale and who made it.
rag_ratings = Table(
    "rag_ratings",
    metadata,
    Column("contact_id", String(36), ForeignKey("contacts.contact_id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("rating", String(8), nullable=False),
    Column("previous_rating", String(8), nullable=True),
    Column("rated_by", String(100), nullable=False),
    Column("role", String(50), nullable=False),
    Column("rated_at", UtcDateTime, nullable=False),
    Column("deadline", UtcDateTime, nullable=False),
    Column("rationale", JSON, nullable=False),  # Sealed
)

# The clock: one row per contact per rating per kind (warn, breach). Rows are never deleted:
# a re-rating or the MASH's decision cancels the ones still ticking, and fired rows are history.
deadlines = Table(
    "deadlines",
    metadata,
    Column("deadline_id", Integer().with_variant(BigInteger(), "postgresql"), primary_key=True,
           autoincrement=True),
    Column("contact_id", String(36), ForeignKey("contacts.contact_id"), nullable=False,
           index=True),
    Column("rating_seq", Integer, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("rating", String(8), nullable=False),
    Column("deadline", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("fired_at", UtcDateTime, nullable=True),
    Column("cancelled_at", UtcDateTime, nullable=True),
    Column("cancel_reason", String(32), nullable=True),
    UniqueConstraint("contact_id", "rating_seq", "kind"),
    Index("ix_deadlines_due", "fired_at", "cancelled_at", "due_at"),
)

# 0003: repeat contacts. Intake's candidate links from a contact to earlier contacts that may be
# about the same child, and the decision a person made on each. No foreign key to contacts: a
# link may arrive before the contact it belongs to, and is kept until it does.
contact_links = Table(
    "contact_links",
    metadata,
    Column("link_id", String(36), primary_key=True),
    Column("contact_id", String(36), nullable=False, index=True),  # the later contact
    Column("linked_contact_id", String(36), nullable=False),  # the earlier one
    Column("linked_reference", String(32), nullable=True),
    Column("linked_received_at", UtcDateTime, nullable=True),
    Column("strength", String(8), nullable=False),
    Column("score", Float, nullable=True),
    Column("rank", Integer, nullable=True),  # intake's order, best first
    Column("status", String(12), nullable=False),  # proposed, confirmed, rejected
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", UtcDateTime, nullable=True),
    Column("linked_at", UtcDateTime, nullable=True),
)

# The child's number of contacts in the last 12 months as intake last counted it for a contact
# (on linking and on each decision); `as_of` keeps the latest whatever order events arrive in.
repeat_counts = Table(
    "repeat_counts",
    metadata,
    Column("contact_id", String(36), primary_key=True),
    Column("contacts_in_12_months", Integer, nullable=False),
    Column("as_of", UtcDateTime, nullable=False),
)
