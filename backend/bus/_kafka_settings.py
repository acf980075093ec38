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
    fetch_max_wait_ms: int = 1
    """How long the broker may hold a fetch of the run-events followers (the live path to
    the WebSockets). Tansu, the test broker, holds every fetch this long and only then
    returns what arrived meanwhile, so a record waits about half of it: 5 ms adds about
    2 ms to every event; 1 ms makes an idle follower fetch some 600 times a second (about
    a fifth of a core each for Tansu and the replica, twice what 5 ms costs). Apache Kafka
    answers as soon as a record arrives: there, a larger wait costs no latency."""
    background_fetch_max_wait_ms: int = 25
    """The same for every other reader (run requests, the recorder, run control), whose
    latency matters less than the broker's and the process's time spent on idle fetches."""
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
