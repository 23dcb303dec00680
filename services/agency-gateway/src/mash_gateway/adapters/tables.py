"""The gateway's own tables. Need-to-know fields and answers are stored sealed, as they travel."""

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, MetaData, String, Table

metadata = MetaData()

agency_requests = Table(
    "agency_requests",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("contact_id", String(64), nullable=False, index=True),
    Column("reference", String(32), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("rating", String(8), nullable=False),
    Column("respond_by", DateTime(timezone=True), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    # The InformationRequested event this request came from (traceability, re-requests).
    Column("information_requested_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    # Sealed with the agency's key: exactly what the agency was sent.
    Column("subject_details", JSON, nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=True),
    Column("late", Boolean, nullable=True),
    Column("known_to_agency", Boolean, nullable=True),
    Column("channel", String(8), nullable=True),
    # Sealed with the contact's key, as published in InformationProvided.
    Column("answer", JSON, nullable=True),
    Index("ix_agency_requests_agency_status_respond_by", "agency", "status", "respond_by"),
)
