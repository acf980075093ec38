"""Which methods each path serves: ``405`` with an honest ``Allow``, ``OPTIONS`` and ``HEAD``.

Starlette answers a method it lacks from the first route whose path matches, so a path
served by several routes (``GET`` and ``POST /workflows`` are two) advertised one of them;
and the pages' catch-all ``GET /{path}`` took ``GET`` on a ``POST``-only API path for a
page and answered ``404``. This layer reads every HTTP route of the app once and, for the
path a request names, decides before routing:

- a method the path does not serve: ``405 method_not_allowed`` (a problem document);
- ``OPTIONS``: ``204``; both with ``Allow`` listing the path's methods, which are
  the routes' own, plus ``HEAD`` wherever ``GET`` is served and ``OPTIONS`` everywhere;
- ``HEAD`` where only ``GET`` is routed: the ``GET`` answer without its body.

A path's routes are those that match it by their own rules (so the pages' catch-all,
which never takes an ``/api`` path, leaves an unknown one to its ``404``). When a fixed
path and a templated one both match (``/workflows/import`` and ``/workflows/{workflow_id}``),
the fixed one is meant, as OpenAPI says. A CORS middleware wrapped around the app answers
preflights before this layer sees them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fastapi.routing import RouteContext, iter_route_contexts
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.api.problems import problem_response
from backend.errors import NodeloomError


class MethodNotAllowed(NodeloomError):
    code = "method_not_allowed"
    status = 405
    title = "Method not allowed"


@dataclass(frozen=True, slots=True)
class PathMethods:
    """One path template and the methods its routes serve."""

    template: str
    route: RouteContext  # any one of the template's routes: they all match the same paths
    routed: frozenset[str]

    def serves(self, scope: Scope) -> bool:
        return self.route.matches(scope)[0] is not Match.NONE

    @property
    def allowed(self) -> frozenset[str]:
        implied = {"OPTIONS"} | ({"HEAD"} if "GET" in self.routed else set())
        return self.routed | implied

    @property
    def specificity(self) -> tuple[int, ...]:
        # Compared segment by segment: a fixed segment (0) wins over a parameter (1).
        return tuple(int("{" in part) for part in self.template.strip("/").split("/"))


def path_methods(routes: Sequence[BaseRoute]) -> list[PathMethods]:
    """Every HTTP path template of ``routes`` (routers included) with its methods."""
    found: dict[str, tuple[RouteContext, set[str]]] = {}
    for context in iter_route_contexts(routes):
        if not context.methods or not context.path_format:
            continue  # a WebSocket route, or a mount
        found.setdefault(context.path_format, (context, set()))[1].update(context.methods)
    return [
        PathMethods(template, route, frozenset(methods))
        for template, (route, methods) in found.items()
    ]


def meant(paths: Iterable[PathMethods], scope: Scope) -> PathMethods | None:
    """The path template a request means: the most specific one whose routes serve it."""
    candidates = [item for item in paths if item.serves(scope)]
    return min(candidates, key=lambda item: item.specificity, default=None)


class MethodGuard:
    """ASGI middleware applying the rules above; the routes are read when it is built
    (on the app's first request or start-up, after every route is added)."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.paths = path_methods(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        target = meant(self.paths, scope)
        if target is None or method in target.routed:
            await self.app(scope, receive, send)
        elif method == "HEAD" and "GET" in target.routed:
            await self.app({**scope, "method": "GET"}, receive, _without_body(send))
        else:
            answer = _without_body(send) if method == "HEAD" else send
            await _refusal(method, target)(scope, receive, answer)


def _refusal(method: str, target: PathMethods) -> Response:
    allow = ", ".join(sorted(target.allowed))
    if method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": allow})
    # The detail names no path: a share link's token is part of some paths.
    detail = f"This address does not answer {method}; it answers {allow}."
    return problem_response(MethodNotAllowed(detail), {"Allow": allow})


def _without_body(send: Send) -> Send:
    async def send_headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return send_headers_only
