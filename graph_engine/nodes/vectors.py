"""Vector stores: ``vector.upsert`` writes documents, ``vector.search`` finds the nearest.

``vector.upsert`` embeds its documents with the model on its ``embeddings`` input and
writes them to a store; its ``retriever`` output is that store (a LangChain
``VectorStore`` holding the same embedding model), which ``vector.search`` queries.

- ``memory``: langchain-core's ``InMemoryVectorStore``, alive for the run;
- ``pgvector``: a PostgreSQL table with the ``vector`` extension (``table``,
  ``collection``; the URL from a credential or ``connection``);
- ``pinecone``: an index by its data-plane host, in a ``namespace`` (the API key from a
  credential).

Record ids are derived from the content and metadata, so re-running an upsert
overwrites what it wrote before instead of duplicating it. Scores are cosine
similarities on every store; a found document carries its ``score`` in its metadata.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from graph_engine.errors import NodeError
from graph_engine.nodes.base import CredentialRef, NodeContext, NodeParams, NodeType, Port, PortType


class WrongInput(NodeError):
    code = "wrong_input"
    retryable = False


class Upsert(NodeType):
    type_id = "vector.upsert"
    title = "Vector upsert"
    category = "Vector stores"
    description = (
        "Embeds documents and writes them to a vector store (memory, pgvector or Pinecone); "
        "the store comes out as a retriever for Vector search."
    )

    class Params(NodeParams):
        store: Literal["memory", "pgvector", "pinecone"] = "memory"
        connection: str | None = Field(
            default=None,
            max_length=2000,
            description="pgvector: a postgresql:// URL without a password (else use credential).",
        )
        table: str = Field(
            default="nodeloom_vectors",
            pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$",
            description="pgvector: the table (created on first use).",
        )
        collection: str = Field(
            default="default", min_length=1, max_length=200, description="pgvector only."
        )
        index_host: str | None = Field(
            default=None,
            max_length=2000,
            description="pinecone: the index's host, e.g. my-index-abc123.svc.pinecone.io.",
        )
        namespace: str = Field(default="", max_length=500, description="pinecone only.")
        credential: CredentialRef | None = Field(
            default=None,
            description="pgvector: the connection URL; pinecone: the API key.",
        )
        batch_size: int = Field(default=64, ge=1, le=1000, description="Documents per write.")

        @model_validator(mode="after")
        def _store_settings(self) -> Upsert.Params:
            if self.store == "pgvector" and not (self.connection or self.credential):
                raise ValueError("store pgvector needs a connection URL or a credential")
            if self.connection and _has_password(self.connection):
                raise ValueError(
                    "connection holds a password, which would be saved in the workflow: "
                    "put the URL in a credential instead"
                )
            if self.store == "pinecone":
                if not self.index_host:
                    raise ValueError("store pinecone needs index_host")
                if self.credential is None:
                    raise ValueError("store pinecone needs a credential (the API key)")
            return self

    inputs = (
        Port("documents", PortType.DOCUMENTS, title="Documents"),
        Port("embeddings", PortType.EMBEDDINGS, title="Embeddings"),
    )
    outputs = (Port("retriever", PortType.RETRIEVER, title="Retriever"),)

    async def run(
        self, ctx: NodeContext, inputs: Mapping[str, Any], params: Upsert.Params
    ) -> dict[str, Any]:
        from graph_engine.providers.errors import provider_error
        from graph_engine.vectorstores.records import record_id

        embedding = _embedding_model(inputs["embeddings"])
        store = await _open_store(ctx, params, embedding)
        documents = list(inputs["documents"])
        key = params.collection if params.store == "pgvector" else params.namespace
        try:
            for start in range(0, len(documents), params.batch_size):
                ctx.check_cancelled()
                batch = documents[start : start + params.batch_size]
                ids = [record_id(key, document) for document in batch]
                await store.aadd_documents(batch, ids=ids)
        except NodeError:
            raise
        except Exception as error:
            raise provider_error(f"Upsert into {params.store}", error) from None
        ctx.logger.info("Upserted %d documents into %r", len(documents), store)
        return {"retriever": store}


class Search(NodeType):
    type_id = "vector.search"
    title = "Vector search"
    category = "Vector stores"
    description = (
        "The top_k documents nearest to the query (by cosine similarity), optionally only "
        "those scoring at least score_threshold. Each carries its score in its metadata."
    )

    class Params(NodeParams):
        top_k: int = Field(default=4, ge=1, le=100)
        score_threshold: float | None = Field(
            default=None, ge=-1, le=1, description="Minimum cosine similarity."
        )

    inputs = (
        Port("query", PortType.TEXT, title="Query"),
        Port("retriever", PortType.RETRIEVER, title="Retriever"),
    )
    outputs = (Port("documents", PortType.DOCUMENTS, title="Documents"),)

    async def run(
        self, ctx: NodeContext, inputs: Mapping[str, Any], params: Search.Params
    ) -> dict[str, Any]:
        from graph_engine.providers.errors import provider_error

        query, retriever = inputs["query"], inputs["retriever"]
        if not isinstance(query, str):
            raise WrongInput(f"The query must be text, not {type(query).__name__}.")
        try:
            found = await _search(retriever, query, params.top_k)
        except NodeError:
            raise
        except Exception as error:
            raise provider_error("Vector search", error) from None
        threshold = params.score_threshold
        documents = [
            _with_score(document, score)
            for document, score in found
            if threshold is None or score is None or score >= threshold
        ]
        return {"documents": documents}


def _has_password(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        return bool(urlsplit(url).password)
    except ValueError:
        return False


def _embedding_model(value: Any) -> Any:
    from langchain_core.embeddings import Embeddings

    if not isinstance(value, Embeddings):
        raise WrongInput(
            "The embeddings input must be an embedding model (wire it from model.embeddings), "
            f"not {type(value).__name__}."
        )
    return value


async def _open_store(ctx: NodeContext, params: Upsert.Params, embedding: Any) -> Any:
    if params.store == "memory":
        from langchain_core.vectorstores import InMemoryVectorStore

        return InMemoryVectorStore(embedding)
    if params.store == "pgvector":
        from graph_engine.vectorstores.pgvector import PgVectorStore

        dsn = params.connection or ""
        if params.credential is not None:
            dsn = (await ctx.credential(params.credential, provider="postgres")).secret
        return PgVectorStore(dsn, embedding, params.table, params.collection)
    from graph_engine.vectorstores.pinecone import PineconeVectorStore, check_host

    assert params.index_host is not None and params.credential is not None  # the validator
    credential = await ctx.credential(params.credential, provider="pinecone")
    check_host(params.index_host, credential, params.credential.name)
    return PineconeVectorStore(params.index_host, credential.secret, embedding, params.namespace)


async def _search(retriever: Any, query: str, top_k: int) -> list[tuple[Any, float | None]]:
    from langchain_core.retrievers import BaseRetriever
    from langchain_core.vectorstores import VectorStore

    if isinstance(retriever, VectorStore):
        return await retriever.asimilarity_search_with_score(query, k=top_k)
    if isinstance(retriever, BaseRetriever):
        return [(document, None) for document in (await retriever.ainvoke(query))[:top_k]]
    raise WrongInput(
        "The retriever input must be a vector store (wire it from vector.upsert), "
        f"not {type(retriever).__name__}."
    )


def _with_score(document: Any, score: float | None) -> Any:
    if score is None:
        return document
    return document.model_copy(update={"metadata": {**document.metadata, "score": score}})
