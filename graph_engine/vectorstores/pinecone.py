"""``PineconeVectorStore``: documents in a Pinecone index, through the official SDK (v10).

The store talks to one index by its data-plane host (``AsyncIndex(host=…)``, the SDK's
async client: no control-plane call) and one namespace. A document becomes a vector
whose metadata holds the document's metadata (flattened to what Pinecone accepts) and
its text under ``text``. A bound Pinecone key goes only to Pinecone's own hosts
(``*.pinecone.io``) or to the base URL its owner set on the credential (``check_host``).
Create the index with the embedding model's dimension and the
``cosine`` metric, so that scores are cosine similarities as on the other stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from graph_engine.credentials import Credential
from graph_engine.errors import CredentialMismatch
from graph_engine.providers.errors import provider_error
from graph_engine.providers.extras import require
from graph_engine.vectorstores.base import AsyncVectorStore
from graph_engine.vectorstores.records import flat_metadata, record_id

PINECONE_DOMAIN = ".pinecone.io"
TEXT_KEY = "text"
BATCH_SIZE = 64


def check_host(index_host: str, credential: Credential, name: str) -> None:
    """Refuse an index host the credential's key must not be sent to."""
    if credential.provider is None:  # unbound: the caller's own key
        return
    host = _host_and_port(index_host)
    if credential.base_url:
        allowed = _host_and_port(credential.base_url)
        if host == allowed:
            return
        where = f"{allowed[0]}, the host set on the credential"
    else:
        if host[0].endswith(PINECONE_DOMAIN) and host[1] in (None, 443):
            return
        where = f"Pinecone's own hosts (*{PINECONE_DOMAIN})"
    raise CredentialMismatch(
        f"Credential {name!r} is sent only to {where}, not to index_host {host[0]}."
    )


def _host_and_port(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url if "://" in url else f"https://{url}")
    return (parts.hostname or "").lower().rstrip("."), parts.port


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
