"""Recorded run events: the recorder's write, and reading them back.

``record_events`` stores events with ``INSERT … ON CONFLICT DO NOTHING`` into
``run_events`` (so a redelivered event is stored once) and folds each run's summary
forward (see ``backend.runs.summary``); a summary is written only while its run is not
finished, so a reaper or a cancel that ended the run meanwhile wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Text, bindparam, cast, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from backend.db.bulk import BulkStatement
from backend.db.models import RunEventRecord, RunRecord
from backend.db.prebuilt_reads import PrebuiltRead
from backend.db.recorded_signal import note_recorded
from backend.runs.summary import FINISHED, RunStatus, RunSummary
from graph_engine.events import RunEvent

_RUNS = RunRecord.__table__
_EVENTS = RunEventRecord.__table__


def _event_row(event: RunEvent) -> dict[str, Any]:
    return {
        "run_id": event.run_id,
        "seq": event.seq,
        "type": event.type,
        "node_id": getattr(event, "node_id", None),
        "ts": event.ts,
        "payload": event.model_dump_json(),  # JSON text: pydantic encodes it fastest
    }


# Every WebSocket replays with this, and reads with it what its hub did not bring: read
# outside any session (``prebuilt_reads``). The payload comes back as the text stored, which
# is the text a live watcher was sent (``backend.ws.stream``).
_READ_EVENTS = PrebuiltRead(
    select(_EVENTS.c.seq, _EVENTS.c.type, cast(_EVENTS.c.payload, Text).label("text"))
    .where(_EVENTS.c.run_id == bindparam("run_id"), _EVENTS.c.seq > bindparam("after"))
    .order_by(_EVENTS.c.seq)
    .limit(bindparam("limit"))
)


async def read_events(engine: AsyncEngine, run_id: str, *, after: int, limit: int) -> list[Any]:
    """``seq``, ``type`` and ``text`` (the event's JSON, as stored) of the events of
    ``run_id`` with ``seq > after``, in ``seq`` order, read on the reader pool (a caller
    holding a session may read here; it gets the last commit)."""
    return await _READ_EVENTS.all(engine, {"run_id": run_id, "after": after, "limit": limit})


async def record_events(session: AsyncSession, events: Sequence[RunEvent]) -> list[RunEvent]:
    """Store ``events`` once each and fold them into their runs' summaries.

    Returns the events that were ignored because their run does not exist.
    """
    connection = await session.connection()
    run_ids = sorted({event.run_id for event in events})
    runs = {row.id: row for row in await connection.execute(_SUMMARIES_READ, {"ids": run_ids})}
    known = [event for event in events if event.run_id in runs]
    await insert_events(session, known)
    by_run: dict[str, list[RunEvent]] = {}
    for event in known:
        by_run.setdefault(event.run_id, []).append(event)
    summaries = []
    for run_id, record in runs.items():
        summary = _summary_of(record)
        changed = False
        for event in sorted(by_run.get(run_id, ()), key=lambda e: e.seq):
            changed = summary.apply(event) or changed
        if changed:
            summaries.append(_summary_row(run_id, summary))
    await _SUMMARY_UPDATE.execute(connection, summaries)
    await session.commit()
    return [event for event in events if event.run_id not in runs]


async def insert_events(session: AsyncSession, events: Sequence[RunEvent]) -> None:
    if not events:
        return
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for event in events:  # the first copy of a seq is the one kept, here as in the table
        rows.setdefault((event.run_id, event.seq), _event_row(event))
    connection = await session.connection()
    await _INSERT_EVENTS[connection.dialect.name].execute(connection, list(rows.values()))
    await note_recorded(session, events)


def _summary_of(record: Row[Any]) -> RunSummary:
    return RunSummary(
        status=RunStatus(record.status),
        nodes={key: dict(value) for key, value in (record.nodes or {}).items()},
        last_seq=record.last_seq,
        outputs=record.outputs,
        error=record.error,
        error_node_id=record.error_node_id,
        input_tokens=record.input_tokens,
        output_tokens=record.output_tokens,
        duration_ms=record.duration_ms,
        started_at=record.started_at,
        finished_at=record.finished_at,
    )


_SUMMARY_COLUMNS = (
    "status",
    "nodes",
    "last_seq",
    "outputs",
    "error",
    "error_node_id",
    "input_tokens",
    "output_tokens",
    "duration_ms",
    "started_at",
    "finished_at",
)


def _summary_row(run_id: str, summary: RunSummary) -> dict[str, Any]:
    row = {f"s_{name}": getattr(summary, name) for name in _SUMMARY_COLUMNS}
    for name in _SUMMARY_DOCUMENTS:
        row[f"s_{name}"] = _without_nul(row[f"s_{name}"])
    row["s_status"] = summary.status.value
    row["b_id"] = run_id
    return row


_SUMMARY_DOCUMENTS = ("nodes", "outputs", "error")
_NUL, _REPLACEMENT = "\x00", "\ufffd"


def _without_nul(value: Any) -> Any:
    """``value`` with U+0000 replaced in every string: PostgreSQL's ``jsonb`` refuses it,
    and a model may well emit one. The summary is a preview; the event keeps the original."""
    if isinstance(value, str):
        return value.replace(_NUL, _REPLACEMENT) if _NUL in value else value
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


# The recorder runs these for every batch: built once, as Core statements on the tables
# (building and cache-keying them anew cost more than executing them).
_SUMMARIES_READ = select(_RUNS.c.id, *(_RUNS.c[name] for name in _SUMMARY_COLUMNS)).where(
    _RUNS.c.id.in_(bindparam("ids", expanding=True))
)
# The two written for every batch go below SQLAlchemy's per-row work (``backend.db.bulk``);
# an event's payload comes as JSON text.
_INSERT_EVENTS = {
    dialect: BulkStatement(insert(_EVENTS).on_conflict_do_nothing(), encoded=["payload"])
    for dialect, insert in (("postgresql", postgresql_insert), ("sqlite", sqlite_insert))
}
# Every changed summary in one statement (executed for each row), conditional on the
# status read: a reaper or a cancel that finished the run meanwhile wins, and this
# summary (now stale) is dropped. No IN for the finished statuses: executemany.
_SUMMARY_UPDATE = BulkStatement(
    update(_RUNS)
    .where(
        _RUNS.c.id == bindparam("b_id"),
        *(_RUNS.c.status != status.value for status in sorted(FINISHED)),
    )
    .values({name: bindparam(f"s_{name}", type_=_RUNS.c[name].type) for name in _SUMMARY_COLUMNS})
)
