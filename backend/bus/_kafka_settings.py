"""Settings of the Kafka bus (constructor arguments; the app maps its own settings here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KafkaSettings:
    bootstrap_servers: str
    client_id: str = "nodeloom"
    namespace: str = ""
    """Prefixed to every topic and group name (several deployments, or tests, on one cluster)."""
    partitions: int = 8
    replication_factor: int = 1
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 3_000
    fetch_max_wait_ms: int = 5
    """The broker may hold a fetch this long: it bounds a follower's latency."""
    request_timeout_ms: int = 10_000
    retry_backoff_ms: int = 50
    metadata_max_age_ms: int = 30_000
    publish_timeout_s: float = 15.0
    """How long a publish keeps retrying before it raises ``BusUnavailable``."""
    start_timeout_s: float = 15.0
    poll_interval_ms: int = 100
    """How often an idle reader wakes up (to commit, to notice a restart or a close)."""
    stall_threshold_ms: int = 250
    """A gap this long between fetch responses makes a follower check its place in the log."""
    idle_check_s: float = 1.0
    """A publisher idle this long checks that its topics still exist before publishing."""

    def __post_init__(self) -> None:
        if not self.bootstrap_servers:
            raise ValueError("bootstrap_servers is empty")
        if self.partitions < 1:
            raise ValueError("partitions must be positive")
