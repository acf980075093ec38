"""The tables. Wire shapes live in ``backend.api.schemas``; these are storage only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Plain JSON text on SQLite, JSONB on PostgreSQL.
JsonDocument = JSON().with_variant(JSONB(), "postgresql")
# An empty JSON list, as a server default both databases accept.
EMPTY_JSON_LIST = text("'[]'")


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _Checked:
    """A stored document's graph problems, as ``graph_engine.validate`` found them on save
    (see ``backend.graph_problems``); a document with no error-severity problem is runnable."""

    problems: Mapped[list[dict[str, Any]]] = mapped_column(
        JsonDocument, default=list, server_default=EMPTY_JSON_LIST
    )

    @property
    def runnable(self) -> bool:
        return not any(problem.get("severity") == "error" for problem in self.problems)


class WorkflowRecord(_Checked, Base):
    """The current state of a workflow; ``version`` counts accepted saves."""

    __tablename__ = "workflows"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # ``graph_engine.names.search_key(name)`` (NFC, case-folded): search and sort that ignore
    # case and how an accent was typed, alike on every database.
    name_key: Mapped[str] = mapped_column(String(800), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    node_count: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    owner_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class WorkflowVersionRecord(_Checked, Base):
    """One accepted save of a workflow. Written once, never updated."""

    __tablename__ = "workflow_versions"
    # The unique constraint's index also serves "versions of a workflow, newest first".
    __table_args__ = (UniqueConstraint("workflow_id", "version"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workflows.id", ondelete="CASCADE")
    )
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    document: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    node_count: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(200))
    # The account that saved it (``None``: single-person mode or before accounts existed).
    author_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RunRecord(Base):
    """One run of one workflow version. ``status`` moves forward only:
    queued → running → succeeded | failed | cancelled (or queued → cancelled).

    The recorder keeps ``nodes`` (a summary per node id), ``outputs``, ``error`` and the
    token totals current from the run's events; ``worker_id`` and ``heartbeat_at`` say
    which worker runs it and when it last said so (see ``backend.worker``).
    """

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workflows.id", ondelete="CASCADE")
    )
    workflow_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    inputs: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    outputs: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument, nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument, nullable=True)
    error_node_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    nodes: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    worker_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # When a reaper published the request of this queued run again, no worker having taken
    # it in time (once: ``backend.db.waiting_runs``).
    requeued_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Whose credentials the run uses: the workflow's owner, also for runs via a share link.
    owner_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    share_link_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    # A run started through a link: the SHA-256 of the visitor's cookie, so that only that
    # browser sees it (``backend.auth.visitors``); never the cookie itself.
    visitor_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)

    __table_args__ = (Index("ix_runs_workflow_id_created_at", "workflow_id", "created_at"),)


class RunEventRecord(Base):
    """One run event as published; ``(run_id, seq)`` makes a redelivered event a no-op."""

    __tablename__ = "run_events"

    run_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(32))
    node_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ts: Mapped[datetime] = mapped_column(UtcDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON())
    """JSON kept as written (``json``, not ``jsonb``, on PostgreSQL): a replay sends the
    very text a live watcher was sent."""


class UserRecord(Base):
    """A person with an account (``NODELOOM_AUTH=on``); ``email_key`` is the casefolded
    email, unique, so sign-up and login ignore case."""

    __tablename__ = "users"
    # At most one admin, whatever the timing: of several first sign-ups at once, one is the
    # admin and the others find the seat taken (``users.create_user``).
    __table_args__ = (
        Index(
            "users_one_admin",
            "is_admin",
            unique=True,
            postgresql_where=text("is_admin"),
            sqlite_where=text("is_admin"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(500))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SessionRecord(Base):
    """A signed-in browser: the cookie's token is kept only as its SHA-256 (``token_hash``)."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LoginAttemptRecord(Base):
    """Login attempts of one (client address, email) in the current minute-long window; the
    key is a SHA-256 of both, so no email is kept here (``auth.rate_limit``)."""

    __tablename__ = "login_attempts"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer)


class ApiKeyRecord(Base):
    """A personal API key, kept only as its SHA-256; ``prefix`` lets people tell keys apart."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class CredentialRecord(Base):
    """A provider secret, encrypted (Fernet) with a key derived from NODELOOM_SECRET_KEY."""

    __tablename__ = "credentials"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(32))
    ciphertext: Mapped[str] = mapped_column(Text)
    last4: Mapped[str] = mapped_column(String(4))
    base_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ShareLinkRecord(Base):
    """A link to one workflow; the token is kept only as its SHA-256 (``token_hash``)."""

    __tablename__ = "share_links"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workflows.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    scope: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    run_limit_per_hour: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The runs started in the current hour-long window (``link_access.reserve_run``).
    run_window_start: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    run_window_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Whether visitors also see the owner's latest run (they always see their own).
    show_owner_latest_run: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
