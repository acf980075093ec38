"""The application in accounts mode (NODELOOM_AUTH=on) on a fresh database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from accounts_support import SECRET_KEY
from api_support import make_settings
from fastapi import FastAPI

from backend.app import create_app


@pytest.fixture
async def accounts_app(database_url: str, tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = make_settings(tmp_path, database_url, auth="on", secret_key=SECRET_KEY)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application
