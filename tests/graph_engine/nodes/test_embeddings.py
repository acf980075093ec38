"""``model.embeddings``: the real all-MiniLM-L6-v2, offline; OpenAI only with a real key."""

from __future__ import annotations

import math
import os

import pytest
from engine_testkit import Flow, run_flow
from langchain_core.embeddings import Embeddings

from graph_engine import validate
from graph_engine.registry import default_registry


def embeddings_flow(**params: object) -> Flow:
    return (
        Flow()
        .node("emb", "model.embeddings", **params)
        .node("out", "io.output", name="model")
        .wire("emb.embeddings", "out.value")
    )


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


async def test_local_model_embeds_meaning_in_384_dimensions():
    result, sink = await run_flow(embeddings_flow(provider="local"))
    assert result.status == "succeeded", result.error
    model = result.outputs["model"]
    assert isinstance(model, Embeddings)
    cat, kitten, invoice = await model.aembed_documents(
        [
            "A cat is sleeping on the sofa.",
            "A kitten naps on the couch.",
            "Quarterly invoices are due at the end of the month.",
        ]
    )
    assert len(cat) == len(kitten) == len(invoice) == 384
    assert math.isclose(sum(x * x for x in cat), 1.0, rel_tol=1e-4)  # normalised
    assert cosine(cat, kitten) > cosine(cat, invoice) + 0.3
    query = await model.aembed_query("Where is the cat?")
    assert cosine(query, cat) > cosine(query, invoice)
    assert sink.of("node.succeeded", "emb")[0].data.outputs == {"embeddings": "<LocalMiniLM>"}


async def test_the_local_model_is_loaded_once_per_process():
    from graph_engine.providers.embeddings import load_minilm

    first, second = await run_flow(embeddings_flow()), await run_flow(embeddings_flow())
    assert first[0].status == second[0].status == "succeeded"
    assert load_minilm() is load_minilm()


def test_params_are_checked_per_provider():
    def errors(**params: object) -> list[str]:
        document = embeddings_flow(**params).document()
        return [p.message for p in validate(document, default_registry()) if p.is_error]

    assert errors(provider="local") == []
    assert any("all-MiniLM-L6-v2 only" in m for m in errors(provider="local", model="bge"))
    assert any("needs a credential" in m for m in errors(provider="openai"))


async def test_openai_embeddings():
    key = os.environ.get("OPENAI_API_KEY")
    if not key:
        pytest.skip("OPENAI_API_KEY is not set: the real OpenAI embeddings test needs it")
    flow = embeddings_flow(provider="openai", credential={"$credential": "openai"})
    result, _ = await run_flow(flow, credentials={"openai": key})
    assert result.status == "succeeded", result.error
    vector = await result.outputs["model"].aembed_query("hello")
    assert len(vector) == 1536
