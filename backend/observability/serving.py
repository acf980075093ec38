"""``nodeloom serve``'s server: uvicorn, with a goodbye to WebSockets and exit 0 on SIGTERM.

On SIGTERM uvicorn stops accepting connections, closes the open ones and runs the
application's shutdown (the embedded worker finishes its runs or fails them, see
``Runtime.stop``). Before uvicorn closes WebSockets (with 1012), ``GracefulServer``
closes them itself with 1001 "server shutting down", which is what a browser or proxy
expects of a server going away. Uvicorn re-raises SIGTERM once it has stopped, to end
the process the default way (status -15); a process that stopped gracefully exits 0
instead, which is what orchestrators read as a clean stop.

A start-up that fails for a reason that says it all (``StartupFailed``: Kafka cannot be
reached, a plugin does not load) is logged as that one line, not as the stack Starlette
hands uvicorn, and uvicorn exits with its start-up failure status (3).
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn

from backend.observability.http import OpenSockets

log = logging.getLogger("nodeloom.serve")
GOODBYE_TIMEOUT_S = 2.0
Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]


class GracefulServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, sockets: OpenSockets) -> None:
        super().__init__(config)
        self.open_sockets = sockets

    async def shutdown(self, sockets: Any = None) -> None:
        for server in getattr(self, "servers", []):
            server.close()  # no new connections while the open ones are told to go
        await self.open_sockets.close_all(GOODBYE_TIMEOUT_S)
        await super().shutdown(sockets=sockets)


def serve(app: Any, **options: Any) -> None:
    """Run ``app`` (made by ``create_app``) under uvicorn with ``options`` until stopped."""
    config = uvicorn.Config(_startup_failure_in_one_line(app), **options)
    server = GracefulServer(config, app.state.open_sockets)
    previous = signal.signal(signal.SIGTERM, _stopped)
    try:
        server.run()
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stopped(signum: int, frame: Any) -> None:
    """Receives the SIGTERM uvicorn raises again after its graceful stop: nothing to do."""


def _startup_failure_in_one_line(app: Any) -> Any:
    """``app``, with a ``StartupFailed`` logged as its message instead of a stack."""
    from backend.app import StartupFailed

    async def with_short_startup_failure(scope: Message, receive: Any, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold_failure(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed":
                held.append(message)  # its text is a stack: sent once we know the cause
            else:
                await send(message)

        try:
            await app(scope, receive, hold_failure)
        except StartupFailed as error:
            log.error("%s", error)
            held[:] = [{"type": "lifespan.startup.failed", "message": ""}]
        finally:
            for message in held:
                await send(message)

    return with_short_startup_failure
