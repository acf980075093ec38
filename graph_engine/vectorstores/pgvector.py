"""``PgVectorStore``: documents in a PostgreSQL table with a pgvector ``vector`` column.

One table holds any number of collections::

    CREATE TABLE "<table>" (collection text, id text, content text, metadata jsonb,
                            embedding vector(<dimensions>), PRIMARY KEY (collection, id))

The first upsert creates the ``vector`` extension (if it is missing and the role may)
and the table, under an advisory lock so that concurrent runs don't race. Search ranks
by cosine distance (``<=>``) and reports ``1 - distance``, the cosine similarity. The
store is async only (asyncpg); each call opens and closes its own connection.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from graph_engine.providers.errors import ConfigurationError, provider_error
from graph_engine.providers.extras import require
from graph_engine.vectorstores.base import AsyncVectorStore
from graph_engine.vectorstores.records import json_metadata, record_id

TABLE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,62}$"
_LOCK_KEY = 0x6E6C766563  # "nlvec": one advisory lock for schema changes


def plain_dsn(url: str) -> str:
    """``postgresql+asyncpg://…`` (SQLAlchemy style) → ``postgresql://…`` for asyncpg."""
    return re.sub(r"^postgres(?:ql)?\+\w+://", "postgresql://", url.strip())


class PgVectorStore(AsyncVectorStore):
    """See the module docstring."""

    def __init__(self, dsn: str, embedding: Embeddings, table: str, collection: str) -> None:
        if not re.match(TABLE_PATTERN, table):
            raise ConfigurationError(f"{table!r} is not a valid table name.")
        self._dsn = plain_dsn(dsn)
        self._embedding = embedding
        self.table = table
        self.collection = collection

    def __repr__(self) -> str:
        return f"PgVectorStore(table={self.table!r}, collection={self.collection!r})"

    async def aadd_documents(self, documents: list[Document], **kwargs: Any) -> list[str]:
        if not documents:
            return []
        ids = kwargs.get("ids") or [record_id(self.collection, d) for d in documents]
        vectors = await self._embedding.aembed_documents([d.page_content for d in documents])
        rows = [
            (self.collection, id_, d.page_content, json.dumps(json_metadata(d.metadata)), v)
            for id_, d, v in zip(ids, documents, vectors, strict=True)
        ]
        async with self._connection(create_dimensions=len(vectors[0])) as connection:
            await connection.executemany(
                f"INSERT INTO {self._quoted} (collection, id, content, metadata, embedding) "
                "VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (collection, id) DO UPDATE SET "
                "content = EXCLUDED.content, metadata = EXCLUDED.metadata, "
                "embedding = EXCLUDED.embedding",
                rows,
            )
        return list(ids)

    async def asimilarity_search_with_score_by_vector(
        self, embedding: Sequence[float], k: int = 4
    ) -> list[tuple[Document, float]]:
        async with self._connection() as connection:
            rows = await connection.fetch(
                f"SELECT id, content, metadata, 1 - (embedding <=> $1) AS score "
                f"FROM {self._quoted} WHERE collection = $2 ORDER BY embedding <=> $1 LIMIT $3",
                list(embedding),
                self.collection,
                k,
            )
        return [
            (
                Document(id=row["id"], page_content=row["content"], metadata=_load(row)),
                float(row["score"]),
            )
            for row in rows
        ]

    @property
    def _quoted(self) -> str:
        return f'"{self.table}"'

    @asynccontextmanager
    async def _connection(self, create_dimensions: int | None = None) -> AsyncIterator[Any]:
        asyncpg = require("asyncpg", feature="The pgvector store", package="asyncpg")
        register = require(
            "pgvector.asyncpg", feature="The pgvector store", package="pgvector"
        ).register_vector
        try:
            connection = await asyncpg.connect(self._dsn, timeout=30)
        except Exception as error:
            raise provider_error(
                "Cannot connect to PostgreSQL", error, _secrets(self._dsn)
            ) from None
        try:
            if create_dimensions is not None:
                await self._ensure_table(connection, create_dimensions)
            await register(connection)
            yield connection
        except (ConfigurationError, NotImplementedError):
            raise
        except asyncpg.UndefinedTableError:
            raise ConfigurationError(
                f"Table {self.table!r} does not exist: upsert documents into it first."
            ) from None
        except asyncpg.PostgresError as error:
            raise provider_error("PostgreSQL", error, _secrets(self._dsn)) from None
        finally:
            await connection.close()

    async def _ensure_table(self, connection: Any, dimensions: int) -> None:
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
            have_vector = await connection.fetchval(
                "SELECT 1 FROM pg_extension WHERE extname = 'vector'"
            )
            if not have_vector:
                await connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
            await connection.execute(
                f"CREATE TABLE IF NOT EXISTS {self._quoted} (collection text NOT NULL, "
                "id text NOT NULL, content text NOT NULL, "
                "metadata jsonb NOT NULL DEFAULT '{}'::jsonb, "
                f"embedding vector({int(dimensions)}) NOT NULL, PRIMARY KEY (collection, id))"
            )
            existing = await connection.fetchval(
                "SELECT atttypmod FROM pg_attribute "
                "WHERE attrelid = $1::regclass AND attname = 'embedding'",
                self._quoted,
            )
        if existing not in (None, -1, dimensions):
            raise ConfigurationError(
                f"Table {self.table!r} holds {existing}-dimensional vectors but the "
                f"embedding model makes {dimensions}: use another table for this model."
            )


def _load(row: Any) -> dict[str, Any]:
    metadata = row["metadata"]
    return json.loads(metadata) if isinstance(metadata, str) else dict(metadata or {})


def _secrets(dsn: str) -> list[str]:
    """The DSN and its password, to be scrubbed from any message."""
    from urllib.parse import urlsplit

    try:
        password = urlsplit(dsn).password
    except ValueError:
        password = None
    return [dsn, *([password] if password else [])]
