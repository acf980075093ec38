"""Queueing a run, for the owner's ``startRun`` and a share link's run alike.

The version must be runnable and the inputs must match its ``io.input`` nodes, or the
run is refused (422) and never queued. Otherwise the run row is inserted ``queued`` with
its ``run.queued`` event (seq 0), both are published, and a worker takes it from there.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.bus import BusError, EventBus, RunRequest
from backend.db import run_store
from backend.db import workflow_store as store
from backend.db.models import RunRecord
from backend.db.queued_runs import QueuedRunWriter
from backend.errors import FieldProblem, InvalidInput, ServiceUnavailable, WorkflowNotRunnable
from graph_engine.analysis import run_blockers
from graph_engine.errors import Problem
from graph_engine.events import RunQueued
from graph_engine.run_inputs import declared_inputs, input_problems

log = logging.getLogger(__name__)


async def queue_run(
    session: AsyncSession,
    bus: EventBus,
    queued_runs: QueuedRunWriter,
    workflow_id: str,
    version: int | None,
    inputs: dict[str, str],
    *,
    owner_id: str,
    share_link_id: str | None = None,
    visitor_hash: str | None = None,
) -> RunRecord:
    """Check the version and the inputs, insert the queued run and publish it."""
    # The caller's reads end here: the connection goes back to the pool (SQLite's has
    # one), where the version's read and the writer take theirs.
    await session.commit()
    record = await store.version_to_run(session.bind, workflow_id, version)
    _check_runnable(record.problems, record.document)
    _check_inputs(record.document, inputs)
    row, queued = run_store.new_queued_run(
        workflow_id,
        record.version,
        inputs,
        owner_id=owner_id,
        share_link_id=share_link_id,
        visitor_hash=visitor_hash,
    )
    await queued_runs.write(row, queued)  # with the runs started meanwhile, if any
    run = RunRecord(**row)
    request = RunRequest(
        run_id=run.id, workflow_id=workflow_id, version=record.version, inputs=inputs
    )
    try:
        await _publish(bus, queued, request)
    except BusError as error:
        log.error("run %s could not be queued: %r", run.id, error)
        await run_store.fail_queued(
            session, run.id, "The run could not be queued: the event bus is unavailable."
        )
        raise ServiceUnavailable(
            "The run could not be queued: the event bus is unavailable."
        ) from None
    return run


async def _publish(bus: EventBus, queued: RunQueued, request: RunRequest) -> None:
    """Publish the run's first event and its request: on a bus whose publish waits for a
    broker, together (one wait, not two; a watcher orders a run's events by seq, whatever
    arrives first); in process one after the other (nothing to wait for)."""
    if bus.publish_window == 1:
        await bus.publish_event(queued)
        await bus.publish_request(request)
        return
    published = await asyncio.gather(
        bus.publish_event(queued), bus.publish_request(request), return_exceptions=True
    )
    for outcome in published:
        if isinstance(outcome, BaseException):
            raise outcome


def _check_runnable(problems: list[dict[str, Any]], document: dict[str, Any]) -> None:
    """Refuse what the engine would refuse: the errors stored with the version (from
    ``validate`` at save time), or ``nothing_to_run``."""
    node_types = (str(node.get("type", "")) for node in document.get("nodes", []))
    blockers = run_blockers(map(Problem.from_dict, problems), node_types)
    if not blockers:
        return
    count = len(blockers)
    raise WorkflowNotRunnable(
        f"The workflow has {count} problem{'s' if count != 1 else ''} that stop it from "
        "running; fix them and save it first.",
        _field_problems(blockers),
    )


def _check_inputs(document: dict[str, Any], inputs: dict[str, str]) -> None:
    problems = input_problems(declared_inputs(document.get("nodes", [])), inputs)
    if problems:
        raise InvalidInput(
            f"The inputs do not match the workflow: {' '.join(p.message for p in problems)}",
            _field_problems(problems),
        )


def _field_problems(problems: list[Problem]) -> list[FieldProblem]:
    return [FieldProblem(p.code, p.message, pointer=p.pointer) for p in problems]
