"""Recording run events: once each, payloads and times as published, summaries folded, and
the bulk statements the recorder writes them with (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, select, update

from backend.db import event_store, run_store
from backend.db import workflow_store as store
from backend.db.bulk import BulkStatement
from backend.db.models import RunRecord
from graph_engine.document import WorkflowDocument
from graph_engine.events import (
    ErrorInfo,
    NodeStarted,
    NodeStartedData,
    NodeSucceeded,
    NodeSucceededData,
    RunFailed,
    RunFailedData,
    RunStarted,
    RunStartedData,
)

_RUNS = RunRecord.__table__
BEGAN = datetime(2026, 11, 27, 12, 0, 0, 123456, tzinfo=UTC)


async def _queued_run(sessions) -> str:
    document = WorkflowDocument.model_validate({"name": "Recorded"})
    async with sessions() as session:
        workflow = await store.create_workflow(session, document, message=None)
        queued = run_store.new_queued_run(workflow.id, 1, {"text": "go"})
        await run_store.insert_queued(session, [queued])
    return queued[0]["id"]


def _first_node(run_id: str) -> list:
    outputs = {"prompt": "Grüße, ☃ — 0.1 + 0.2", "score": 0.30000000000000004, "none": None}
    return [
        RunStarted(run_id=run_id, seq=1, ts=BEGAN, data=RunStartedData(node_ids=["a", "b"])),
        NodeStarted(
            run_id=run_id,
            node_id="a",
            seq=2,
            ts=BEGAN + timedelta(milliseconds=1),
            data=NodeStartedData(node_type="prompt.template"),
        ),
        NodeSucceeded(
            run_id=run_id,
            node_id="a",
            seq=3,
            ts=BEGAN + timedelta(milliseconds=5),
            data=NodeSucceededData(duration_ms=4.0, outputs=outputs),
        ),
    ]


async def test_events_are_stored_once_as_published_and_fold_into_the_summary(sessions):
    run_id = await _queued_run(sessions)
    events = _first_node(run_id)

    for _delivery in range(2):  # a redelivered batch changes nothing
        async with sessions() as session:
            assert await event_store.record_events(session, events) == []
    stored = await event_store.read_events(sessions.kw["bind"], run_id, after=0, limit=100)
    async with sessions() as session:
        run = await run_store.get_run(session, run_id)

    assert [row.text for row in stored] == [e.model_dump_json() for e in events]  # as sent
    assert [row.seq for row in stored] == [1, 2, 3]
    page = await event_store.read_events(sessions.kw["bind"], run_id, after=1, limit=1)
    assert [(row.seq, row.type) for row in page] == [(2, events[1].type)]
    assert (run.status, run.last_seq, run.started_at) == ("running", 3, BEGAN)
    assert run.nodes == {
        "a": {
            "status": "succeeded",
            "started_at": "2026-11-27T12:00:00.124456Z",
            "attempt": 1,
            "finished_at": "2026-11-27T12:00:00.128456Z",
            "duration_ms": 4.0,
            "preview": events[2].data.outputs,
            "truncated": False,
        },
        "b": {"status": "queued"},
    }


async def test_events_of_an_unknown_run_are_returned_not_stored(sessions):
    run_id = await _queued_run(sessions)
    known, unknown = _first_node(run_id)[0], _first_node("0" * 32)[0]

    async with sessions() as session:
        ignored = await event_store.record_events(session, [known, unknown])
    stored = await event_store.read_events(sessions.kw["bind"], "0" * 32, after=-1, limit=10)

    assert ignored == [unknown] and stored == []


async def test_a_bulk_statement_keeps_the_statements_own_literals(sessions):
    """The summary update's ``status != 'failed'`` guards are literals of the statement: rows
    of a run that finished meanwhile must not be written."""
    going, failed = await _queued_run(sessions), await _queued_run(sessions)
    async with sessions() as session:
        await run_store.fail_queued(session, failed, "Stopped before it started.")
    guarded = BulkStatement(
        update(_RUNS)
        .where(_RUNS.c.id == bindparam("b_id"), _RUNS.c.status != "failed")
        .values(last_seq=bindparam("s_last_seq"), finished_at=bindparam("s_finished_at"))
    )

    async with sessions() as session:
        connection = await session.connection()
        rows = [
            {"b_id": run_id, "s_last_seq": 7, "s_finished_at": BEGAN} for run_id in (going, failed)
        ]
        await guarded.execute(connection, rows)
        await session.commit()
        written = await session.execute(
            select(_RUNS.c.id, _RUNS.c.last_seq, _RUNS.c.finished_at).where(
                _RUNS.c.id.in_([going, failed])
            )
        )
        by_id = {row.id: (row.last_seq, row.finished_at) for row in written}

    assert by_id[going] == (7, BEGAN)  # through the column's own processor, aware as written
    assert by_id[failed][0] == 1


async def test_a_failed_run_is_recorded_with_its_error_and_interrupted_nodes(sessions):
    run_id = await _queued_run(sessions)
    started, node_started, _ = _first_node(run_id)
    error = ErrorInfo(type="WorkerShutdown", code="worker_shutdown", message="Shut down.")
    failed = RunFailed(
        run_id=run_id,
        seq=3,
        ts=BEGAN + timedelta(seconds=5),
        data=RunFailedData(error=error, interrupted=["a"], duration_ms=5000.0),
    )

    async with sessions() as session:
        await event_store.record_events(session, [started, node_started])
    async with sessions() as session:
        await event_store.record_events(session, [failed])
        run = await run_store.get_run(session, run_id)

    assert (run.status, run.error, run.error_node_id) == ("failed", error.model_dump(), None)
    assert (run.finished_at, run.duration_ms) == (BEGAN + timedelta(seconds=5), 5000.0)
    assert run.nodes["a"]["status"] == "interrupted"
