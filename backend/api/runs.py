"""Runs: start one, read it, list a workflow's runs, cancel one, page through its events.

Starting a run (DESIGN, "Run"): the version must be runnable and the inputs must match
its ``io.input`` nodes, or the run is refused (422) and never queued. Otherwise the run
row is inserted ``queued`` with its ``run.queued`` event (seq 0), both are published,
and a worker takes it from there. Live events stream over the WebSocket
``/api/v1/runs/{run_id}/events`` (``backend.ws``); ``GET …/events`` pages through the
recorded ones.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response

from backend.api.deps import (
    API_PREFIX,
    BusDep,
    CurrentUser,
    QueuedRunsDep,
    SessionDep,
    WorkflowIdDep,
)
from backend.api.paging import Offset
from backend.api.problems import problem_responses
from backend.api.run_queueing import queue_run
from backend.api.run_reads import AfterSeq, EventLimit, event_page, get_run_id
from backend.api.run_schemas import ListedRun, Run, RunEventPage, RunPage, StartRun
from backend.auth.ownership import owns
from backend.bus import BusError, ControlMessage
from backend.db import run_store
from backend.db import workflow_store as store
from backend.db.models import RunRecord
from backend.db.workflow_store import MAX_VERSION
from backend.errors import RunFinished, RunNotFound
from backend.runs.summary import RunStatus
from backend.runs.waiting import MAX_WAIT_S, wait_for_end

router = APIRouter(tags=["runs"])
log = logging.getLogger(__name__)

_LOCATION = {"Location": {"description": "Where the run lives.", "schema": {"type": "string"}}}
ACCEPTED = {202: {"description": "The run, queued.", "headers": _LOCATION}}
FINISHED_IN_TIME = {
    200: {"description": "With `wait`: the run, finished within the wait.", "headers": _LOCATION}
}


async def get_owned_run_id(
    run_id: Annotated[str, Path(description="The run's id (32 hexadecimal digits).")],
    user: CurrentUser,
    session: SessionDep,
) -> str:
    """The id of a run of the caller's workflows; anyone else's is not found."""
    run_id = get_run_id(run_id)
    if not await owns(session, user, RunRecord, run_id):
        raise RunNotFound(run_id)
    return run_id


OwnedRunId = Annotated[str, Depends(get_owned_run_id)]


@router.post(
    "/workflows/{workflow_id}/runs",
    operation_id="startRun",
    status_code=202,
    response_model=Run,
    responses={**ACCEPTED, **FINISHED_IN_TIME, **problem_responses(400, 404, 422, 503)},
)
async def start_run(
    workflow_id: WorkflowIdDep,
    session: SessionDep,
    bus: BusDep,
    queued_runs: QueuedRunsDep,
    user: CurrentUser,
    request: Request,
    response: Response,
    body: Annotated[StartRun | None, Body()] = None,
    version: Annotated[
        int | None,
        Query(ge=1, le=MAX_VERSION, description="The version to run; default: the current one."),
    ] = None,
    wait: Annotated[
        float | None,
        Query(
            gt=0,
            le=MAX_WAIT_S,
            description="Seconds to hold the response until the run ends: 200 with the "
            "finished run (its outputs), or 202 with the run as it stands if it is still "
            "going. Default: answer 202 at once.",
        ),
    ] = None,
) -> Run:
    """Queue a run of the workflow (its current version, or `version`) with `inputs`."""
    inputs = (body or StartRun()).inputs
    run = await queue_run(
        session, bus, queued_runs, workflow_id, version, inputs, owner_id=user.user_id
    )
    response.headers["Location"] = f"{API_PREFIX}/runs/{run.id}"
    if wait is not None:
        state = request.app.state
        ended = await wait_for_end(state.runtime.hub, state.engine, run.id, wait)
        if ended is not None:
            response.status_code = 200
        run = ended or await run_store.read_run(state.engine, run.id)
    return Run.from_record(run)


@router.get(
    "/runs/{run_id}",
    operation_id="getRun",
    response_model=Run,
    responses=problem_responses(404),
)
async def get_run(run_id: OwnedRunId, session: SessionDep) -> Run:
    """The run: status, inputs, outputs, each node's state, timings, token usage, error."""
    return Run.from_record(await run_store.get_run(session, run_id))


@router.get(
    "/workflows/{workflow_id}/runs",
    operation_id="listWorkflowRuns",
    response_model=RunPage,
    responses=problem_responses(404, 422),
)
async def list_workflow_runs(
    workflow_id: WorkflowIdDep,
    session: SessionDep,
    status: Annotated[RunStatus | None, Query(description="Only runs in this status.")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
    offset: Offset = 0,
) -> RunPage:
    """The workflow's runs, newest first."""
    await store.get_workflow(session, workflow_id)
    page = await run_store.list_runs(
        session, workflow_id, status=status, limit=limit, offset=offset
    )
    items = [ListedRun.numbered(record, number) for record, number in page.items]
    return RunPage(items=items, total=page.total, limit=limit, offset=offset)


@router.post(
    "/runs/{run_id}/cancel",
    operation_id="cancelRun",
    status_code=202,
    response_model=Run,
    responses={
        202: {"description": "Cancelling: the run ends with `run.cancelled`."},
        **problem_responses(404, 409, 503),
    },
)
async def cancel_run(run_id: OwnedRunId, session: SessionDep, bus: BusDep) -> Run:
    """Ask the run to stop. Cancelling a cancelled run again is fine; a finished one, 409."""
    run = await run_store.get_run(session, run_id)
    _check_cancellable(run_id, run.status)
    event = await run_store.cancel_queued(session, run_id)
    if event is not None:
        await _publish(bus.publish_event(event), run_id)
    else:
        run = await run_store.get_run(session, run_id)
        _check_cancellable(run_id, run.status)
        if run.status == RunStatus.running:
            await run_store.request_cancel(session, run_id)
            await _publish(bus.publish_control(ControlMessage(run_id=run_id)), run_id)
    return Run.from_record(await run_store.get_run(session, run_id))


def _check_cancellable(run_id: str, status: str) -> None:
    if status in (RunStatus.succeeded, RunStatus.failed):
        raise RunFinished(run_id, status)


async def _publish(publishing: Any, run_id: str) -> None:
    # The database already says what happened; the bus only makes it quicker to see.
    try:
        await publishing
    except BusError as error:
        log.warning("run %s: publishing the cancellation failed: %r", run_id, error)


@router.get(
    "/runs/{run_id}/events",
    operation_id="listRunEvents",
    response_model=RunEventPage,
    responses=problem_responses(404, 422),
)
async def list_run_events(
    run_id: OwnedRunId,
    session: SessionDep,
    after: AfterSeq = -1,
    limit: EventLimit = 500,
) -> RunEventPage:
    """The run's recorded events in `seq` order, a page at a time (for a past run's picture)."""
    return await event_page(session, run_id, after=after, limit=limit)
