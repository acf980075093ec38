"""``nodeloom serve``'s server: uvicorn, with a goodbye to WebSockets and exit 0 on SIGTERM.

On SIGTERM uvicorn stops accepting connections, closes the open ones and runs the
application's shutdown (the embedded worker finishes its runs or fails them, see
``Runtime.stop``). Before uvicorn closes WebSockets (with 1012), ``GracefulServer``
closes them itself with 1001 "server shutting down", which is what a browser or proxy
expects of a server going away. Uvicorn re-raises SIGTERM once it has stopped, to end
the process the default way (status -15); a process that stopped gracefully exits 0
instead, which is what orchestrators read as a clean stop.
"""

from __future__ import annotations

import signal
from typing import Any

import uvicorn

from backend.observability.http import OpenSockets

GOODBYE_TIMEOUT_S = 2.0


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
    server = GracefulServer(uvicorn.Config(app, **options), app.state.open_sockets)
    previous = signal.signal(signal.SIGTERM, _stopped)
    try:
        server.run()
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stopped(signum: int, frame: Any) -> None:
    """Receives the SIGTERM uvicorn raises again after its graceful stop: nothing to do."""
