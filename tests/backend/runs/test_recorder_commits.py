"""The recorder commits Kafka offsets only after the events are written (see ``recorder``).

On the real broker and both databases: a recorder killed while its database is down
leaves its batch to the next one; a write the database refuses for a while is retried; a
batch with one event the database refuses loses that event alone, and the group moves on;
a reader failing in a way nobody foresaw does not stop the recorder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition
from kafka_support import new_namespace, quick_kafka_settings
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.bus import RECORDER_GROUP, KafkaBus, Subscription
from backend.bus.messages import EVENTS
from backend.db import event_store, run_store
from backend.db import workflow_store as store
from backend.db.session import create_engine, create_session_factory
from backend.runs.recorder import Recorder
from graph_engine.document import WorkflowDocument
from graph_engine.events import NodeToken, NodeTokenData, RunEvent, now

Sessions = async_sessionmaker[AsyncSession]
DEADLINE_S = 30.0
EVENTS_PUBLISHED = 6

# A trigger refusing the events whose seq is in ``recorder_fault``, with an error whose
# kind the test picks: a bad event (any error the database has for bad data) or a
# database that cannot write for now (PostgreSQL's read-only transaction, 25006).
_FAULT_TABLE = "CREATE TABLE recorder_fault (seq INTEGER PRIMARY KEY)"
_POSTGRESQL_TRIGGER = [
    """CREATE FUNCTION refuse_event() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM recorder_fault WHERE seq = NEW.seq) THEN
            RAISE EXCEPTION USING ERRCODE = '{code}', MESSAGE = 'event ' || NEW.seq || ' refused';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER refuse BEFORE INSERT ON run_events
    FOR EACH ROW EXECUTE FUNCTION refuse_event()""",
]
_SQLITE_TRIGGER = [
    """CREATE TRIGGER refuse BEFORE INSERT ON run_events
    WHEN EXISTS (SELECT 1 FROM recorder_fault WHERE seq = NEW.seq)
    BEGIN SELECT RAISE(ABORT, 'event refused'); END""",
]
BAD_DATA = "22023"  # invalid_parameter_value
READ_ONLY = "25006"  # read_only_sql_transaction


async def _install_fault(sessions: Sessions, code: str, seqs: list[int]) -> None:
    async with sessions() as session:
        dialect = (await session.connection()).dialect.name
        trigger = _SQLITE_TRIGGER if dialect == "sqlite" else _POSTGRESQL_TRIGGER
        for statement in [_FAULT_TABLE, *trigger]:
            await session.execute(text(statement.replace("{code}", code)))
        for seq in seqs:
            await session.execute(text("INSERT INTO recorder_fault VALUES (:seq)"), {"seq": seq})
        await session.commit()


async def _clear_fault(sessions: Sessions) -> None:
    async with sessions() as session:
        await session.execute(text("DELETE FROM recorder_fault"))
        await session.commit()


async def _queued_run(sessions: Sessions) -> str:
    document = WorkflowDocument.model_validate({"name": "Recorded"})
    async with sessions() as session:
        workflow = await store.create_workflow(session, document, message=None)
        queued = run_store.new_queued_run(workflow.id, 1, {"text": "go"})
        await run_store.insert_queued(session, [queued])
    return queued[0]["id"]


async def _recorded_seqs(sessions: Sessions, run_id: str) -> list[int]:
    rows = await event_store.read_events(sessions.kw["bind"], run_id, after=-1, limit=1000)
    return [row.seq for row in rows]


class Deployment:
    """One Kafka bus on a namespace of its own, publishing the events of one run."""

    def __init__(self, bus: KafkaBus) -> None:
        self.bus = bus
        self.run_id = ""
        self.topic = bus.topic(EVENTS)
        self.group = bus.group(RECORDER_GROUP)

    async def publish(self, count: int = EVENTS_PUBLISHED) -> None:
        """Publish seqs up to ``count`` (idempotent: the recorder writes each once)."""
        for seq in range(1, count + 1):
            data = NodeTokenData(text=f"token {seq}")
            event = NodeToken(run_id=self.run_id, node_id="llm", seq=seq, ts=now(), data=data)
            await self.bus.publish_event(event)

    async def committed(self) -> int:
        """The group's committed offsets, summed over the topic's partitions."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bus.settings.bootstrap_servers, group_id=self.group
        )
        await consumer.start()  # asks the group's offsets without joining it
        try:
            offsets = [await consumer.committed(tp) for tp in await self._partitions(consumer)]
        finally:
            await consumer.stop()
        return sum(offset or 0 for offset in offsets)

    async def end(self) -> int:
        """The topic's end offsets, summed: the offsets a group that handled all commits."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bus.settings.bootstrap_servers)
        await consumer.start()
        try:
            ends = await consumer.end_offsets(await self._partitions(consumer))
        finally:
            await consumer.stop()
        return sum(ends.values())

    async def _partitions(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        await consumer.topics()  # fetches the metadata
        partitions = consumer.partitions_for_topic(self.topic) or set()
        return [TopicPartition(self.topic, p) for p in sorted(partitions)]


@pytest.fixture
async def deployment(runs_broker) -> AsyncIterator[Deployment]:
    settings = quick_kafka_settings(runs_broker.bootstrap_servers, new_namespace())
    async with KafkaBus(settings) as bus:
        yield Deployment(bus)


@contextlib.asynccontextmanager
async def _recording(recorder: Recorder) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(recorder.run())
    try:
        yield task
    finally:
        task.cancel()  # as a SIGKILL would, mid-write if it was writing
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _until(condition: Callable[[], object], what: str) -> None:
    try:
        async with asyncio.timeout(DEADLINE_S):
            while not (await result if asyncio.iscoroutine(result := condition()) else result):  # noqa: ASYNC110 - polls a database and a broker
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"not within {DEADLINE_S:g} s: {what}") from None


def _unreachable_database(database_url: str, tmp_path: Path) -> str:
    """The same kind of database, down: nothing listens on its port, or its file cannot be
    opened (the path is a directory)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        url = url.set(database=str(tmp_path))
    else:
        url = url.set(host="127.0.0.1", port=9)
    return url.render_as_string(hide_password=False)


async def test_a_recorder_killed_while_it_cannot_write_leaves_the_batch_to_the_next(
    deployment: Deployment,
    sessions: Sessions,
    database_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="backend.runs.recorder")
    deployment.run_id = await _queued_run(sessions)
    await deployment.publish()
    down = create_engine(_unreachable_database(database_url, tmp_path))
    try:
        async with _recording(Recorder(deployment.bus, create_session_factory(down))):
            await _until(lambda: "writing run events failed, retrying" in caplog.text, "a try")
            await asyncio.sleep(1.0)  # retrying, and not committing meanwhile
    finally:
        await down.dispose()

    assert await deployment.committed() == 0, "offsets committed for events never written"
    recorder = Recorder(deployment.bus, sessions)
    async with _recording(recorder):
        await _until(lambda: recorder.recorded == EVENTS_PUBLISHED, "all recorded")
        await _until(lambda: _committed_all(deployment), "the group commits once they are written")
    assert await _recorded_seqs(sessions, deployment.run_id) == [0, 1, 2, 3, 4, 5, 6]


async def _committed_all(deployment: Deployment) -> bool:
    return await deployment.committed() == await deployment.end()


async def test_one_event_the_database_refuses_is_dropped_alone_and_logged(
    deployment: Deployment, sessions: Sessions, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="backend.runs.recorder")
    deployment.run_id = await _queued_run(sessions)
    await _install_fault(sessions, BAD_DATA, seqs=[3])
    await deployment.publish()  # before the recorder starts: they come in one batch

    async with _recording(Recorder(deployment.bus, sessions)):
        await _until(lambda: _committed_all(deployment), "a poison event does not block the group")

    assert await _recorded_seqs(sessions, deployment.run_id) == [0, 1, 2, 4, 5, 6]
    dropped = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert len(dropped) == 1 and f"{deployment.run_id}#3" in dropped[0], dropped


async def test_a_database_refusing_every_write_for_a_while_loses_nothing(
    deployment: Deployment, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL in read-only mode (a failover under way) refuses every write for a time:
    that is the database's state, not the events' fault."""
    caplog.set_level(logging.WARNING, logger="backend.runs.recorder")
    engine = create_engine(postgres_url)
    sessions = create_session_factory(engine)
    try:
        deployment.run_id = run_id = await _queued_run(sessions)
        await _install_fault(sessions, READ_ONLY, seqs=list(range(1, EVENTS_PUBLISHED + 1)))
        await deployment.publish()
        recorder = Recorder(deployment.bus, sessions)
        async with _recording(recorder):
            await _until(lambda: caplog.text.count("refused") >= 3, "three refused writes")
            await _clear_fault(sessions)
            await _until(lambda: _committed_all(deployment), "the group commits once written")
        assert await _recorded_seqs(sessions, run_id) == [0, 1, 2, 3, 4, 5, 6]
        assert "dropped" not in caplog.text
    finally:
        await engine.dispose()


class _ReaderFailingOnce:
    """The bus's recorded events, whose reading fails once after the first batch came."""

    def __init__(self, bus: KafkaBus) -> None:
        self.bus = bus
        self.failed = False

    def recorded_events(self) -> Subscription[RunEvent]:
        events = self.bus.recorded_events()
        if self.failed:
            return events
        self.failed = True
        return _FailsAfterFirst(events)


class _FailsAfterFirst:
    def __init__(self, events: Subscription[RunEvent]) -> None:
        self.events = events
        self.batches = 0

    async def __aenter__(self) -> _FailsAfterFirst:
        await self.events.__aenter__()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.events.__aexit__(*exc_info)  # type: ignore[arg-type]

    async def next_batch(self, limit: int) -> list[RunEvent]:
        self.batches += 1
        if self.batches == 2:  # the first batch was stored: a commit is due now
            raise RuntimeError("an unforeseen failure of the reader")
        return await self.events.next_batch(limit)


async def test_a_recorder_whose_reader_fails_unexpectedly_goes_on(
    deployment: Deployment, sessions: Sessions, caplog: pytest.LogCaptureFixture
) -> None:
    deployment.run_id = await _queued_run(sessions)
    await deployment.publish()
    recorder = Recorder(_ReaderFailingOnce(deployment.bus), sessions)  # type: ignore[arg-type]
    async with _recording(recorder) as task:
        await _until(lambda: "the recorder failed" in caplog.text, "the failure")
        await deployment.publish(EVENTS_PUBLISHED + 3)  # seqs 7..9 come after it
        await _until(lambda: _committed_all(deployment), "the recorder records and commits again")
        assert not task.done()
    assert await _recorded_seqs(sessions, deployment.run_id) == list(range(10))
