"""``GET /metrics`` and the middleware, added to the application by ``install``.

``/metrics`` sits outside ``/api/v1`` and outside the OpenAPI schema: it is for
Prometheus, not for API clients.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.observability import kafka_lag
from backend.observability.http import OpenSockets, TelemetryMiddleware
from backend.observability.metrics import CONTENT_TYPE_LATEST, render

METRICS_PATH = "/metrics"


async def metrics(_: Request) -> Response:
    await kafka_lag.sample()
    return Response(render(), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    """Time every request, track WebSockets (``app.state.open_sockets``), serve /metrics.

    Call it last in the factory: the middleware then wraps every other one, and the
    route goes before the frontend's catch-all.
    """
    app.state.open_sockets = OpenSockets()
    app.add_middleware(TelemetryMiddleware, sockets=app.state.open_sockets)
    app.router.routes.insert(
        0, Route(METRICS_PATH, metrics, methods=["GET"], include_in_schema=False)
    )
