"""Refusing cross-site requests: a page on another site must not act with someone's session.

A request that changes something (``POST``, ``PUT``, ``PATCH``, ``DELETE``) and every
WebSocket handshake is checked, unless it carries an ``Authorization`` header (an API key,
which no other site can make a browser send):

- its ``Origin`` (else the origin of its ``Referer``) must be one of the app's own: the
  origin of ``NODELOOM_PUBLIC_URL`` and those in ``NODELOOM_ALLOWED_ORIGINS``, or, when
  neither is set, the origin the request itself was sent to (its ``Host``);
- without either header it passes only if it carries no session cookie (a command-line
  client); browsers send ``Origin`` with every such request.

Refused: ``403 cross_site_request``; a WebSocket is closed before it opens (403).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from backend.api.problems import problem_response
from backend.auth.sessions import COOKIE_NAME
from backend.errors import NodeloomError
from backend.web_origin import origin_of

CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CrossSiteRequest(NodeloomError):
    code = "cross_site_request"
    status = 403
    title = "Cross-site request"


class OriginGuard:
    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        checked = scope["type"] == "websocket" or (
            scope["type"] == "http" and scope["method"] in CHANGING
        )
        reason = self._refusal(scope) if checked else None
        if reason is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": reason})
        else:
            await problem_response(CrossSiteRequest(reason))(scope, receive, send)

    def _refusal(self, scope: Scope) -> str | None:
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        if "authorization" in headers:
            return None
        sent_from = headers.get("origin") or headers.get("referer")
        if not sent_from or sent_from == "null":
            if f"{COOKIE_NAME}=" in headers.get("cookie", ""):
                return "A signed-in request must say where it comes from (Origin); refused."
            return None
        origin = origin_of(sent_from)
        if origin is not None and origin in (self.allowed or _own_origins(scope, headers)):
            return None
        return f"Requests from {origin or 'that page'} may not act on this server; refused."


def _own_origins(scope: Scope, headers: dict[str, str]) -> frozenset[str]:
    host = headers.get("host", "").lower()
    return frozenset({f"http://{host}", f"https://{host}"}) if host else frozenset()
