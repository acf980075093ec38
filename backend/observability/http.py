"""The ASGI middleware that times HTTP requests and keeps count of open WebSockets.

HTTP requests are timed until their response is sent, labelled by the route *template*
the router matched (``/api/v1/runs/{run_id}``), so labels stay bounded.

WebSockets are tracked by ``OpenSockets``: the gauge of open sockets, and the goodbye on
shutdown. ``close_all`` sends each socket a close frame 1001 ("server shutting down")
and tells the application its client left, so its handler ends; clients then resume
elsewhere with ``?after=<last seq>``. (Uvicorn alone would close them with 1012.)
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.observability.metrics import HTTP_LATENCY, WEBSOCKETS_OPEN

log = logging.getLogger(__name__)
CLOSE_GOING_AWAY = 1001
GOODBYE_REASON = "server shutting down"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class TelemetryMiddleware:
    def __init__(self, app: ASGIApp, sockets: OpenSockets) -> None:
        self.app = app
        self.sockets = sockets
        self.templates = RouteTemplates()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._timed(scope, receive, send)
        elif scope["type"] == "websocket":
            await self.sockets.serve(self.app, scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _timed(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = 500  # unless the application answers
        began = time.perf_counter()

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = self.templates.of(scope)
            method = scope["method"] if scope["method"] in METHODS else "other"
            HTTP_LATENCY.labels(method, route, str(status)).observe(time.perf_counter() - began)


class RouteTemplates:
    """The full template of each of an app's routes, with its routers' prefixes.

    FastAPI keeps included routers nested, so the route Starlette leaves in the scope
    (``scope["route"]``) knows only its own part of the path; ``iter_route_contexts``
    walks the app's routes with the prefixes applied. Built once per app, at its first
    request (its routes are all in place by then).
    """

    def __init__(self) -> None:
        self._by_app: dict[int, dict[int, str]] = {}

    def of(self, scope: Scope) -> str:
        """The template of the route that answered; anything else (the SPA's catch-all,
        a 404) is ``unmatched``, so labels stay bounded."""
        route = scope.get("route")
        if route is None:
            return "unmatched"
        templates = self._by_app.get(id(scope["app"]))
        if templates is None:
            templates = self._by_app[id(scope["app"])] = _templates(scope["app"])
        return templates.get(id(route)) or getattr(route, "path", None) or "unmatched"


def _templates(app: Any) -> dict[int, str]:
    return {
        id(context.original_route): context.path_format
        for context in iter_route_contexts(app.routes)
        if context.path_format
    }


class _Socket:
    """One WebSocket connection, which the server can close on its own."""

    def __init__(self, receive: Receive, send: Send) -> None:
        self._receive = receive
        self._send = send
        self._lock = asyncio.Lock()  # a close frame never interleaves with a message
        self._closed = False
        self._gone = asyncio.Event()

    async def send(self, message: Message) -> None:
        async with self._lock:
            if self._closed:
                return  # the server said goodbye already: the client is leaving
            if message["type"] == "websocket.close":
                self._closed = True
            await self._send(message)

    async def receive(self) -> Message:
        if self._gone.is_set():
            return {"type": "websocket.disconnect", "code": CLOSE_GOING_AWAY}
        received = asyncio.ensure_future(self._receive())
        gone = asyncio.ensure_future(self._gone.wait())
        try:
            await asyncio.wait({received, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:  # also when the handler stops listening (cancelled)
            gone.cancel()
            if not received.done():
                received.cancel()
        if received.done() and not received.cancelled():
            return received.result()
        return {"type": "websocket.disconnect", "code": CLOSE_GOING_AWAY}

    async def say_goodbye(self) -> None:
        async with self._lock:
            if not self._closed:
                self._closed = True
                await self._send(
                    {"type": "websocket.close", "code": CLOSE_GOING_AWAY, "reason": GOODBYE_REASON}
                )
        self._gone.set()


class OpenSockets:
    def __init__(self) -> None:
        self._open: set[_Socket] = set()
        self._none_open = asyncio.Event()
        self._none_open.set()

    def __len__(self) -> int:
        return len(self._open)

    async def serve(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        socket = _Socket(receive, send)
        self._open.add(socket)
        self._none_open.clear()
        WEBSOCKETS_OPEN.inc()
        try:
            await app(scope, socket.receive, socket.send)
        finally:
            self._open.discard(socket)
            WEBSOCKETS_OPEN.dec()
            if not self._open:
                self._none_open.set()

    async def close_all(self, timeout_s: float) -> None:
        """Say goodbye (1001) to every open socket; wait up to ``timeout_s`` for them."""
        try:
            async with asyncio.timeout(timeout_s):  # a stuck client must not hold the stop
                await asyncio.gather(*(socket.say_goodbye() for socket in list(self._open)))
                await self._none_open.wait()
        except TimeoutError:
            log.warning("%d WebSockets still open after the goodbye; closing them", len(self))
