"""What the process's log configuration keeps out: libraries' debug payloads, and the
Kafka client's line per retry while the broker is unreachable (``backend.bus.outage``)."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator

from backend.bus.outage import BROKER
from backend.observability.logging import QUIET_LOGGERS, configure_logging

HTTP_CLIENTS = ("httpx", "httpcore", "urllib3", "openai", "anthropic")


@contextlib.contextmanager
def json_debug_log() -> Iterator[None]:
    """The process's configuration, in the test's body: it closes pytest's log handlers."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    BROKER.watch("kafka-test:9092")  # its unwatch ends an outage the test opened
    try:
        configure_logging("json", "debug")
        yield
    finally:
        logging.captureWarnings(False)
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        BROKER.unwatch("kafka-test:9092")


def test_http_clients_stay_at_warning_at_debug_level(capsys):
    with json_debug_log():
        for name in HTTP_CLIENTS:
            assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING, name
            logging.getLogger(name).info("HTTP Request: POST https://api.example/v1 200 OK")
        logging.getLogger("nodeloom.test").debug("ours still shows")
    [entry] = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert entry["message"] == "ours still shows"


def test_the_configured_handler_holds_back_the_kafka_clients_retries(capsys):
    refused = ConnectionRefusedError(111, "Connect call failed")
    with json_debug_log():
        for _ in range(50):
            logging.getLogger("aiokafka").error("Unable connect to node %s: %s", 1, refused)
            logging.getLogger("aiokafka.consumer.fetcher").error("Failed fetch: %s", refused)
    entries = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(e["logger"], e["level"]) for e in entries] == [("backend.bus.outage", "warning")]
    assert entries[0]["message"].startswith("Kafka broker at kafka-test:9092 unreachable (")
