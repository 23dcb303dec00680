"""The gateway's own tables. Need-to-know fields and answers are stored sealed, as they travel."""

from sqlalchemy import JSON, Boolean, Column, Index, MetaData, String, Table

from mash_common.db import UtcDateTime

metadata = MetaData()

agency_requests = Table(
    "agency_requests",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("contact_id", String(64), nullable=False, index=True),
    Column("reference", String(32), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("rating", String(8), nullable=False),
    Column("respond_by", UtcDateTime, nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
    # The InformationRequested event this request came from (traceability, re-requests).
    Column("information_requested_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    # Sealed with the agency's key: exactly what the agency was sent.
    Column("subject_details", JSON, nullable=False),
    Column("answered_at", UtcDateTime, nullable=True),
    Column("late", Boolean, nullable=True),
    Column("known_to_agency", Boolean, nullable=True),
    Column("channel", String(8), nullable=True),
    # Sealed with the contact's key, as published in InformationProvided.
    Column("answer", JSON, nullable=True),
    Index("ix_agency_requests_agency_status_respond_by", "agency", "status", "respond_by"),
)

# The chasers (issue 5): one row per request per kind (remind, escalate), planned with the
# request, fired once by the timer, cancelled by the answer. Rows are never deleted.
agency_chasers = Table(
    "agency_chasers",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("kind", String(8), primary_key=True),
    Column("contact_id", String(64), nullable=False, index=True),
    Column("agency", String(64), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("fired_at", UtcDateTime, nullable=True),
    Column("cancelled_at", UtcDateTime, nullable=True),
    Column("cancel_reason", String(32), nullable=True),
    Index("ix_agency_chasers_due", "fired_at", "cancelled_at", "due_at"),
)
