"""A share link's token never reaches a log line: uvicorn's access and WebSocket lines
write it ``{secret}``, as spans do (``test_library_spans``)."""

from __future__ import annotations

import contextlib
import secrets
import string
from pathlib import Path

import httpx
import pytest
import websockets
from fastapi.routing import iter_route_contexts
from hypothesis import given, settings
from hypothesis import strategies as st
from run_support import free_port
from services.nodeloom import serve

from backend.api.deps import API_PREFIX
from backend.api.share_links import SHARE_PATH
from backend.app import create_app
from backend.config import Settings
from backend.observability.path_secrets import SECRET_AFTER, hide_secret


def test_the_prefixes_are_where_the_routes_take_a_token(tmp_path: Path):
    assert set(SECRET_AFTER) == {f"{API_PREFIX}/shared/", SHARE_PATH}
    app = create_app(Settings(data_dir=tmp_path))
    paths = {context.path_format for context in iter_route_contexts(app.routes)}
    with_token = {path for path in paths if path and "{token}" in path}
    assert with_token
    assert all(path.startswith(SECRET_AFTER) for path in with_token), with_token


@pytest.mark.parametrize(
    ("path", "hidden"),
    [
        ("/api/v1/shared/abc-_9/runs?after=3", "/api/v1/shared/{secret}/runs?after=3"),
        ("/s/abc", "/s/{secret}"),
        ("/s/abc?x=1#y", "/s/{secret}?x=1#y"),
        ("/api/v1/workflows/s/abc", "/api/v1/workflows/s/abc"),
        ("/assets/s/abc.js", "/assets/s/abc.js"),
    ],
)
def test_only_the_token_segment_is_hidden(path: str, hidden: str):
    assert hide_secret(path) == hidden


_TOKEN_CHARS = string.ascii_letters + string.digits + "-_%.~"


@settings(max_examples=300)
@given(
    st.sampled_from(SECRET_AFTER),
    st.text(_TOKEN_CHARS, min_size=1, max_size=64),
    st.sampled_from(["", "/", "/runs", "/runs/r1/events", "?after=3", "#x", "/duplicate?a=b"]),
)
def test_any_token_after_either_prefix_is_hidden_and_the_rest_kept(
    prefix: str, token: str, rest: str
):
    hidden = hide_secret(f"{prefix}{token}{rest}")
    assert hidden == f"{prefix}{{secret}}{rest}"


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_served_requests_and_sockets_log_the_path_without_the_token(
    tmp_path: Path, log_format: str
):
    env = {
        "NODELOOM_DATA_DIR": str(tmp_path / "data"),
        "NODELOOM_FRONTEND_DIR": str(tmp_path / "no-frontend"),
        "NODELOOM_LOG_FORMAT": log_format,
        "NODELOOM_LOG_LEVEL": "info",
    }
    token = secrets.token_urlsafe(32)
    server = serve(free_port(), env, tmp_path)
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
            for path in (
                f"{API_PREFIX}/shared/{token}",
                f"{API_PREFIX}/shared/{token}/runs?limit=5",
                f"{SHARE_PATH}{token}",
            ):
                assert (await client.get(path)).status_code in (200, 404, 503)
        url = f"{server.ws_base}{API_PREFIX}/shared/{token}/runs/run-x/events"
        # Refused (no such link): at the handshake or by a close, either is logged.
        with contextlib.suppress(websockets.InvalidStatus, websockets.ConnectionClosed):
            async with websockets.connect(url) as socket:
                await socket.recv()
    finally:
        assert server.stop() == 0
    text = server.log_path.read_text()
    assert token not in text
    assert text.count(f"{API_PREFIX}/shared/{{secret}}") >= 3, text  # two requests, a socket
    assert f"{SHARE_PATH}{{secret}}" in text
    assert "WebSocket" in text
