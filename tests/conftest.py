"""Fixtures shared by every test directory: a database, on SQLite and on PostgreSQL.

``database_url`` is parametrized over both, so a test that uses it runs twice. Each test
gets its own copy of a database that ``upgrade_database`` migrated once per session
(``blank_database_url`` gives an empty one, for the migration tests). PostgreSQL
is real: a throwaway cluster started once per session (``tests/services/postgres.py``), or
the server named by ``NODELOOM_TEST_DATABASE_URL`` (which needs CREATEDB). If it cannot be
started, the PostgreSQL tests fail with the reason; they are never skipped.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings

# pytest puts tests/ on sys.path, where tests/backend and tests/graph_engine would pass for
# namespace packages and shadow the real ones; the repository root must come first.
REPO_ROOT = Path(__file__).resolve().parents[1]
if sys.path[:1] != [str(REPO_ROOT)]:
    sys.path.insert(0, str(REPO_ROOT))

from services.databases import create_database, drop_database  # noqa: E402
from services.postgres import PostgresUnavailable, start_postgres  # noqa: E402

from backend.database_url import normalize_database_url  # noqa: E402
from backend.db.migrate import upgrade_database  # noqa: E402

TEST_DATABASE_ENV = "NODELOOM_TEST_DATABASE_URL"
T = TypeVar("T")

# Property tests: "default" (make test, CI) draws the same 300 examples every run, so a
# failure reproduces; NODELOOM_HYPOTHESIS_PROFILE=long draws 10,000 new ones per test.
HYPOTHESIS_PROFILE_ENV = "NODELOOM_HYPOTHESIS_PROFILE"
_quiet = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile(
    "default", max_examples=300, derandomize=True, database=None, deadline=None,
    suppress_health_check=_quiet, print_blob=True,
)  # fmt: skip
settings.register_profile(
    "long", max_examples=10_000, deadline=None, suppress_health_check=_quiet, print_blob=True
)
settings.load_profile(os.environ.get(HYPOTHESIS_PROFILE_ENV, "default"))


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """URL of a PostgreSQL database from which per-test databases are created."""
    if configured := os.environ.get(TEST_DATABASE_ENV):
        yield normalize_database_url(configured)
        return
    try:
        server = start_postgres()
    except PostgresUnavailable as error:
        pytest.fail(
            f"PostgreSQL tests need a server and none could be started: {error}\n"
            f"Set {TEST_DATABASE_ENV}=postgresql+asyncpg://USER:PASSWORD@HOST/DB to use an "
            "existing one.",
            pytrace=False,
        )
    try:
        yield server.admin_url
    finally:
        server.stop()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    # Session fixtures below are synchronous (so function fixtures can request them lazily);
    # their async work runs on a loop of its own in a helper thread.
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session by ``upgrade_database``, copied per test."""
    path = tmp_path_factory.mktemp("template") / "nodeloom.db"
    _run(upgrade_database(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_admin_url: str) -> Iterator[str]:
    """A PostgreSQL database migrated once per session, the template of per-test databases."""
    name = f"nodeloom_template_{uuid.uuid4().hex[:12]}"
    url = _run(create_database(postgres_admin_url, name))
    try:
        _run(upgrade_database(url))
        yield name
    finally:
        _run(drop_database(postgres_admin_url, name))


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, migrated database for this test alone."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "nodeloom.db"
        shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    async with _postgres_database(
        request, template=request.getfixturevalue("postgres_template")
    ) as url:
        yield url


@pytest.fixture
async def postgres_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh, migrated PostgreSQL database for this test alone (for worker processes,
    which SQLite cannot serve)."""
    template = request.getfixturevalue("postgres_template")
    async with _postgres_database(request, template=template) as url:
        yield url


@pytest.fixture(params=BACKENDS)
async def blank_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database with no tables at all, for testing the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'blank.db'}"
        return
    async with _postgres_database(request, template=None) as url:
        yield url


@asynccontextmanager
async def _postgres_database(
    request: pytest.FixtureRequest, template: str | None
) -> AsyncIterator[str]:
    admin_url = request.getfixturevalue("postgres_admin_url")
    name = f"nodeloom_test_{uuid.uuid4().hex[:16]}"
    url = await create_database(admin_url, name, template=template)
    try:
        yield url
    finally:
        await drop_database(admin_url, name)
