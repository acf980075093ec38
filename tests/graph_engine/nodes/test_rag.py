"""Retrieval-augmented generation end to end, on every vector store.

The ``examples/rag.nodeloom.json`` workflow — loader → splitter → embeddings → upsert;
question → search → join → prompt → local chat model — with its upsert node pointed at
memory, pgvector and the Pinecone fake in turn. The retrieved chunks must hold the
passage that answers the question; the model's words are not judged (a 270M base model).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from engine_testkit import run_flow

from graph_engine.document import parse_document

RAG = Path(__file__).resolve().parents[3] / "examples" / "rag.nodeloom.json"


def rag_document(store_params: dict):
    data = json.loads(RAG.read_text())
    for node in data["nodes"]:
        if node["id"] == "store":
            node["params"] = store_params
        if node["id"] == "llm":
            node["params"]["max_tokens"] = 8
    return parse_document(data)


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("How long does a refund take?", "within 30 days"),
        ("How long does shipping to Norway take?", "up to eight working days"),
    ],
)
async def test_rag_answers_from_the_right_passage(vector_store, gemma_path, question, passage):
    document = rag_document(vector_store.params)
    result, sink = await run_flow(
        document, {"question": question}, credentials=vector_store.credentials
    )
    assert result.status == "succeeded", result.error
    sources = result.outputs["sources"]
    assert passage in sources[0].page_content
    assert sources[0].metadata["source"] == "inline"
    assert sink.of("node.token", "llm")
    assert isinstance(result.outputs["answer"], str)
