"""What the fault-durability test drives and reads back.

- ``Replicas``: the API replicas and which of them answer; a run is started through one
  and watched through the other, or through the one left when the other is down.
- ``start_run``: a POST retried on whichever replica answers, while a fault lasts.
- ``watch``: one watcher following a run to its end over the WebSocket, reconnecting
  with ``?after=<last seq>`` (to the other replica when its own is gone); it keeps every
  frame as received, to be compared byte for byte with a replay.
- ``stored_runs`` and the checks: each returns one line per run that went wrong.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import websockets
from api_support import API
from run_support import TERMINAL
from services.nodeloom import NodeloomProcess
from sqlalchemy import select

from backend.db.models import RunEventRecord, RunRecord
from backend.db.session import create_engine

RETRY_PAUSE_S = 0.25
OPEN_TIMEOUT_S = 5.0
REPLAY_TIMEOUT_S = 10.0


class Replicas:
    def __init__(self, apis: Iterable[NodeloomProcess]) -> None:
        self.apis = {api.name: api for api in apis}
        # No keep-alive: a connection idling while its lane watches may be closed by the
        # server just as a request is sent on it.
        limits = httpx.Limits(max_keepalive_connections=0)
        self.clients = {
            name: httpx.AsyncClient(base_url=api.base_url, timeout=30, limits=limits)
            for name, api in self.apis.items()
        }

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    def up(self, preferred: str) -> NodeloomProcess:
        """``preferred`` if its process runs, else another that does (else ``preferred``)."""
        if self.apis[preferred].running:
            return self.apis[preferred]
        return next((a for a in self.apis.values() if a.running), self.apis[preferred])

    def other(self, name: str) -> str:
        return next(other for other in self.apis if other != name)


@dataclass
class Started:
    run_id: str | None
    """None: no replica accepted the run before the deadline."""
    replica: str
    attempts: list[str]
    """Each failed attempt before: ``replica: status or error``."""


async def start_run(
    replicas: Replicas, preferred: str, workflow_id: str, inputs: dict[str, str], deadline: float
) -> Started:
    """Start a run through ``preferred`` (or the other replica while it is down), trying
    again while the answer is an error (a broker or database outage) until the deadline.
    A POST whose answer was lost may have created a run all the same: the test
    finds such runs in the database."""
    attempts: list[str] = []
    while time.monotonic() < deadline:
        api = replicas.up(preferred)
        try:
            response = await replicas.clients[api.name].post(
                f"{API}/workflows/{workflow_id}/runs", json={"inputs": inputs}
            )
            if response.status_code == 202:
                return Started(response.json()["id"], api.name, attempts)
            attempts.append(f"{api.name}: {response.status_code} {response.text[:120]}")
        except httpx.HTTPError as error:
            attempts.append(f"{api.name}: {error!r}")
        preferred = replicas.other(api.name)
        await asyncio.sleep(RETRY_PAUSE_S)
    return Started(None, preferred, attempts)


@dataclass
class Watch:
    run_id: str
    frames: list[str] = field(default_factory=list)
    """Every text frame received, over every connection, in order."""
    connections: list[str] = field(default_factory=list)
    """One line per connection: where, from which seq, how it ended."""
    finished: bool = False
    """A terminal event arrived and the server closed normally."""
    late_s: float | None = None
    """How long after its deadline the end came (None: in time, or never)."""


async def watch(
    replicas: Replicas, run_id: str, preferred: str, deadline: float, late_s: float = 0.0
) -> Watch:
    """Follow ``run_id`` until it ends, reconnecting after the last seq received; past
    ``deadline`` it keeps waiting ``late_s`` more, so that a failure says whether the end
    came late or never."""
    seen = Watch(run_id)
    last_seq, terminal = -1, False
    while time.monotonic() < deadline + late_s:
        api, after = replicas.up(preferred), last_seq
        url = f"{api.ws_base}{API}/runs/{run_id}/events?after={after}"
        ending = "?"
        until = deadline if time.monotonic() < deadline else deadline + late_s
        try:
            async with asyncio.timeout(max(until - time.monotonic(), 0.1)):
                async with websockets.connect(url, open_timeout=OPEN_TIMEOUT_S) as socket:
                    try:
                        async for message in socket:
                            text = message if isinstance(message, str) else message.decode()
                            seen.frames.append(text)
                            event = json.loads(text)
                            last_seq = event["seq"]
                            terminal = terminal or event["type"] in TERMINAL
                    except websockets.ConnectionClosedError:
                        pass
                    ending = f"{socket.close_code} {socket.close_reason!r}"
                    if terminal and socket.close_code == 1000:
                        seen.finished = True
        except (OSError, TimeoutError, websockets.WebSocketException) as error:
            ending = repr(error)[:160]
        seen.connections.append(f"{api.name} after={after}, got to {last_seq}: {ending}")
        if seen.finished:
            if time.monotonic() > deadline:
                seen.late_s = time.monotonic() - deadline
            return seen
        await asyncio.sleep(RETRY_PAUSE_S)
    return seen


async def replay(replicas: Replicas, run_id: str, preferred: str) -> list[str]:
    """Every frame of a finished run's full replay (``?after=-1``)."""
    api = replicas.up(preferred)
    url = f"{api.ws_base}{API}/runs/{run_id}/events?after=-1"
    frames: list[str] = []
    async with asyncio.timeout(REPLAY_TIMEOUT_S), websockets.connect(url) as socket:
        try:
            async for message in socket:
                frames.append(message if isinstance(message, str) else message.decode())
        except websockets.ConnectionClosedError:
            frames.append(f"<closed {socket.close_code} {socket.close_reason!r}>")
    return frames


@dataclass
class StoredRun:
    id: str
    status: str
    error: dict[str, Any] | None
    last_seq: int
    created_at: datetime
    finished_at: datetime | None
    worker_id: str | None
    heartbeat_at: datetime | None
    events: list[tuple[int, str]] = field(default_factory=list)
    """Recorded ``(seq, type)`` in ``seq`` order."""

    @property
    def took_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.created_at).total_seconds()

    @property
    def why(self) -> str:
        if self.status == "succeeded" or not self.error:
            return self.status
        return f"{self.status} {self.error.get('type')}: {self.error.get('message', '')[:80]}"


async def stored_runs(database_url: str) -> dict[str, StoredRun]:
    engine = create_engine(database_url)
    runs_table = RunRecord.__table__
    events_table = RunEventRecord.__table__
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(
                    runs_table.c.id,
                    runs_table.c.status,
                    runs_table.c.error,
                    runs_table.c.last_seq,
                    runs_table.c.created_at,
                    runs_table.c.finished_at,
                    runs_table.c.worker_id,
                    runs_table.c.heartbeat_at,
                )
            )
            runs = {row.id: StoredRun(*row) for row in rows}
            events = await connection.execute(
                select(events_table.c.run_id, events_table.c.seq, events_table.c.type).order_by(
                    events_table.c.run_id, events_table.c.seq
                )
            )
            for row in events:
                runs[row.run_id].events.append((row.seq, row.type))
    finally:
        await engine.dispose()
    return runs


def check_ended(run: StoredRun, bound_s: float) -> list[str]:
    """Terminal, within the bound after it was created."""
    if run.status in ("queued", "running"):
        return [
            f"{run.id}: still {run.status}, recorded up to seq {run.last_seq}, on worker "
            f"{run.worker_id}, last heartbeat {run.heartbeat_at}"
        ]
    if run.took_s is None or run.took_s > bound_s:
        return [f"{run.id}: {run.status} after {run.took_s} s, beyond the bound of {bound_s} s"]
    return []


def check_gapless(run: StoredRun) -> list[str]:
    """``run_events`` holds seq 0..last_seq, the last of them the one terminal event."""
    seqs = [seq for seq, _ in run.events]
    problems = []
    if seqs != list(range(len(seqs))):
        missing = sorted(set(range(max(seqs, default=0) + 1)) - set(seqs))
        problems.append(f"recorded seqs miss {missing[:20]} of 0..{seqs[-1]}")
    if seqs and seqs[-1] != run.last_seq:
        problems.append(f"the run's last_seq is {run.last_seq}, its events go to {seqs[-1]}")
    terminal = [seq for seq, kind in run.events if kind in TERMINAL]
    if run.status not in ("queued", "running") and (len(terminal) != 1 or terminal[0] != seqs[-1]):
        problems.append(f"terminal events at seqs {terminal} of 0..{seqs[-1:]}")
    return [f"{run.id}: {problem}" for problem in problems]


def check_watched(seen: Watch, replayed: list[str], where: str) -> list[str]:
    """What the watcher received, all connections together, is the replay, frame for frame
    (and so byte for byte)."""
    if seen.frames == replayed and seen.late_s is not None:
        return [f"{where}: saw the end {seen.late_s:.1f} s after its deadline: {seen.connections}"]
    if seen.frames == replayed:
        return [] if seen.finished else [f"{where}: never saw the end: {seen.connections}"]
    index = next(
        (i for i, (a, b) in enumerate(zip(seen.frames, replayed, strict=False)) if a != b),
        min(len(seen.frames), len(replayed)),
    )
    return [
        f"{where}: differs from the replay at frame {index}: watched "
        f"{_seqs(seen.frames)} replay {_seqs(replayed)}; first difference "
        f"{seen.frames[index : index + 1]} vs {replayed[index : index + 1]}; "
        f"connections {seen.connections}"
    ]


def _seqs(frames: list[str]) -> str:
    seqs = []
    for frame in frames:
        try:
            seqs.append(str(json.loads(frame)["seq"]))
        except (ValueError, KeyError, TypeError):
            seqs.append(frame[:40])
    return ",".join(seqs)


@dataclass
class Carried:
    seqs: dict[str, dict[int, tuple[int, int]]] = field(default_factory=dict)
    """Each run's seqs on the event topic, with where the first copy lies (partition,
    offset)."""
    unread: list[str] = field(default_factory=list)
    """Partitions not read to their end within the time allowed: where it stopped."""
    committed: dict[int, int] = field(default_factory=dict)
    """The recorder group's committed offset per partition."""
    kinds: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    """The event types carried under each ``(run, seq)``."""
    conflicts: list[str] = field(default_factory=list)
    """``(run, seq)`` carried as two different events (two writers chose one seq)."""


async def read_carried(
    bootstrap_servers: str, topic: str, recorder_group: str, within_s: float
) -> Carried:
    """What the event topic holds, from its start to its end, and how far the recorder
    committed, read with librdkafka: a client of its own, so that what aiokafka (the
    bus's library) cannot read still counts."""
    return await asyncio.to_thread(
        _read_carried, bootstrap_servers, topic, recorder_group, within_s
    )


def _read_carried(
    bootstrap_servers: str, topic: str, recorder_group: str, within_s: float
) -> Carried:
    from confluent_kafka import OFFSET_BEGINNING, Consumer
    from confluent_kafka import TopicPartition as Partition

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap_servers,
            "group.id": f"fault-test-reader-{uuid.uuid4().hex[:8]}",  # never joined
            "enable.auto.commit": False,
        }
    )
    carried = Carried()
    try:
        numbers = sorted(consumer.list_topics(topic, timeout=10).topics[topic].partitions)
        carried.committed = _committed(bootstrap_servers, recorder_group, topic, numbers)
        ends = {
            n: consumer.get_watermark_offsets(Partition(topic, n), timeout=10)[1] for n in numbers
        }
        consumer.assign([Partition(topic, n, OFFSET_BEGINNING) for n in numbers])
        positions = dict.fromkeys(numbers, 0)
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                if all(positions[n] >= ends[n] for n in numbers):
                    break  # at the end, and nothing more came for a while
                continue
            if message.error() is not None:
                continue
            positions[message.partition()] = message.offset() + 1
            event = json.loads(message.value() or b"")
            place = (message.partition(), message.offset())
            first = carried.seqs.setdefault(event["run_id"], {}).setdefault(event["seq"], place)
            kinds = carried.kinds.setdefault((event["run_id"], event["seq"]), [])
            if event["type"] not in kinds:
                kinds.append(event["type"])
                if len(kinds) > 1:
                    carried.conflicts.append(
                        f"{event['run_id']}: seq {event['seq']} carried as {kinds} "
                        f"(at {first[0]}:{first[1]} and {place[0]}:{place[1]})"
                    )
        carried.unread = [
            f"partition {n}: at {positions[n]} of {ends[n]}"
            for n in numbers
            if positions[n] < ends[n]
        ]
    finally:
        consumer.close()
    return carried


def _committed(
    bootstrap_servers: str, group: str, topic: str, numbers: list[int]
) -> dict[int, int]:
    from confluent_kafka import Consumer
    from confluent_kafka import TopicPartition as Partition

    consumer = Consumer({"bootstrap.servers": bootstrap_servers, "group.id": group})
    try:  # asks the group's offsets without joining it
        found = consumer.committed([Partition(topic, n) for n in numbers], timeout=10)
    finally:
        consumer.close()
    return {p.partition: p.offset for p in found}


def check_carried(run: StoredRun, carried: Carried) -> list[str]:
    """Every event the bus carried for a finished run is in ``run_events``. One missing
    behind the recorder's committed offset was acknowledged unwritten: lost. One ahead of
    it was not read yet: the recorder lags (or stalls)."""
    on_bus = carried.seqs.get(run.id, {})
    missing = sorted(set(on_bus) - {seq for seq, _ in run.events})
    if not missing:
        return []
    lost = [s for s in missing if carried.committed.get(on_bus[s][0], -1) > on_bus[s][1]]
    places = [f"{s}@{on_bus[s][0]}:{on_bus[s][1]}" for s in missing]
    return [
        f"{run.id}: seq@partition:offset {places} on the bus, not in run_events (recorded "
        f"{[seq for seq, _ in run.events]}); {len(lost)} of them behind the recorder's "
        f"committed offset {sorted(carried.committed.items())}: "
        + ("LOST" if lost else "not read yet")
    ]


def figures(runs: Iterable[StoredRun]) -> str:
    """How many runs, how they ended and why, and how long they took."""
    runs = list(runs)
    outcomes = Counter(run.why for run in runs)
    took = sorted(t for run in runs if (t := run.took_s) is not None)
    durations = (
        f"created→finished p50 {statistics.median(took):.1f} s, "
        f"p95 {took[int(len(took) * 0.95) - 1 if len(took) > 1 else 0]:.1f} s, "
        f"max {took[-1]:.1f} s"
        if took
        else "none finished"
    )
    ends = "; ".join(f"{n} × {why}" for why, n in outcomes.most_common())
    return f"{len(runs)} runs: {ends}; {durations}"
