"""Quiet outages: while the broker is down a process logs one warning when it goes and
one line when it is back, with the outage's length, not a line per retry (``outage``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka.errors import NodeNotReadyError
from bus_support import Broker, event, request, split_between, take, until
from services.nodeloom import READY_LINE, NodeloomProcess, worker
from services.processes import free_port

from backend.bus import BusUnavailable, KafkaBus, KafkaSecurity, KafkaSettings, Subscription
from backend.bus.outage import RETRY_FLAG, RETRYING, SETTLE_S, BrokerHealth, OutageFilter

SERVERS = "kafka-1:9092"
OUTAGE_LOGGER = "backend.bus.outage"
CANARY = "canary-sasl-password-4e1d"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def record(name: str, message: str, *args: object, level: int = logging.ERROR, **extra: object):
    entry = logging.LogRecord(name, level, __file__, 1, message, args, None)
    entry.__dict__.update(extra)
    return entry


def refused() -> logging.LogRecord:
    return record(
        "aiokafka",
        "Unable connect to node with id %s: %s",
        1,
        ConnectionRefusedError(111, "Connect call failed"),
    )


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == OUTAGE_LOGGER and r.levelno >= logging.INFO]


@pytest.fixture
def health() -> tuple[BrokerHealth, OutageFilter, Clock]:
    clock = Clock()
    tracker = BrokerHealth(clock)
    tracker.watch(SERVERS)
    return tracker, OutageFilter(tracker), clock


def test_an_outage_is_one_warning_and_one_line_back_with_its_length(health, caplog):
    tracker, outages, clock = health
    caplog.set_level(logging.INFO, logger=OUTAGE_LOGGER)
    first = refused()
    assert not outages.filter(first)
    assert not outages.filter(first)  # a second handler seeing it: judged once, counted once
    [went] = outage_lines(caplog)
    assert went.levelno == logging.WARNING
    assert went.getMessage().startswith(
        f"Kafka broker at {SERVERS} unreachable (ConnectionRefusedError: [Errno 111] Connect "
    )
    held = lambda: [  # noqa: E731 - fresh records each time
        refused(),
        record("aiokafka", "Unable to update metadata from %s", [1]),
        record(
            "aiokafka.consumer.fetcher",
            "Failed fetch messages from %s: %s",
            1,
            NodeNotReadyError("node 1"),
        ),
        record(
            "aiokafka.consumer.group_coordinator",
            "Marking the coordinator dead (node %s)for group %s.",
            1,
            "g",
            level=logging.WARNING,
        ),
        record("backend.bus._kafka_group", "group %s waits", "g", level=logging.INFO, **RETRYING),
    ]
    for step, client_line in enumerate(line for _ in range(100) for line in held()):
        clock.now = 100.0 + step * 0.01  # the last failure at 104.99
        assert not outages.filter(client_line), client_line.getMessage()
    assert outages.filter(record("backend.worker.service", "a run failed"))
    with_stack = record("aiokafka.consumer.fetcher", "Unexpected error in fetcher routine")
    with_stack.exc_info = (ValueError, ValueError("x"), None)
    assert outages.filter(with_stack)  # aiokafka met something unexpected: never held

    clock.now = 105.2
    tracker.answered()
    tracker.settle()
    assert tracker.down  # answered, but a client failed within SETTLE_S
    clock.now = 104.99 + SETTLE_S
    tracker.settle()
    assert not tracker.down
    went, back = outage_lines(caplog)
    assert back.levelno == logging.INFO
    assert back.getMessage() == (
        f"Kafka broker at {SERVERS} answers again after 5.2 s (501 client log lines held back)"
    )
    rejoin = record(
        "aiokafka.consumer.group_coordinator",
        "Heartbeat failed: local member_id was not recognized",
        level=logging.WARNING,
    )
    assert outages.filter(rejoin)  # a client's other warnings pass outside an outage
    assert not outages.filter(refused())  # and a new outage is said again
    assert len(outage_lines(caplog)) == 3


def test_a_failure_after_the_broker_answered_keeps_the_outage_open(health, caplog):
    tracker, outages, clock = health
    caplog.set_level(logging.INFO, logger=OUTAGE_LOGGER)
    outages.filter(refused())
    clock.now += 2.0
    tracker.answered()
    clock.now += 0.5
    outages.filter(refused())  # a stale connection failing after the restart
    assert tracker.awaits_answer  # the answer before it no longer counts
    clock.now += SETTLE_S + 1
    tracker.settle()
    assert tracker.down
    tracker.answered()
    tracker.settle()
    assert [r.levelno for r in outage_lines(caplog)] == [logging.WARNING, logging.INFO]
    assert "answers again after 4.5 s" in outage_lines(caplog)[1].getMessage()


def test_the_last_bus_closing_ends_an_outage_without_a_line(health, caplog):
    tracker, outages, _clock = health
    caplog.set_level(logging.INFO, logger=OUTAGE_LOGGER)
    outages.filter(refused())
    tracker.unwatch(SERVERS)
    assert not tracker.down
    assert outages.filter(record("aiokafka", "a client's warning", level=logging.WARNING))
    assert len(outage_lines(caplog)) == 1


async def test_the_outage_warning_names_the_servers_and_never_the_password(quiet_caplog):
    port = free_port()  # nothing listens here
    security = KafkaSecurity(protocol="SASL_PLAINTEXT", username="nodeloom", password=CANARY)
    settings = KafkaSettings(
        bootstrap_servers=f"127.0.0.1:{port}", security=security, start_timeout_s=1.0
    )
    with quiet_caplog.at_level(logging.DEBUG), pytest.raises(BusUnavailable) as failed:
        await KafkaBus(settings).start()
    [went] = outage_lines(quiet_caplog)
    assert went.getMessage().startswith(f"Kafka broker at 127.0.0.1:{port} unreachable (")
    assert CANARY not in quiet_caplog.text and CANARY not in str(failed.value)


def _outage(broker: Broker, seconds: float = 3.0) -> None:
    """The broker killed, and started again on its port ``seconds`` later."""
    broker.stop()
    try:
        time.sleep(seconds)
    finally:
        broker.start()


async def _pump(subscription: Subscription[object], into: list[object]) -> None:
    async for message in subscription:
        into.append(message)


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_broker_restart_under_running_buses_is_one_warning_and_one_line_back(
    kafka_broker: Broker, kafka_settings: KafkaSettings, quiet_caplog: pytest.LogCaptureFixture
) -> None:
    """An API's and a worker's bus, every kind of reader open, the broker killed for 3 s."""
    quiet_caplog.set_level(logging.WARNING, logger="aiokafka")  # as the process holds it
    quiet_caplog.set_level(logging.INFO)  # last: it sets the handler's level too
    events: list[object] = []
    async with contextlib.AsyncExitStack() as stack:
        api = await stack.enter_async_context(KafkaBus(kafka_settings))
        worker_bus = await stack.enter_async_context(KafkaBus(kafka_settings))
        requests = await stack.enter_async_context(worker_bus.requests())
        readers = [
            (await stack.enter_async_context(api.follow_events()), events),
            (await stack.enter_async_context(worker_bus.recorded_events()), []),
            (await stack.enter_async_context(worker_bus.follow_control()), []),
        ]
        await split_between(requests)
        pumps = [asyncio.create_task(_pump(reader, into)) for reader, into in readers]
        stack.push_async_callback(_stop, pumps)
        await worker_bus.publish_event(event("before", 0))
        await until(lambda: len(events) == 1, "the event before the outage")

        since = len(quiet_caplog.records)
        await asyncio.to_thread(_outage, kafka_broker)
        await until(lambda: len(outage_lines(quiet_caplog)) >= 2, "the line saying it is back", 30)

        await api.publish_request(request("after"))
        assert [r.run_id for r in await take(requests, 1, within=20)] == ["after"]
        await worker_bus.publish_event(event("after", 0))
        await until(lambda: any(e.run_id == "after" for e in events), "the event after", 20)
    during = quiet_caplog.records[since:]
    print(f"{len(during)} lines from the outage on:")
    print("\n".join(f"  {r.levelname} {r.name}: {r.getMessage()}" for r in during))
    went, back = outage_lines(quiet_caplog)
    assert went.levelno == logging.WARNING and "unreachable" in went.getMessage()
    assert back.levelno == logging.INFO
    length = float(back.getMessage().split(" after ")[1].split(" s ")[0])
    assert 2.5 <= length <= 15, back.getMessage()
    assert not [r for r in during if r.name.startswith("aiokafka") and r.levelno >= logging.ERROR]
    assert not [r for r in during if getattr(r, RETRY_FLAG, False)]


@pytest.fixture
def worker_env(kafka_broker: Broker, postgres_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "NODELOOM_KAFKA_BOOTSTRAP_SERVERS": kafka_broker.bootstrap_servers,
        "NODELOOM_KAFKA_NAMESPACE": f"t{uuid.uuid4().hex[:10]}.",
        "NODELOOM_KAFKA_SESSION_TIMEOUT_MS": "1500",
        "NODELOOM_SECRET_KEY": "test-secret-key-shared-by-every-process-0123",
        "NODELOOM_DATABASE_URL": postgres_url,
        "NODELOOM_DATA_DIR": str(tmp_path / "data"),
        "NODELOOM_LOG_FORMAT": "json",
    }


@pytest.fixture
def started_worker(worker_env: dict[str, str], tmp_path: Path) -> Iterator[NodeloomProcess]:
    process = worker(worker_env, tmp_path)
    process.start()  # returns once READY_LINE is in its output
    try:
        yield process
    finally:
        process.stop()


@pytest.mark.postgres
def test_a_worker_logs_only_json_lines_and_one_each_way_for_an_outage(
    kafka_broker: Broker, started_worker: NodeloomProcess
) -> None:
    _outage(kafka_broker)
    deadline = time.monotonic() + 30
    while "answers again" not in started_worker.log_path.read_text():
        assert time.monotonic() < deadline, started_worker.tail()
        time.sleep(0.1)
    assert started_worker.stop() == 0, started_worker.tail()
    lines = started_worker.log_path.read_text().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    print(f"{len(entries)} lines in all")
    [ready] = [e for e in entries if READY_LINE in e["message"]]
    assert (ready["logger"], ready["level"]) == ("nodeloom.worker", "info")
    outage = [(e["level"], e["message"]) for e in entries if e["logger"] == OUTAGE_LOGGER]
    assert [level for level, _ in outage] == ["warning", "info"], outage
    assert "answers again after" in outage[1][1]
    from_client = [e for e in entries if e["logger"].startswith("aiokafka")]
    assert not [e for e in from_client if e["level"] == "error"], from_client
    assert not [e for e in entries if "waits for the broker" in e["message"]]
