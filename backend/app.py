"""The application factory: routers, problem handlers, body limit, lifespan, frontend."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from backend.api.catalogue_body import served_catalogue
from backend.api.deps import API_PREFIX
from backend.api.limits import BodyLimitMiddleware
from backend.api.links import add_links
from backend.api.methods import MethodGuard
from backend.api.origin import OriginGuard
from backend.api.problems import install_problem_handlers, use_problem_media_type
from backend.api.route_requirements import write_requirements
from backend.api.router import api_router
from backend.bus import BusError
from backend.config import Settings
from backend.db.session import create_engine, create_session_factory
from backend.frontend import FrontendFiles, PagesRoute
from backend.observability import endpoint as observability
from backend.observability import library_spans
from backend.plugins import PluginError, load_plugins
from backend.runtime import Runtime
from backend.ws.router import router as ws_router

DESCRIPTION = (
    "Nodeloom's HTTP API: workflows, their version history, export and import, and runs "
    "(their live events stream over the WebSocket `/api/v1/runs/{run_id}/events`). "
    "Every error is an RFC 9457 `application/problem+json` document. Every path answers "
    "`OPTIONS` with its methods in `Allow`, `HEAD` wherever it answers `GET`, and any other "
    "method it does not list here with `405` and that `Allow`."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; the database engine is created when it starts."""
    settings = settings or Settings()
    app = FastAPI(
        title="Nodeloom",
        version=_package_version(),
        description=DESCRIPTION,
        lifespan=_lifespan,
        redoc_url=None,
        separate_input_output_schemas=False,
        # A trailing slash makes another path (404), not a redirect: the schema describes
        # no redirects.
        redirect_slashes=False,
    )
    app.state.settings = settings
    # NODELOOM_AUTH=on without NODELOOM_SECRET_KEY never gets here: Settings refuses it.
    install_problem_handlers(app)
    # WebSockets first: a route only matches its own kind of request, so an HTTP request
    # passes them at once, while a WebSocket behind the HTTP routes would try every one.
    app.include_router(ws_router, prefix=API_PREFIX)
    app.include_router(api_router)
    pages = FrontendFiles(settings.frontend_dir).serve
    app.router.routes.append(
        PagesRoute("/{path:path}", pages, methods=["GET", "HEAD"], include_in_schema=False)
    )
    app.add_middleware(MethodGuard, routes=app.routes)  # 405, OPTIONS and HEAD, per path
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(OriginGuard, allowed=settings.trusted_origins)
    observability.install(app)  # last: /metrics, request timing and WebSocket tracking
    library_spans.instrument_app(
        app,
        untraced_paths=(observability.METRICS_PATH, f"{API_PREFIX}/health"),
    )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


class StartupFailed(Exception):
    """Start-up cannot go on, for a reason its message says in full: ``nodeloom serve``
    logs it as one line, without a stack, and exits."""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    try:
        load_plugins(settings.plugin_modules)
    except PluginError as error:
        raise StartupFailed(str(error)) from None
    engine = create_engine(settings.database_url)
    app.state.engine = engine
    app.state.sessions = create_session_factory(engine)
    runtime = app.state.runtime = Runtime(settings, engine, app.state.sessions)
    _warm_up()
    try:
        try:
            await runtime.start()
        except BusError as error:
            raise StartupFailed(f"cannot reach Kafka: {error}") from None
        yield
    finally:
        try:
            await runtime.stop()
        finally:
            await engine.dispose()


def _warm_up() -> None:
    """Load every node type before the first request, then exempt what start-up built
    (the engine, LangChain, the catalogue) from garbage collection: full collections
    then stay short, so a save of a 1,000-node workflow is not stalled by one."""
    served_catalogue()
    gc.collect()
    gc.freeze()


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            separate_input_output_schemas=False,
        )
        accounts = app.state.settings.accounts
        schema = write_requirements(schema, app.routes, accounts=accounts)
        app.openapi_schema = add_links(use_problem_media_type(schema))
    return app.openapi_schema


def _package_version() -> str:
    try:
        return version("nodeloom")
    except PackageNotFoundError:
        return "0.0.0"
