"""The document's credentials list, computed from its ``$credential`` references."""

from __future__ import annotations

from backend.exchange.credentials import (
    rename_credentials,
    required_credentials,
    with_credentials,
)
from graph_engine.document import WorkflowDocument


def _document(*nodes: dict, credentials: list | None = None) -> WorkflowDocument:
    return WorkflowDocument.model_validate(
        {"name": "Creds", "nodes": list(nodes), "credentials": credentials or []}
    )


def _node(node_id: str, node_type: str, **params: object) -> dict:
    return {"id": node_id, "type": node_type, "position": {"x": 0, "y": 0}, "params": params}


REF = {"$credential": "openai"}


def test_every_reference_is_listed_once_in_order_of_first_use_with_its_provider():
    document = _document(
        _node("t", "data.text", text="no credential"),
        _node("llm", "model.chat", provider="anthropic", credential={"$credential": "claude"}),
        _node("emb", "model.embeddings", provider="openai", credential=REF),
        _node("pine", "vector.upsert", store="pinecone", credential={"$credential": "pc"}),
        _node("pg", "vector.upsert", store="pgvector", credential={"$credential": "db"}),
        _node("llm2", "model.chat", provider="openai", credential=REF),
        _node("x", "custom.thing", nested={"deep": [{"key": {"$credential": "other"}}]}),
    )

    listed = [(item.name, item.provider) for item in required_credentials(document)]

    assert listed == [
        ("claude", "anthropic"),
        ("openai", "openai"),
        ("pc", "pinecone"),
        ("db", "postgres"),
        ("other", "custom.thing"),
    ]


def test_a_stale_or_forged_list_is_replaced():
    document = _document(
        _node("llm", "model.chat", provider="openai", credential=REF),
        credentials=[{"name": "leftover", "provider": "x"}],
    )

    fixed = with_credentials(document)

    assert [item.name for item in fixed.credentials] == ["openai"]
    assert (
        with_credentials(_document(credentials=[{"name": "a", "provider": "b"}])).credentials == []
    )


def test_renaming_maps_references_everywhere_and_keeps_unmapped_ones():
    document = _document(
        _node("a", "model.chat", provider="openai", credential=REF),
        _node("b", "custom.thing", keys=[REF, {"$credential": "keep"}]),
    )

    renamed = rename_credentials(document, {"openai": "my-openai"})

    assert renamed.nodes[0].params["credential"] == {"$credential": "my-openai"}
    assert renamed.nodes[1].params["keys"] == [
        {"$credential": "my-openai"},
        {"$credential": "keep"},
    ]
    assert [(c.name, c.provider) for c in renamed.credentials] == [
        ("my-openai", "openai"),
        ("keep", "custom.thing"),
    ]
    assert document.nodes[0].params["credential"] == REF  # the original is untouched
