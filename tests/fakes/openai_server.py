"""A tiny OpenAI-compatible chat server for the tests, speaking the real wire format.

``POST /v1/chat/completions`` with ``"stream": true`` answers by the requested model:

- ``echo``: streams ``Hello`` ``,\\n`` ``world`` and then the bearer token it was sent
  (a provider that leaks the key — the CLI must never print it);
- ``hang``: streams one token, then holds the connection open until the client leaves;
- ``fail``: ``400`` with an OpenAI error body;
- ``busy``: ``503`` with an OpenAI error body — a status every SDK retries by default;
- ``slow-<count>-<ms>``: streams ``count`` tokens (``t0 `` ``t1 ``…), one every ``ms``
  milliseconds — a model slow enough to watch a run in progress.

``fake_openai(received)`` appends each request's headers and body, as text, to the list
``received``: a listener that shows whether a secret reached it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ECHO_TOKENS = ["Hello", ",\n", "world", " key="]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: Any) -> None:
        pass

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append(f"{self.headers}\n{raw.decode(errors='replace')}")  # type: ignore[attr-defined]
        body = json.loads(raw)
        model = body.get("model")
        if model == "fail":
            self._error(400, "model 'fail' is not loaded")
            return
        if model == "busy":
            self._error(503, "the server is busy")
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        if model == "hang":
            self._chunk({"role": "assistant", "content": "thinking"})
            while not self.server.stopping.is_set():  # type: ignore[attr-defined]
                time.sleep(0.05)
            return
        if isinstance(model, str) and model.startswith("slow-"):
            self._slow(model)
            return
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        for token in [*ECHO_TOKENS, key]:
            self._chunk({"content": token})
        self._chunk({}, finish_reason="stop")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _slow(self, model: str) -> None:
        _, count, delay_ms = model.split("-")
        try:
            for index in range(int(count)):
                if self.server.stopping.wait(int(delay_ms) / 1000):  # type: ignore[attr-defined]
                    return
                self._chunk({"content": f"t{index} "})
            self._chunk({}, finish_reason="stop")
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the client went away (a cancelled run)

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> None:
        chunk = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "fake",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        }
        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.flush()

    def _error(self, status: int, message: str) -> None:
        error = {"error": {"message": message, "type": "invalid_request"}}
        payload = json.dumps(error).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        # No keep-alive: langchain-openai pools connections per base URL across event loops.
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)


@contextmanager
def fake_openai(received: list[str] | None = None) -> Iterator[str]:
    """Serve on a free loopback port; yields the base URL (``…/v1``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.received = [] if received is None else received  # type: ignore[attr-defined]
    server.stopping = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.stopping.set()  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()
