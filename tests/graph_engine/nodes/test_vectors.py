"""``vector.upsert`` and ``vector.search`` on every store: memory, pgvector (a real
PostgreSQL with the vector extension) and Pinecone (the official SDK against the local
data-plane fake; the real service when ``PINECONE_API_KEY`` and ``PINECONE_INDEX_HOST``
are set). Embeddings are the real all-MiniLM-L6-v2.
"""

from __future__ import annotations

import os
import uuid

import asyncpg
import pytest
from engine_testkit import TEST_REGISTRY, Flow, run_flow

from graph_engine import validate
from graph_engine.providers.embeddings import LocalMiniLM
from graph_engine.vectorstores.pgvector import PgVectorStore, plain_dsn
from graph_engine.vectorstores.pinecone import PineconeVectorStore

PASSAGES = [
    "Refunds are paid back to the original card within 30 days of the return.",
    "The office coffee machine is descaled every Friday afternoon.",
    "Passwords must be at least twelve characters long and rotated yearly.",
    "Our data centre in Frankfurt runs on renewable energy.",
    "Parcels to Norway usually arrive within five working days.",
]


def search_flow(store_params: dict, texts: list[str] = PASSAGES, **search: object) -> Flow:
    return (
        Flow()
        .node("docs", "test.docs", texts=texts)
        .node("emb", "model.embeddings", provider="local")
        .node("upsert", "vector.upsert", **store_params)
        .node("q", "io.input", name="question")
        .node("search", "vector.search", **search)
        .node("out", "io.output", name="found")
        .wire("docs.documents", "upsert.documents")
        .wire("emb.embeddings", "upsert.embeddings")
        .wire("q.value", "search.query")
        .wire("upsert.retriever", "search.retriever")
        .wire("search.documents", "out.value")
    )


async def search(case, question: str, **search: object) -> list:
    flow = search_flow(case.params, **search)
    result, _ = await run_flow(flow, {"question": question}, credentials=case.credentials)
    assert result.status == "succeeded", result.error
    return result.outputs["found"]


async def test_search_finds_the_nearest_passage(vector_store):
    found = await search(vector_store, "How long does a refund take?", top_k=3)
    assert len(found) == 3
    assert found[0].page_content == PASSAGES[0]
    assert found[0].metadata["n"] == 0  # the document's own metadata survives the store
    scores = [document.metadata["score"] for document in found]
    assert scores == sorted(scores, reverse=True)
    assert 0.3 < scores[0] <= 1.0 + 1e-6


async def test_upserting_again_overwrites_instead_of_duplicating(vector_store):
    await search(vector_store, "refund")
    found = await search(vector_store, "refund", top_k=20)
    assert sorted(document.page_content for document in found) == sorted(PASSAGES)


async def test_score_threshold_drops_weak_matches(vector_store):
    found = await search(vector_store, "How long does a refund take?", score_threshold=0.45)
    assert [document.page_content for document in found] == [PASSAGES[0]]


# --- pgvector specifics ------------------------------------------------------------


@pytest.mark.postgres
async def test_pgvector_stores_rows_with_metadata_and_vectors(pgvector_url: str):
    collection = f"c_{uuid.uuid4().hex[:8]}"
    params = {"store": "pgvector", "connection": pgvector_url, "table": "rows_check"}
    params["collection"] = collection
    flow = search_flow(params)
    result, _ = await run_flow(flow, {"question": "parcel to Norway"})
    assert result.status == "succeeded", result.error
    assert result.outputs["found"][0].page_content == PASSAGES[4]
    connection = await asyncpg.connect(plain_dsn(pgvector_url))
    try:
        rows = await connection.fetch(
            "SELECT content, metadata->>'n' AS n, vector_dims(embedding) AS dims "
            "FROM rows_check WHERE collection = $1 ORDER BY (metadata->>'n')::int",
            collection,
        )
    finally:
        await connection.close()
    assert [(row["content"], row["n"], row["dims"]) for row in rows] == [
        (text, str(n), 384) for n, text in enumerate(PASSAGES)
    ]


@pytest.mark.postgres
async def test_pgvector_refuses_a_model_of_another_dimension(pgvector_url: str):
    from langchain_core.documents import Document
    from langchain_core.embeddings import DeterministicFakeEmbedding

    small = PgVectorStore(pgvector_url, DeterministicFakeEmbedding(size=3), "dims_check", "c")
    await small.aadd_documents([Document(page_content="three dimensions")])
    params = {"store": "pgvector", "connection": pgvector_url, "table": "dims_check"}
    result, _ = await run_flow(search_flow(params), {"question": "refund"})
    assert result.status == "failed"
    assert result.node_id == "upsert"
    assert "holds 3-dimensional vectors" in result.error.message


def test_store_params_are_checked():
    def errors(**params: object) -> list[str]:
        document = search_flow(params).document()
        return [p.message for p in validate(document, TEST_REGISTRY) if p.is_error]

    assert errors(store="memory") == []
    assert any("connection URL or a credential" in m for m in errors(store="pgvector"))
    leaky = errors(store="pgvector", connection="postgresql://app:hunter2@db/app")
    assert any("put the URL in a credential" in m for m in leaky)
    assert errors(store="pgvector", connection="postgresql://app@db/app") == []
    assert any("index_host" in m for m in errors(store="pinecone"))


# --- Pinecone specifics ------------------------------------------------------------


async def test_pinecone_goes_through_the_sdk_with_key_and_api_version(fake_pinecone):
    params = {
        "store": "pinecone",
        "index_host": fake_pinecone.host,
        "namespace": "docs",
        "credential": {"$credential": "pc"},
    }
    flow = search_flow(params)
    result, _ = await run_flow(flow, {"question": "coffee"}, credentials={"pc": "pc-fake-key"})
    assert result.status == "succeeded", result.error
    assert result.outputs["found"][0].page_content == PASSAGES[1]
    assert [seen.path for seen in fake_pinecone.requests] == ["/vectors/upsert", "/query"]
    assert all(seen.headers["Api-Key"] == "pc-fake-key" for seen in fake_pinecone.requests)
    assert all("X-Pinecone-Api-Version" in seen.headers for seen in fake_pinecone.requests)
    stored = fake_pinecone.vectors("docs")
    assert len(stored) == len(PASSAGES)
    assert {record.metadata["text"] for record in stored.values()} == set(PASSAGES)
    store = PineconeVectorStore(fake_pinecone.host, fake_pinecone.api_key, LocalMiniLM(), "docs")
    stats = await store.astats()  # describe_index_stats, through the SDK
    assert stats.namespaces["docs"].vector_count == len(PASSAGES)
    assert stats.dimension == 384


async def test_pinecone_with_a_wrong_key_fails_once_with_the_key_scrubbed(fake_pinecone):
    wrong = "pc-wrong-key-7d2e41"
    params = {
        "store": "pinecone",
        "index_host": fake_pinecone.host,
        "credential": {"$credential": "pc"},
    }
    flow = search_flow(params)
    flow.nodes[2]["settings"] = {"max_attempts": 3}
    result, sink = await run_flow(flow, {"question": "x"}, credentials={"pc": wrong})
    assert result.status == "failed" and result.node_id == "upsert"
    assert result.error.type == "ProviderError"
    assert "Invalid API Key" in result.error.message
    assert len(sink.of("node.started", "upsert")) == 1  # a 401 is not retried
    assert all(wrong not in event.model_dump_json() for event in sink.events)


async def test_real_pinecone():
    key, host = os.environ.get("PINECONE_API_KEY"), os.environ.get("PINECONE_INDEX_HOST")
    if not (key and host):
        pytest.skip(
            "PINECONE_API_KEY and PINECONE_INDEX_HOST (a 384-dimension cosine index) are not "
            "both set: the real Pinecone test needs them"
        )
    namespace = f"nodeloom-test-{uuid.uuid4().hex[:8]}"
    params = {
        "store": "pinecone",
        "index_host": host,
        "namespace": namespace,
        "credential": {"$credential": "pc"},
    }
    flow = search_flow(params)
    for _ in range(10):  # the index is eventually consistent
        result, _ = await run_flow(flow, {"question": "refund"}, credentials={"pc": key})
        assert result.status == "succeeded", result.error
        if result.outputs["found"]:
            break
    assert result.outputs["found"][0].page_content == PASSAGES[0]
