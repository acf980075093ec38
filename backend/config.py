"""Nodeloom's one settings object, read from ``NODELOOM_*`` environment variables.

Every setting is documented by its ``Field`` description; unsafe or invalid values are
refused when the settings are built, with a message naming the variable to fix.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.config_kafka import check_kafka_security, kafka_security_of
from backend.database_url import normalize_database_url
from backend.frontend import built_frontend_dir
from backend.web_origin import origin_of

if TYPE_CHECKING:
    from backend.bus import KafkaSecurity

MIB = 1024 * 1024
DEFAULT_DATA_DIR = Path("~/.nodeloom")
DEFAULT_FRONTEND_DIR = built_frontend_dir()

LogLevel = Literal["critical", "error", "warning", "info", "debug", "trace"]
AuthMode = Literal["off", "on"]
SignupPolicy = Literal["open", "closed"]
KafkaProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
KafkaSaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
MIN_SECRET_KEY_LENGTH = 32
# The value .env.example shows: a copied example must not become a real key.
PLACEHOLDER_SECRET_KEY = "change-me-to-the-output-of-secrets-token-urlsafe"
_NEW_KEY_COMMAND = "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"

logger = logging.getLogger(__name__)


class Settings(BaseSettings):
    """How one Nodeloom process runs; see each field's description."""

    # Errors never echo the values given: some are secrets (the SASL password, the key).
    model_config = SettingsConfigDict(
        env_prefix="NODELOOM_", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR,
        description="Directory for Nodeloom's local data; the default SQLite database lives "
        "here. Created on first use.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL of the database: `sqlite+aiosqlite:///PATH` (default: "
        "`nodeloom.db` in the data directory) or `postgresql+asyncpg://USER:PASSWORD@HOST/DB`. "
        "Plain `sqlite://`, `postgresql://` and `postgres://` URLs get the async driver added.",
    )
    host: str = Field(
        default="127.0.0.1",
        min_length=1,
        description="Interface the HTTP server binds to. Single-person mode "
        "(`NODELOOM_AUTH=off`) has no sign-in, so binding it to anything other than a "
        "loopback address exposes your workflows to the network (the server warns); with "
        "accounts (`NODELOOM_AUTH=on`) people sign in wherever it listens.",
    )
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port of the HTTP server.")
    frontend_dir: Path = Field(
        default=DEFAULT_FRONTEND_DIR,
        description="Directory holding the built frontend (`index.html` and assets) that the "
        "server serves at `/`; defaults to the one built into the installed wheel, or to "
        "`frontend/dist` in the source tree.",
    )
    max_body_bytes: int = Field(
        default=10 * MIB,
        ge=1024,
        le=1024 * MIB,
        description="Largest request body accepted, in bytes (1 KiB to 1 GiB); larger "
        "requests get `413 Payload Too Large`.",
    )
    log_level: LogLevel = Field(
        default="info",
        description="Log level of the server: critical, error, warning, info, debug or trace.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="`text`, or `json`: one JSON object per line (time, level, logger, message, "
        "and run_id/workflow_id/node_id inside a run), uvicorn's access log included.",
    )
    otel_exporter: Literal["none", "console", "otlp"] | None = Field(
        default=None,
        description="OpenTelemetry traces (a span per run, a child span per node): `console`, "
        "`otlp` (to OTEL_EXPORTER_OTLP_ENDPOINT; needs the `otel` extra) or `none`. Default: "
        "`otlp` when OTEL_EXPORTER_OTLP_ENDPOINT is set, else `none`.",
    )
    worker_metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port on which `nodeloom worker` serves Prometheus metrics at `/metrics` "
        "(on NODELOOM_HOST). Unset: a worker serves none (the API always serves `/metrics`).",
    )
    kafka_bootstrap_servers: str | None = Field(
        default=None,
        description="Kafka brokers (`host:port[,host:port…]`) carrying run requests, run events "
        "and cancellations between API replicas and `nodeloom worker` processes. Unset: the "
        "in-process bus, with runs executed inside the API process (the embedded default).",
    )
    kafka_namespace: str = Field(
        default="",
        max_length=100,
        pattern=r"^[A-Za-z0-9._-]*$",
        description="Prefix of every Kafka topic and consumer group name, so several "
        "deployments (or test runs) can share one cluster.",
    )
    kafka_session_timeout_ms: int = Field(
        default=10_000,
        ge=500,
        le=300_000,
        description="Consumer-group session timeout: how long a silent worker or recorder "
        "keeps its partitions before the group hands them to another member.",
    )
    kafka_idempotence: bool = Field(
        default=False,
        description="Idempotent producers (no duplicate records after a retry), for brokers "
        "that serve them (Apache Kafka does); a broker that refuses them stops the process at "
        "start with that reason. Off: a retried publish may land twice, and every reader drops "
        "the copy by `(run_id, seq)`.",
    )
    kafka_start_timeout_seconds: float = Field(
        default=15.0,
        gt=0,
        le=600,
        description="How long a starting API process or worker keeps trying to reach Kafka "
        "(and create its topics) before it gives up with the reason and exits.",
    )
    kafka_security_protocol: KafkaProtocol = Field(
        default="PLAINTEXT",
        description="How the clients reach the brokers: `PLAINTEXT`, `SSL` (TLS), "
        "`SASL_PLAINTEXT` or `SASL_SSL` (SASL sign-in, over TLS for the latter).",
    )
    kafka_ssl_ca_file: Path | None = Field(
        default=None,
        description="PEM file of the CAs that signed the brokers' certificates (with `SSL` or "
        "`SASL_SSL`). Unset: the system's trusted CAs. Broker host names are always checked.",
    )
    kafka_ssl_cert_file: Path | None = Field(
        default=None,
        description="PEM client certificate for brokers that require one (mutual TLS); "
        "needs NODELOOM_KAFKA_SSL_KEY_FILE. Read again by every new connection, so a renewed "
        "file is picked up without a restart.",
    )
    kafka_ssl_key_file: Path | None = Field(
        default=None,
        description="PEM private key (unencrypted) of NODELOOM_KAFKA_SSL_CERT_FILE.",
    )
    kafka_sasl_mechanism: KafkaSaslMechanism = Field(
        default="PLAIN",
        description="SASL mechanism with `SASL_*` protocols: `PLAIN`, `SCRAM-SHA-256` or "
        "`SCRAM-SHA-512`.",
    )
    kafka_sasl_username: str | None = Field(
        default=None, description="SASL user name (required with `SASL_*` protocols)."
    )
    kafka_sasl_password: SecretStr | None = Field(
        default=None,
        description="SASL password (required with `SASL_*` protocols); never logged or shown.",
    )
    embedded_worker: bool | None = Field(
        default=None,
        description="Execute runs inside the API process. Default: on without Kafka (it is "
        "the only worker then), off with Kafka (run `nodeloom worker` processes).",
    )
    worker_concurrency: int = Field(
        default=8, ge=1, le=1024, description="Runs one worker executes at the same time."
    )
    run_timeout_seconds: float = Field(
        default=3600,
        gt=0,
        le=7 * 24 * 3600,
        description="A run still going after this many seconds is stopped and marked failed.",
    )
    heartbeat_interval_seconds: float = Field(
        default=2.0,
        ge=0.05,
        le=60,
        description="How often a worker records that its runs are still alive.",
    )
    worker_timeout_seconds: float = Field(
        default=15.0,
        ge=0.5,
        le=3600,
        description="A running run whose worker has not sent a heartbeat for this long is "
        'marked failed ("worker stopped responding"); at least 3 heartbeat intervals.',
    )
    queue_timeout_seconds: float = Field(
        default=300.0,
        ge=0.1,
        le=7 * 24 * 3600,
        description="A queued run that no worker has taken after this long has its request "
        "published again; still not taken after as long again, it is marked failed "
        "(`QueueTimeout`). Keep it above the longest a run may wait for a free worker.",
    )
    shutdown_grace_seconds: float = Field(
        default=30.0,
        ge=0,
        le=3600,
        description="On SIGTERM a worker stops taking runs and lets running ones finish for "
        "this long; the rest are stopped and marked failed.",
    )
    plugins: str = Field(
        default="",
        description="Comma-separated Python modules imported at start-up by the server and "
        "the workers; a module defining `NodeType` classes adds node types.",
    )

    auth: AuthMode = Field(
        default="off",
        description="`off`: single-person mode, no sign-in, everything belongs to the one "
        "local owner. `on`: accounts (sign-up, login, API keys, per-person workflows).",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key material (at least 32 characters) from which the key that encrypts "
        "stored credentials is derived. Required with NODELOOM_AUTH=on; without it "
        "single-person mode keeps a random key in `<data dir>/secret.key`.",
    )
    secret_key_previous: SecretStr | None = Field(
        default=None,
        description="Earlier values of NODELOOM_SECRET_KEY, comma-separated: credentials "
        "encrypted under them can still be read, new ones are encrypted under "
        "NODELOOM_SECRET_KEY. `nodeloom credentials rotate` re-encrypts every credential "
        "under the current key; then this can be unset.",
    )
    signup: SignupPolicy = Field(
        default="open",
        description="`open` or `closed`: whether new accounts may sign up (the first account "
        "may always sign up, and is the admin).",
    )
    cookie_secure: bool = Field(
        default=False,
        description="Mark the session cookie `Secure` (sent over HTTPS only); set it behind "
        "HTTPS. On by itself when NODELOOM_PUBLIC_URL is `https://…`.",
    )
    public_url: str | None = Field(
        default=None,
        description="The address people open Nodeloom at (e.g. `https://flows.example.com`): "
        "the origin browser requests that change something must come from, and, if it is "
        "https, a `Secure` session cookie. Unset: requests must come from the address they "
        "were sent to.",
    )
    allowed_origins: str | None = Field(
        default=None,
        description="More origins allowed to send such requests, comma-separated "
        "(`https://a.example,https://b.example`).",
    )
    login_rate_limit: int = Field(
        default=10,
        ge=1,
        le=10_000,
        description="Login attempts per minute for one (client address, email), counted in "
        "the database (shared by every replica); further attempts get `429 Too Many "
        "Requests` without their password being checked. A successful login resets it.",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower_log_level(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("data_dir", "frontend_dir", mode="after")
    @classmethod
    def _expand_path(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("host", mode="after")
    @classmethod
    def _check_host(cls, value: str) -> str:
        value = value.strip()
        if not value or any(char.isspace() for char in value):
            raise ValueError("host must be a host name or IP address without spaces")
        return value

    @field_validator("database_url", mode="after")
    @classmethod
    def _resolve_database_url(cls, value: str, info: ValidationInfo) -> str:
        data_dir = info.data.get("data_dir", DEFAULT_DATA_DIR.expanduser())
        return normalize_database_url(
            value.strip() or f"sqlite+aiosqlite:///{data_dir}/nodeloom.db"
        )

    @field_validator("secret_key", "secret_key_previous", mode="after")
    @classmethod
    def _check_secret_key(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        setting = f"NODELOOM_{(info.field_name or '').upper()}"
        for key in value.get_secret_value().split(","):
            if key.strip() == PLACEHOLDER_SECRET_KEY:
                raise ValueError(
                    f"{setting} is still the example value from .env.example; set it to "
                    f"the output of {_NEW_KEY_COMMAND}"
                )
            if len(key.strip()) < MIN_SECRET_KEY_LENGTH:
                raise ValueError(
                    f"{setting} must be at least {MIN_SECRET_KEY_LENGTH} characters "
                    f"(e.g. from {_NEW_KEY_COMMAND})"
                )
        return value

    @property
    def secret_keys(self) -> list[str]:
        """The key material to read credentials with: the current key first (the one new
        secrets are encrypted under), then the previous ones. Empty: no key is set."""
        if self.secret_key is None:
            return []
        previous = self.secret_key_previous.get_secret_value() if self.secret_key_previous else ""
        return [
            self.secret_key.get_secret_value(),
            *(key.strip() for key in previous.split(",") if key.strip()),
        ]

    @field_validator("public_url", "allowed_origins", mode="after")
    @classmethod
    def _check_origins(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            return None
        for url in value.split(","):
            if origin_of(url) is None:
                setting = f"NODELOOM_{(info.field_name or '').upper()}"
                raise ValueError(f"{setting}: {url.strip()!r} is not an http(s) address")
        return value.strip()

    @property
    def trusted_origins(self) -> frozenset[str]:
        """Where state-changing browser requests may come from; empty: their own address."""
        urls = [self.public_url or "", *(self.allowed_origins or "").split(",")]
        return frozenset(origin for url in urls if (origin := origin_of(url)))

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure or (self.public_url or "").lower().startswith("https://")

    @field_validator("kafka_bootstrap_servers", "kafka_sasl_username", mode="after")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return (value or "").strip() or None

    @field_validator(
        "kafka_ssl_ca_file",
        "kafka_ssl_cert_file",
        "kafka_ssl_key_file",
        "kafka_sasl_password",
        mode="before",
    )
    @classmethod
    def _blank_text_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("kafka_ssl_ca_file", "kafka_ssl_cert_file", "kafka_ssl_key_file")
    @classmethod
    def _readable_file(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        value = value.expanduser()
        if not value.is_file():
            raise ValueError(f"{value} is not a file")
        try:
            value.open("rb").close()
        except OSError as error:
            raise ValueError(f"{value} cannot be read: {error.strerror}") from None
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_combinations(self) -> Settings:
        if self.embedded_worker is False and self.kafka_bootstrap_servers is None:
            raise ValueError(
                "NODELOOM_EMBEDDED_WORKER=false needs NODELOOM_KAFKA_BOOTSTRAP_SERVERS: "
                "without Kafka no other process can execute runs, so they would stay queued"
            )
        if self.auth == "on" and self.secret_key is None:
            raise ValueError(
                "NODELOOM_AUTH=on needs NODELOOM_SECRET_KEY (at least 32 random characters): "
                "it encrypts the stored credentials, and every server and worker must share it"
            )
        if self.kafka_bootstrap_servers is not None and self.secret_key is None:
            raise ValueError(
                "NODELOOM_KAFKA_BOOTSTRAP_SERVERS needs NODELOOM_SECRET_KEY (at least 32 random "
                "characters), the same in every server and worker: each process would "
                "otherwise make a key of its own and fail to read the others' credentials"
            )
        if self.secret_key_previous is not None and self.secret_key is None:
            raise ValueError("NODELOOM_SECRET_KEY_PREVIOUS needs NODELOOM_SECRET_KEY")
        if self.database_url.startswith("sqlite") and not self.runs_embedded_worker:
            raise ValueError(
                "NODELOOM_KAFKA_BOOTSTRAP_SERVERS with a SQLite database and no embedded "
                "worker: `nodeloom worker` processes cannot share one SQLite file safely "
                "(or at all from another host); use PostgreSQL"
            )
        check_kafka_security(self)
        if self.worker_timeout_seconds < 3 * self.heartbeat_interval_seconds:
            raise ValueError(
                "NODELOOM_WORKER_TIMEOUT_SECONDS must be at least 3 × "
                "NODELOOM_HEARTBEAT_INTERVAL_SECONDS, or live runs would be marked failed"
            )
        return self

    @property
    def runs_embedded_worker(self) -> bool:
        """Whether the API process executes runs itself (see ``embedded_worker``)."""
        if self.embedded_worker is None:
            return self.kafka_bootstrap_servers is None
        return self.embedded_worker

    @property
    def accounts(self) -> bool:
        """Whether people sign in (``NODELOOM_AUTH=on``) rather than single-person mode."""
        return self.auth == "on"

    @property
    def open_to_everyone(self) -> bool:
        """Whether whoever reaches the server gets the one owner's workflows: single-person
        mode (no sign-in) on an address other than loopback."""
        return not self.accounts and not self.is_loopback

    @property
    def kafka_security(self) -> KafkaSecurity:
        """How the Kafka clients connect (TLS, SASL), for ``backend.bus``."""
        return kafka_security_of(self)

    @property
    def plugin_modules(self) -> list[str]:
        return [name.strip() for name in self.plugins.split(",") if name.strip()]

    @property
    def is_loopback(self) -> bool:
        return self.host in ("127.0.0.1", "::1", "localhost") or self.host.startswith("127.")
