"""What the scale-out test reads back and checks: each run as PostgreSQL stored it, every
event as the bus carried it, and each watcher's stream — and the checks over them, each
returning the problems it found (one line per misbehaving run) rather than stopping at
the first, so a failure names every run that went wrong.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord, TopicPartition
from run_support import TERMINAL, SocketResult
from services.nodeloom import NodeloomProcess
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.models import RunEventRecord, RunRecord, utcnow
from backend.db.session import create_engine
from backend.db.stale_runs import WORKER_LOST

READ_TOPIC_TIMEOUT_S = 60.0


@contextlib.asynccontextmanager
async def running(processes: Sequence[NodeloomProcess]) -> AsyncIterator[None]:
    """Start ``processes`` side by side (each waits until ready); stop them all after."""
    try:
        await asyncio.gather(*(asyncio.to_thread(p.start) for p in processes))
        yield
    finally:
        for process in processes:
            process.stop(timeout=15)


def worker_pid(worker_id: str | None) -> int | None:
    """The process id inside a worker id (``host-pid-random``, see ``new_worker_id``)."""
    if worker_id is None:
        return None
    return int(worker_id.rsplit("-", 2)[1])


@dataclass
class RunTrace:
    """One run as the test drove it: where it was started and watched, what was seen."""

    index: int
    run_id: str
    started_on: str
    watched_on: str
    after_kill: bool
    socket: SocketResult | None = None
    watch_error: str | None = None


@dataclass
class StoredRun:
    id: str
    status: str
    worker_id: str | None
    error: dict[str, Any] | None
    last_seq: int
    events: list[tuple[int, str, str | None]] = field(default_factory=list)
    """Recorded ``(seq, type, node_id)`` in ``seq`` order."""


async def stored_runs(database_url: str) -> dict[str, StoredRun]:
    """Every run of the database with its recorded events."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            runs = {
                row.id: StoredRun(row.id, row.status, row.worker_id, row.error, row.last_seq)
                for row in await connection.execute(
                    select(
                        RunRecord.id,
                        RunRecord.status,
                        RunRecord.worker_id,
                        RunRecord.error,
                        RunRecord.last_seq,
                    )
                )
            }
            events = await connection.execute(
                select(
                    RunEventRecord.run_id,
                    RunEventRecord.seq,
                    RunEventRecord.type,
                    RunEventRecord.node_id,
                ).order_by(RunEventRecord.run_id, RunEventRecord.seq)
            )
            for row in events:
                runs[row.run_id].events.append((row.seq, row.type, row.node_id))
    finally:
        await engine.dispose()
    return runs


async def until_running_on(database_url: str, pid: int, count: int, deadline_s: float) -> int:
    """Wait until the worker with process id ``pid`` runs at least ``count`` runs; returns
    how many it runs then."""
    engine = create_engine(database_url)
    running_here = (
        select(func.count())
        .select_from(RunRecord)
        .where(RunRecord.status == "running", RunRecord.worker_id.like(f"%-{pid}-%"))
    )
    try:
        async with asyncio.timeout(deadline_s):
            while True:
                async with engine.connect() as connection:
                    found = await connection.scalar(running_here) or 0
                if found >= count:
                    return found
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(
            f"worker pid {pid} never ran {count} runs at once within {deadline_s} s"
        ) from None
    finally:
        await engine.dispose()


@dataclass
class TopicContents:
    records: list[ConsumerRecord[bytes, bytes]]
    committed: dict[int, int | None]
    """The group's committed offset per partition (empty when no group was named)."""


async def read_topic(bootstrap_servers: str, topic: str, group: str | None = None) -> TopicContents:
    """Every message on ``topic``, from its start to its current end, duplicates included
    (a plain consumer: the bus's own readers are what is under test), and how far
    ``group`` committed (read without joining it)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=group,
        enable_auto_commit=False,
        fetch_max_wait_ms=5,
    )
    await consumer.start()
    try:
        await consumer.topics()  # fresh metadata
        numbers = consumer.partitions_for_topic(topic) or ()
        partitions = [TopicPartition(topic, n) for n in sorted(numbers)]
        assert partitions, f"topic {topic} does not exist"
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord[bytes, bytes]] = []
        async with asyncio.timeout(READ_TOPIC_TIMEOUT_S):
            while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
                batch = await consumer.getmany(timeout_ms=200)
                for part in batch.values():
                    records.extend(part)
            committed = {tp.partition: await consumer.committed(tp) for tp in partitions if group}
        return TopicContents(records, committed)
    finally:
        await consumer.stop()


def request_places(requests: TopicContents, run_ids: Iterable[str]) -> list[str]:
    """Where each run's request lies and how far the workers' group committed there: a
    commit past a request whose run is still queued means it was acknowledged unclaimed."""
    places = defaultdict(list)
    for record in requests.records:
        places[json.loads(record.value or b"")["run_id"]].append(record)
    lines = []
    for run_id in run_ids:
        for record in places.get(run_id, []) or [None]:
            if record is None:
                lines.append(f"{run_id}: no request on the bus")
                continue
            committed = requests.committed.get(record.partition)
            verdict = (
                "past it (acknowledged, never claimed)"
                if committed is not None and committed > record.offset
                else "not past it"
            )
            lines.append(
                f"{run_id}: request at partition {record.partition} offset {record.offset}; "
                f"the workers committed {committed}: {verdict}"
            )
    return lines


def check_outcome(run: StoredRun, killed_pid: int) -> list[str]:
    """A run ends succeeded; one the killed worker had claimed may instead end failed
    with the reaper's reason."""
    pid = worker_pid(run.worker_id)
    if run.status == "succeeded":
        return []
    if pid != killed_pid:
        return [f"{run.id}: {run.status} on worker pid {pid}, not the killed one: {run.error}"]
    error = run.error or {}
    if (
        run.status != "failed"
        or error.get("type") != WORKER_LOST
        or error.get("code") != "worker_lost"
        or "stopped responding" not in error.get("message", "")
    ):
        return [f"{run.id}: {run.status} on the killed worker, not as a lost run: {error}"]
    return []


def check_recorded(run: StoredRun, node_ids: Iterable[str], tokens: int) -> list[str]:
    """The recorded events tell of one execution: gap-free, one start, one end (last),
    and for a run that succeeded every node started and succeeded once."""
    problems = []
    seqs = [seq for seq, _, _ in run.events]
    if seqs != list(range(run.last_seq + 1)):
        problems.append(f"recorded seqs {seqs} are not 0..{run.last_seq}")
    types = Counter(kind for _, kind, _ in run.events)
    if types["run.started"] > 1 or (run.status == "succeeded" and types["run.started"] != 1):
        problems.append(f"{types['run.started']} × run.started")
    terminal = [kind for _, kind, _ in run.events if kind in TERMINAL]
    if len(terminal) != 1 or not run.events or run.events[-1][1] not in TERMINAL:
        problems.append(f"terminal events {terminal}, last {run.events[-1:]}")
    started = Counter(node for _, kind, node in run.events if kind == "node.started")
    if any(count > 1 for count in started.values()):
        problems.append(f"a node started twice: {dict(started)}")
    if run.status == "succeeded":
        succeeded = Counter(node for _, kind, node in run.events if kind == "node.succeeded")
        every_node = dict.fromkeys(node_ids, 1)
        if started != every_node or succeeded != every_node:
            problems.append(f"nodes started {dict(started)}, succeeded {dict(succeeded)}")
        if types["node.token"] != tokens:
            problems.append(f"{types['node.token']} tokens, not {tokens}")
    return [f"{run.id}: {problem}" for problem in problems]


def check_published(runs: dict[str, StoredRun], published: TopicContents) -> list[str]:
    """What the bus carried: never two different events under one ``(run, seq)`` (a run
    executed twice, or a reaper racing a live worker); exactly the recorded seqs."""
    versions: dict[str, dict[int, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for event in (json.loads(record.value or b"") for record in published.records):
        same = versions[event["run_id"]][event["seq"]]
        if event not in same:
            same.append(event)
    problems = []
    for run_id, by_seq in versions.items():
        for seq, events in sorted(by_seq.items()):
            if len(events) > 1:
                kinds = [(e["type"], e["ts"]) for e in events]
                problems.append(f"{run_id}: seq {seq} published as {len(events)} events {kinds}")
    for run in runs.values():
        recorded = [seq for seq, _, _ in run.events]
        if sorted(versions.get(run.id, {})) != recorded:
            on_bus = sorted(versions.get(run.id, {}))
            problems.append(f"{run.id}: the bus carried seqs {on_bus}, recorded {recorded}")
    return problems


def check_watched(trace: RunTrace, run: StoredRun) -> list[str]:
    """The watcher got the whole stream: every recorded event once, in order, ending with
    the one terminal event, then a normal close."""
    where = (
        f"{trace.run_id} (#{trace.index}, started on {trace.started_on}"
        f"{' after the kill' if trace.after_kill else ''}, watched on {trace.watched_on})"
    )
    if trace.socket is None:
        return [f"{where}: no stream: {trace.watch_error}"]
    seen = [(event["seq"], event["type"]) for event in trace.socket.events]
    recorded = [(seq, kind) for seq, kind, _ in run.events]
    problems = []
    if seen != recorded:
        problems.append(f"saw {_brief(seen)}, recorded {_brief(recorded)}")
    if trace.socket.close_code != 1000:
        problems.append(f"closed with {trace.socket.close_code} {trace.socket.close_reason!r}")
    return [f"{where}: {problem}" for problem in problems]


def _brief(pairs: list[tuple[int, str]]) -> str:
    return ", ".join(f"{seq}:{kind.split('.')[-1]}" for seq, kind in pairs)


async def hold_as_running(
    sessions: async_sessionmaker[AsyncSession], run_id: str, silent_s: float, worker_id: str
) -> None:
    """Make ``run_id`` a run that ``worker_id`` holds, last heard of ``silent_s`` ago."""
    async with sessions() as session:
        await session.execute(
            update(RunRecord)
            .where(RunRecord.id == run_id)
            .values(
                status="running",
                worker_id=worker_id,
                started_at=utcnow(),
                heartbeat_at=utcnow() - timedelta(seconds=silent_s),
            )
        )
        await session.commit()
