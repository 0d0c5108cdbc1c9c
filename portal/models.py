"""The portal's tables: accounts, the service catalog, requests and what happens to them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import PortalBase, utcnow
from portal.workflow import Priority, Status

ROLES = ("company", "staff", "admin")


class Company(PortalBase):
    """A registered company; all its users see all its requests."""

    __tablename__ = "portal_companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    contact_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Team(PortalBase):
    """A team of the center's staff that requests are routed to."""

    __tablename__ = "portal_teams"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


class User(PortalBase):
    """A person who signs in: a company member, a staff member or an admin."""

    __tablename__ = "portal_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(Enum(*ROLES, name="user_role"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("portal_companies.id"), index=True)
    team_code: Mapped[str | None] = mapped_column(ForeignKey("portal_teams.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A company's owner invites and removes its members (the first registrant; issue 12).
    company_owner: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Bumped by "log out everywhere" and password changes: older session cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str] = mapped_column(String(2), default="zh")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    company: Mapped[Company | None] = relationship(lazy="joined")

    @property
    def is_staff(self) -> bool:
        """Whether the user works for the center (staff or admin)."""
        return self.role in ("staff", "admin")


class AccountToken(PortalBase):
    """A one-time link sent by e-mail (password reset, invitation): only its SHA-256 is kept."""

    __tablename__ = "portal_account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # "reset" or "invitation"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("portal_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(PortalBase):
    """A sign-in attempt, kept for rate limiting across workers."""

    __tablename__ = "portal_login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), index=True)  # "email:<addr>" or "ip:<addr>"
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class Service(PortalBase):
    """One service of the catalog (one service = one request form)."""

    __tablename__ = "portal_services"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    team_code: Mapped[str | None] = mapped_column(ForeignKey("portal_teams.code"))
    turnaround_days: Mapped[int | None] = mapped_column(Integer)
    document_id: Mapped[str | None] = mapped_column(String(120))  # its knowledge-base description
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ServiceRequest(PortalBase):
    """A company's request for a service, from submission to closing."""

    __tablename__ = "portal_requests"
    __table_args__ = (UniqueConstraint("company_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(30), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("portal_companies.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"))
    service_code: Mapped[str] = mapped_column(ForeignKey("portal_services.code"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[Status] = mapped_column(
        Enum(Status, name="request_status", values_callable=lambda e: [m.value for m in e]),
        default=Status.SUBMITTED,
        index=True,
    )
    priority: Mapped[Priority] = mapped_column(
        Enum(Priority, name="request_priority", values_callable=lambda e: [m.value for m in e]),
        default=Priority.NORMAL,
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("portal_users.id"), index=True)
    team_code: Mapped[str | None] = mapped_column(ForeignKey("portal_teams.code"))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # SLA clocks: business seconds spent awaiting the company do not count.
    awaiting_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    deflection_shown: Mapped[int] = mapped_column(Integer, default=0)  # answers shown before submit
    # A duplicate merged into another request: closed, its messages and files moved there.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("portal_requests.id"))

    company: Mapped[Company] = relationship(lazy="joined")
    service: Mapped[Service] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    merged_into: Mapped[ServiceRequest | None] = relationship(
        foreign_keys=[merged_into_id], remote_side=[id], lazy="select"
    )


class Message(PortalBase):
    """A public reply, a company message or an internal note on a request."""

    __tablename__ = "portal_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("portal_requests.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"))
    # public: visible to the company; internal: staff only.
    visibility: Mapped[str] = mapped_column(Enum("public", "internal", name="message_visibility"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")


class Mention(PortalBase):
    """A colleague @mentioned in an internal note."""

    __tablename__ = "portal_mentions"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("portal_messages.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"), index=True)
    seen: Mapped[bool] = mapped_column(Boolean, default=False)


class Attachment(PortalBase):
    """A file attached to a request, stored outside the web root under its content hash."""

    __tablename__ = "portal_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("portal_requests.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("portal_messages.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The service guide's material this file was uploaded as (its named slot); None: other files.
    material: Mapped[str | None] = mapped_column(String(60))


class Event(PortalBase):
    """The audit trail: one row for every change (who, when, what, before, after)."""

    __tablename__ = "portal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("portal_requests.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("portal_users.id"))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(lazy="joined")


class TriageSuggestion(PortalBase):
    """The automatic triage proposal for a new request, and what staff made of it."""

    __tablename__ = "portal_triage"

    request_id: Mapped[int] = mapped_column(ForeignKey("portal_requests.id"), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(60))
    priority: Mapped[str] = mapped_column(String(10))
    team_code: Mapped[str | None] = mapped_column(String(40))
    reasons: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    decision: Mapped[str | None] = mapped_column(String(10))  # accepted | overridden
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("portal_users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CannedReply(PortalBase):
    """A reply text that staff maintain and insert into public replies."""

    __tablename__ = "portal_canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OutboxMessage(PortalBase):
    """A notification to deliver (by SMTP when configured); always visible in the portal."""

    __tablename__ = "portal_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("portal_requests.id"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    read: Mapped[bool] = mapped_column(Boolean, default=False)


class Holiday(PortalBase):
    """A public holiday of the working calendar (no SLA time passes on it)."""

    __tablename__ = "portal_holidays"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # A weekend day that is worked (调休) is stored with working=True.
    working: Mapped[bool] = mapped_column(Boolean, default=False)


class Deflection(PortalBase):
    """Suggested answers shown while a company described its request, and what followed."""

    __tablename__ = "portal_deflections"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"), index=True)
    service_code: Mapped[str | None] = mapped_column(String(60))
    query: Mapped[str] = mapped_column(Text)
    answers_shown: Mapped[int] = mapped_column(Integer)
    helpful: Mapped[bool | None] = mapped_column(Boolean)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("portal_requests.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TrackingCounter(PortalBase):
    """The last tracking number issued in a year (GBA-CGT-<year>-<six digits>)."""

    __tablename__ = "portal_tracking_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class RequestAnswer(PortalBase):
    """An assistant's answer a company attached to its request: a snapshot of what it was told.

    The snapshot (question, answer, citations with document id, version, section and quote) is
    copied by the web layer, so the portal never reads the assistant's tables.
    """

    __tablename__ = "portal_request_answers"
    __table_args__ = (UniqueConstraint("request_id", "answer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("portal_requests.id"), index=True)
    answer_id: Mapped[str] = mapped_column(String(32), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(4))
    refused: Mapped[bool] = mapped_column(Boolean, default=False)
    asked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    attached_by_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    attached_by: Mapped[User] = relationship(lazy="joined")


class ImpactNotice(PortalBase):
    """A company (or one of its requests) told that a document it relied on changed: sent once."""

    __tablename__ = "portal_impact_notices"
    __table_args__ = (UniqueConstraint("document_id", "document_version", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(String(120), index=True)
    document_version: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(40))  # "request:<id>" or "company:<id>"
    company_id: Mapped[int] = mapped_column(ForeignKey("portal_companies.id"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("portal_requests.id"))
    notified_by_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SavedView(PortalBase):
    """A named queue filter and sort: personal, or shared with a team (all staff without one)."""

    __tablename__ = "portal_saved_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(1000))  # the queue's query string, normalised
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    team_code: Mapped[str | None] = mapped_column(ForeignKey("portal_teams.code"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    owner: Mapped[User] = relationship(lazy="joined")
