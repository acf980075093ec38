"""Every dependency of every route runs in the event loop: FastAPI sends a plain ``def``
dependency to a worker thread, one thread round trip per request for nothing."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts

from backend.app import create_app
from backend.config import Settings


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _runs_in_loop(call: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)


def test_no_route_depends_on_a_plain_function(tmp_path: Path) -> None:
    app = create_app(
        Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'app.db'}", data_dir=tmp_path)
    )
    # The effective route carries the dependencies of the routers it was included with.
    routes = [
        context.route
        for context in iter_route_contexts(app.routes)
        if isinstance(context.route, APIRoute | APIWebSocketRoute)
    ]
    assert len(routes) > 40  # the walk reached the API, not an empty app
    threaded = sorted(
        {
            f"{call.__module__}.{call.__qualname__} (used by {route.path})"
            for route in routes
            for call in _calls(route.dependant)
            if not _runs_in_loop(call)
        }
    )
    assert threaded == [], "dependencies FastAPI would run in a thread:\n" + "\n".join(threaded)
