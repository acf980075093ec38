"""``/api/v1/runs/{run_id}/events``: a run's events over a WebSocket.

Protocol (also in the README): each text message is one run event as JSON, exactly the
``RunEvent`` the engine emitted, in ``seq`` order with no gaps or duplicates, starting
after ``?after=<seq>`` (default ``-1``: from ``run.queued``, seq 0). After the terminal
event the server closes with 1000. Client messages are ignored. Protocol-level pings
keep idle connections open through proxies (``uvicorn --ws-ping-interval``).

Close codes: 4400 bad ``after``; 4401 not signed in (accounts mode: a session cookie
or ``Authorization: Bearer nlk_…`` is needed); 4404 no such run, or not yours; 1001 the
server is shutting down; 1011 an unexpected server error; 1013 the database is out of
reach (reconnect with ``after``).

``/api/v1/shared/{token}/runs/{run_id}/events`` is the same stream for a share link's
visitor: only the runs this browser started through the link (its ``nodeloom_visitor``
cookie), and the owner's latest run if the link shows it; 4404 for any other run (another
visitor's too) and when the link is dead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, WebSocket
from sqlalchemy.exc import SQLAlchemyError
from starlette.websockets import WebSocketDisconnect, WebSocketState

from backend.auth import link_access
from backend.auth.errors import InvalidApiKey, LinkNotFound
from backend.auth.ownership import owns
from backend.auth.principal import identify
from backend.auth.sessions import COOKIE_NAME
from backend.auth.visitors import VISITOR_COOKIE, visitor_hash
from backend.db import run_store
from backend.db.availability import database_unavailable
from backend.db.models import RunRecord
from backend.observability.metrics import observe_event_lag
from backend.runs.summary import FINISHED
from backend.ws.hub import Hub
from backend.ws.stream import RunEventStream

log = logging.getLogger(__name__)
router = APIRouter()

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_INTERNAL_ERROR = 1011
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_BAD_REQUEST = 4400
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_RUN_NOT_FOUND = 4404
MAX_SEQ = 2**31 - 1


@router.websocket("/runs/{run_id}/events", name="runEvents")
async def run_events(websocket: WebSocket, run_id: str) -> None:
    await websocket.accept()
    async with _closed_if_the_database_is_down(websocket):
        refusal = await _refuse_caller(websocket, run_id)
        if refusal is not None:
            await websocket.close(*refusal)
            return
        await _stream(websocket, run_id)


@router.websocket("/shared/{token}/runs/{run_id}/events", name="sharedRunEvents")
async def shared_run_events(websocket: WebSocket, token: str, run_id: str) -> None:
    await websocket.accept()
    async with _closed_if_the_database_is_down(websocket):
        await _shared_stream(websocket, token, run_id)


@contextlib.asynccontextmanager
async def _closed_if_the_database_is_down(websocket: WebSocket) -> AsyncIterator[None]:
    """A database out of reach when the socket opens: close with 1013 (try again later),
    as HTTP answers 503; the client reconnects with ``after``."""
    try:
        yield
    except SQLAlchemyError as error:
        if not database_unavailable(error):
            raise
        log.warning("run event socket: the database is out of reach: %s", type(error).__name__)
        await _close(websocket, CLOSE_TRY_AGAIN_LATER, "the database is out of reach; reconnect")


async def _shared_stream(websocket: WebSocket, token: str, run_id: str) -> None:
    async with websocket.app.state.sessions() as session:
        try:
            link = await link_access.live_link(session, token)
        except LinkNotFound:
            await websocket.close(CLOSE_RUN_NOT_FOUND, "this link no longer works")
            return
        visitor = visitor_hash(websocket.cookies.get(VISITOR_COOKIE))
        if not await link_access.visible_run(session, link, run_id, visitor):
            await websocket.close(CLOSE_RUN_NOT_FOUND, f"there is no run with id {run_id!r}")
            return
    await _stream(websocket, run_id)


async def _refuse_caller(websocket: WebSocket, run_id: str) -> tuple[int, str] | None:
    """Accounts mode: the caller must own the run's workflow (the close code and reason
    when not); someone else's run looks like no run at all."""
    if not websocket.app.state.settings.accounts:
        return None
    async with websocket.app.state.sessions() as session:
        try:
            principal = await identify(
                session,
                authorization=websocket.headers.get("authorization"),
                cookie=websocket.cookies.get(COOKIE_NAME),
            )
        except InvalidApiKey:
            principal = None
        if principal is None:
            return CLOSE_NOT_SIGNED_IN, "sign in first"
        if not await owns(session, principal, RunRecord, run_id):
            return CLOSE_RUN_NOT_FOUND, f"there is no run with id {run_id!r}"
    return None


async def _stream(websocket: WebSocket, run_id: str) -> None:
    after = _parse_after(websocket.query_params.get("after"))
    if after is None:
        await websocket.close(CLOSE_BAD_REQUEST, "after must be an integer seq of -1 or more")
        return
    hub: Hub = websocket.app.state.runtime.hub
    engine = websocket.app.state.engine
    with hub.subscribe(run_id) as subscription:  # before the first read: nothing slips by
        status = await run_store.read_status(engine, run_id)
        if status is None:
            await websocket.close(CLOSE_RUN_NOT_FOUND, f"there is no run with id {run_id!r}")
            return
        stream = RunEventStream(engine, subscription, after, finished=status in FINISHED)
        await _serve(websocket, stream)


def _parse_after(raw: str | None) -> int | None:
    if raw is None:
        return -1
    try:
        after = int(raw)
    except ValueError:
        return None
    return after if -1 <= after <= MAX_SEQ else None


async def _serve(websocket: WebSocket, stream: RunEventStream) -> None:
    sending = asyncio.create_task(_send_all(websocket, stream))
    listening = asyncio.create_task(_until_disconnected(websocket))
    try:
        await asyncio.wait({sending, listening}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sending, listening):
            task.cancel()
        results = await asyncio.gather(sending, listening, return_exceptions=True)
    error = results[0]
    if isinstance(error, Exception) and not isinstance(error, WebSocketDisconnect):
        log.error("run event socket failed", exc_info=error)
        await _close(websocket, CLOSE_INTERNAL_ERROR, "server error")
    elif sending.done() and not sending.cancelled() and error is None:
        await _close(websocket, CLOSE_NORMAL, "run finished")


async def _send_all(websocket: WebSocket, stream: RunEventStream) -> None:
    async for item in stream:
        await websocket.send_text(item.text)
        observe_event_lag(item.ts)


async def _until_disconnected(websocket: WebSocket) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    if websocket.application_state is WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
            await websocket.close(code, reason)
