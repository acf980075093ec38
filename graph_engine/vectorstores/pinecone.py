"""``PineconeVectorStore``: documents in a Pinecone index, through the official SDK (v10).

The store talks to one index by its data-plane host (``AsyncIndex(host=…)``, the SDK's
async client: no control-plane call) and one namespace. A document becomes a vector
whose metadata holds the document's metadata (flattened to what Pinecone accepts) and
its text under ``text``. Create the index with the embedding model's dimension and the
``cosine`` metric, so that scores are cosine similarities as on the other stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from graph_engine.providers.errors import provider_error
from graph_engine.providers.extras import require
from graph_engine.vectorstores.base import AsyncVectorStore
from graph_engine.vectorstores.records import flat_metadata, record_id

TEXT_KEY = "text"
BATCH_SIZE = 64


class PineconeVectorStore(AsyncVectorStore):
    """See the module docstring."""

    def __init__(self, host: str, api_key: str, embedding: Embeddings, namespace: str = "") -> None:
        self.host = host
        self.namespace = namespace
        self._api_key = api_key
        self._embedding = embedding

    def __repr__(self) -> str:
        return f"PineconeVectorStore(host={self.host!r}, namespace={self.namespace!r})"

    async def aadd_documents(self, documents: list[Document], **kwargs: Any) -> list[str]:
        if not documents:
            return []
        ids = kwargs.get("ids") or [record_id(self.namespace, d) for d in documents]
        vectors = await self._embedding.aembed_documents([d.page_content for d in documents])
        records = [
            {
                "id": id_,
                "values": list(vector),
                "metadata": {**flat_metadata(d.metadata), TEXT_KEY: d.page_content},
            }
            for id_, d, vector in zip(ids, documents, vectors, strict=True)
        ]
        async with self._index() as index:
            for start in range(0, len(records), BATCH_SIZE):
                batch = records[start : start + BATCH_SIZE]
                await self._call(index.upsert(vectors=batch, namespace=self.namespace))
        return list(ids)

    async def asimilarity_search_with_score_by_vector(
        self, embedding: Sequence[float], k: int = 4
    ) -> list[tuple[Document, float]]:
        async with self._index() as index:
            response = await self._call(
                index.query(
                    top_k=k, vector=list(embedding), namespace=self.namespace, include_metadata=True
                )
            )
        found = []
        for match in response.matches:
            metadata = dict(match.metadata or {})
            text = metadata.pop(TEXT_KEY, "")
            document = Document(id=match.id, page_content=str(text), metadata=metadata)
            found.append((document, float(match.score)))
        return found

    async def astats(self) -> Any:
        """The index's ``describe_index_stats`` (vector counts by namespace, dimension)."""
        async with self._index() as index:
            return await self._call(index.describe_index_stats())

    def _index(self) -> Any:
        module = require(
            "pinecone.async_client.async_index",
            feature="The Pinecone store",
            package="pinecone",
        )
        try:
            return module.AsyncIndex(host=self.host, api_key=self._api_key)
        except Exception as error:
            raise provider_error("Pinecone", error, [self._api_key]) from None

    async def _call(self, awaitable: Any) -> Any:
        try:
            return await awaitable
        except Exception as error:
            raise provider_error(f"Pinecone ({self.host})", error, [self._api_key]) from None
