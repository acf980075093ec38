"""Settings of the Kafka bus (constructor arguments; the app maps its own settings here)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import Literal

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


def _no_password() -> str:
    # Without this, OpenSSL would ask for an encrypted key's password on the terminal.
    raise ValueError("the private key is encrypted; give it unencrypted (the file is secret)")


@dataclass(frozen=True)
class KafkaSecurity:
    """How every client reaches the brokers: in the clear or over TLS, with or without SASL."""

    protocol: SecurityProtocol = "PLAINTEXT"
    ca_file: str | None = None
    """PEM bundle of the CAs that signed the brokers' certificates; None: the system's."""
    cert_file: str | None = None
    """PEM client certificate, for brokers that ask for one (mutual TLS); with ``key_file``."""
    key_file: str | None = None
    sasl_mechanism: SaslMechanism = "PLAIN"
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def tls(self) -> bool:
        return self.protocol in ("SSL", "SASL_SSL")

    @property
    def sasl(self) -> bool:
        return self.protocol.startswith("SASL_")

    def ssl_context(self) -> ssl.SSLContext:
        """A client context verifying the brokers (and the host name), read from the files
        now: a client made after a certificate was renewed on disk uses the new one."""
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca_file)
        if self.cert_file is not None:
            context.load_cert_chain(self.cert_file, self.key_file, password=_no_password)
        return context

    def client_options(self) -> dict[str, object]:
        """aiokafka's arguments for this: the same for the admin client, producer, consumers."""
        options: dict[str, object] = {"security_protocol": self.protocol}
        if self.tls:
            options["ssl_context"] = self.ssl_context()
        if self.sasl:
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.username
            options["sasl_plain_password"] = self.password
        return options


@dataclass(frozen=True)
class KafkaSettings:
    bootstrap_servers: str
    client_id: str = "nodeloom"
    namespace: str = ""
    """Prefixed to every topic and group name (several deployments, or tests, on one cluster)."""
    security: KafkaSecurity = field(default_factory=KafkaSecurity)
    partitions: int = 8
    replication_factor: int = 1
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 3_000
    fetch_max_wait_ms: int = 1
    """How long the broker may hold a fetch of the run-events followers (the live path to
    the WebSockets). Tansu, the test broker, holds every fetch this long and only then
    returns what arrived meanwhile, so a record waits about half of it: 5 ms adds about
    2 ms to every event; 1 ms makes a follower fetch some 600 times a second (about a
    fifth of a core each for Tansu and the replica, twice what 5 ms costs) while runs are
    watched through its replica (it fetches nothing while none are, see ``_kafka_follow``).
    Apache Kafka answers as soon as a record arrives: there, a larger wait costs no
    latency."""
    background_fetch_max_wait_ms: int = 25
    """The same for every other reader (run requests, the recorder, run control), whose
    latency matters less than the broker's and the process's time spent on idle fetches."""
    slow_storage_fetch_max_wait_ms: int = 200
    """The wait of every reader once its broker showed that it answers fetches before
    reading its storage (Tansu on S3; see ``_kafka_wait``): there, a fetch shorter than
    the storage's reads returns without records."""
    request_timeout_ms: int = 10_000
    retry_backoff_ms: int = 50
    metadata_max_age_ms: int = 30_000
    publish_window: int = 32
    """How many of a run's events a worker may have published and not yet seen
    acknowledged (``backend.worker.sink``): the engine waits a round trip to the broker
    only when that many are in flight, not for every event."""
    idempotence: bool = False
    """Idempotent producers, for brokers that serve them (see ``_kafka_publish``)."""
    publish_timeout_s: float = 15.0
    """How long a publish keeps retrying before it raises ``BusUnavailable``."""
    start_timeout_s: float = 15.0
    poll_interval_ms: int = 100
    """How often an idle reader wakes up (to commit, to notice a restart or a close)."""
    stall_threshold_ms: int = 250
    """A gap this long between fetch responses makes a follower check its place in the log."""
    idle_check_s: float = 1.0
    """A publisher idle this long checks that its topics still exist before publishing."""

    def client_options(self) -> dict[str, object]:
        """Where and how every client connects: the brokers, TLS and SASL."""
        return {"bootstrap_servers": self.bootstrap_servers, **self.security.client_options()}

    def __post_init__(self) -> None:
        if not self.bootstrap_servers:
            raise ValueError("bootstrap_servers is empty")
        if self.partitions < 1:
            raise ValueError("partitions must be positive")
