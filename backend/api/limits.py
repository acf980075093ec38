"""Refusing request bodies over the size limit, before they are read into memory."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.api.problems import problem_response
from backend.errors import PayloadTooLarge


class _BodyTooLarge(Exception):
    """Raised into the application when a streamed body passes the limit."""


class BodyLimitMiddleware:
    """Answers ``413`` for bodies over ``max_body_bytes``.

    A declared ``Content-Length`` is checked up front; bodies without one (chunked) are
    counted as they stream in. Once the limit is passed, whatever the application tries to
    answer is dropped in favour of the 413 problem.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _declared_length(scope) > self.max_body_bytes:
            await self.refuse(scope, receive, send)
            return
        await _LimitedRequest(self, scope, receive, send).run()

    async def refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(PayloadTooLarge(self.max_body_bytes), {"Connection": "close"})
        await response(scope, receive, send)


class _LimitedRequest:
    def __init__(
        self, middleware: BodyLimitMiddleware, scope: Scope, receive: Receive, send: Send
    ) -> None:
        self.middleware = middleware
        self.scope = scope
        self.receive = receive
        self.send = send
        self.received = 0
        self.exceeded = False
        self.started = False

    async def run(self) -> None:
        try:
            await self.middleware.app(self.scope, self._receive, self._send)
        except Exception:
            if not self.exceeded or self.started:
                raise
        if self.exceeded and not self.started:
            await self.middleware.refuse(self.scope, self.receive, self.send)

    async def _receive(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.middleware.max_body_bytes:
                self.exceeded = True
                raise _BodyTooLarge
        return message

    async def _send(self, message: Message) -> None:
        if self.exceeded:
            return  # the application's answer to a truncated body is replaced by the 413
        self.started = True
        await self.send(message)


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0
