"""Serving the built frontend: files from ``frontend_dir``, ``index.html`` for app routes."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

PACKAGED_FRONTEND = Path(__file__).resolve().parent / "frontend_dist"
SOURCE_FRONTEND = Path(__file__).resolve().parents[1] / "frontend" / "dist"
API_ROOT = "/api"
INDEX = "index.html"
IMMUTABLE = "public, max-age=31536000, immutable"

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Nodeloom: frontend not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}
code{background:#f2f2f2;padding:.1rem .3rem;border-radius:3px}</style></head>
<body><h1>Nodeloom is running, but its frontend is not built</h1>
<p>The server found no built frontend in <code>{directory}</code>.</p>
<p>Run <code>make run</code> from the repository (it builds the frontend and starts the
server), or build it yourself with <code>npm --prefix frontend ci &amp;&amp;
npm --prefix frontend run build</code> and reload this page.</p>
<p>The API works meanwhile: see <a href="/docs">/docs</a>.</p></body></html>
"""


def built_frontend_dir() -> Path:
    """The built frontend a wheel installs beside this module (``setup.py`` packs it), else
    the source tree's ``frontend/dist``: an editable install or a checkout."""
    return PACKAGED_FRONTEND if PACKAGED_FRONTEND.is_dir() else SOURCE_FRONTEND


class PagesRoute(Route):
    """The catch-all route of the pages: it never takes an ``/api`` path, so an unknown
    one is the API's plain ``404`` whatever its method, never a page nor a page's ``405``."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = scope.get("path", "")
        if path == API_ROOT or path.startswith(API_ROOT + "/"):
            return Match.NONE, {}
        return super().matches(scope)


class FrontendFiles:
    """A catch-all ``GET`` endpoint for everything outside ``/api`` (see ``PagesRoute``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()

    async def serve(self, request: Request) -> Response:
        path = request.url.path
        index = self.directory / INDEX
        if not index.is_file():
            page = NOT_BUILT_PAGE.replace("{directory}", str(self.directory))
            return HTMLResponse(page, headers={"Cache-Control": "no-store"})
        found = self._find(path)
        if found is not None:
            immutable = found.parent.name == "assets"
            return FileResponse(
                found, headers={"Cache-Control": IMMUTABLE if immutable else "no-cache"}
            )
        if _wants_page(request):
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        raise HTTPException(status_code=404)

    def _find(self, path: str) -> Path | None:
        relative = path.lstrip("/")
        if not relative:
            return None
        candidate = (self.directory / relative).resolve()
        if not candidate.is_relative_to(self.directory) or not candidate.is_file():
            return None
        return candidate


def _wants_page(request: Request) -> bool:
    # App routes (/workflows/abc) get index.html; a missing /assets/x.js stays a 404.
    last_segment = request.url.path.rsplit("/", 1)[-1]
    return "." not in last_segment or "text/html" in request.headers.get("accept", "")
