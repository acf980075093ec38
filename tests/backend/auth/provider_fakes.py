"""Local stand-ins for the providers' cheapest authenticated endpoints, in each one's
documented wire format, for the credential checks through the real SDKs:

- OpenAI ``GET /v1/models`` (``Authorization: Bearer``) — also what an
  openai_compatible server answers;
- Anthropic ``GET /v1/models`` (``anthropic-version``; ``x-api-key`` or a bearer token),
  paginated shape;
- Pinecone control plane ``GET /indexes`` (``Api-Key``).

A wrong key gets each provider's 401 error body.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GOOD_KEY = "sk-good-key-0123456789"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.server.seen.append(dict(self.headers))  # type: ignore[attr-defined]
        if path == "/v1/models" and "anthropic-version" in self.headers:
            self._anthropic()
        elif path == "/v1/models":
            self._openai()
        elif path == "/indexes":
            self._pinecone()
        else:
            self._send(404, {"error": "not found"})

    def _openai(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {GOOD_KEY}":
            self._send(
                401,
                {
                    "error": {
                        "message": "Incorrect API key",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                },
            )
            return
        models = [
            {"id": name, "object": "model", "created": 0, "owned_by": "fake"}
            for name in ("gpt-4o-mini", "text-embedding-3-small")
        ]
        self._send(200, {"object": "list", "data": models})

    def _anthropic(self) -> None:
        # Anthropic's SDK sends ``x-api-key`` or, in newer versions, a bearer token.
        sent = self.headers.get("x-api-key") or self.headers.get("Authorization", "")
        if sent.removeprefix("Bearer ") != GOOD_KEY:
            self._send(
                401,
                {
                    "type": "error",
                    "error": {"type": "authentication_error", "message": "invalid x-api-key"},
                },
            )
            return
        model = {
            "id": "claude-fake",
            "type": "model",
            "display_name": "Claude Fake",
            "created_at": "2025-01-01T00:00:00Z",
        }
        self._send(
            200,
            {
                "data": [model],
                "has_more": False,
                "first_id": "claude-fake",
                "last_id": "claude-fake",
            },
        )

    def _pinecone(self) -> None:
        if self.headers.get("Api-Key") != GOOD_KEY:
            self._send(
                401,
                {"error": {"code": "UNAUTHENTICATED", "message": "Invalid API Key"}, "status": 401},
            )
            return
        self._send(200, {"indexes": []})  # a new project: no index yet

    def _send(self, status: int, body: Any) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@contextmanager
def fake_providers() -> Iterator[str]:
    """Serve on a free loopback port; yields the base URL (``http://127.0.0.1:PORT``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
