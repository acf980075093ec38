"""Flowise chatflows become Nodeloom documents; composition turns into data flow."""

from __future__ import annotations

import base64
import json

from backend.exchange import flowise
from graph_engine import parse_document, validate


def _convert(source: dict):
    conversion = flowise.convert(source)
    return parse_document(conversion.document), conversion.notes


def _edges(document) -> set[tuple[str, str, str, str]]:
    return {(e.source, e.sourceHandle, e.target, e.targetHandle) for e in document.edges}


def test_a_loaders_splitter_comes_after_it_and_feeds_the_store(load_fixture):
    document, notes = _convert(load_fixture("flowise_conversational_rag.json"))

    types = {node.id: node.type for node in document.nodes}
    assert types == {
        "pdfFile_0": "data.loader",
        "recursiveCharacterTextSplitter_0": "data.splitter",
        "openAIEmbeddings_0": "model.embeddings",
        "pinecone_0": "vector.upsert",
        "chatOpenAI_0": "model.chat",
        "conversationalRetrievalQAChain_0": "ui.note",
    }
    assert _edges(document) == {
        ("pdfFile_0", "documents", "recursiveCharacterTextSplitter_0", "documents"),
        ("recursiveCharacterTextSplitter_0", "documents", "pinecone_0", "documents"),
        ("openAIEmbeddings_0", "embeddings", "pinecone_0", "embeddings"),
    }
    by_id = {node.id: node for node in document.nodes}
    assert by_id["recursiveCharacterTextSplitter_0"].params == {
        "chunk_size": 1000,
        "chunk_overlap": 200,  # Flowise wrote "200"
    }
    assert by_id["pinecone_0"].params == {
        "store": "pinecone",
        "namespace": "support",
        "credential": {"$credential": "pinecone"},
    }
    assert by_id["chatOpenAI_0"].params["temperature"] == 0.9
    assert (by_id["pdfFile_0"].position.x, by_id["pdfFile_0"].position.y) == (120, 80)
    assert any("set index_host" in note for note in notes)
    assert sum("Dropped the connection" in note for note in notes) == 2


def test_the_chain_is_a_note_and_flowise_credential_ids_are_not_kept(load_fixture):
    document, _ = _convert(load_fixture("flowise_conversational_rag.json"))

    note = next(node for node in document.nodes if node.type == "ui.note")
    assert "Conversational Retrieval QA Chain" in note.params["text"]
    assert "`conversationalRetrievalQAChain`" in note.params["text"]
    text = json.dumps(document.model_dump())
    assert "5c2e8a8e" not in text and "9a41d3c0" not in text
    assert "{{" not in text  # no "{{node.data.instance}}" references


def test_an_llm_chain_becomes_its_prompt_feeding_its_model(load_fixture):
    document, notes = _convert(load_fixture("flowise_llm_chain.json"))

    assert _edges(document) == {("promptTemplate_0", "prompt", "chatOpenAI_0", "prompt")}
    by_id = {node.id: node for node in document.nodes}
    assert by_id["promptTemplate_0"].params == {
        "template": "Write a short product description for {product}."
    }
    assert by_id["chatOpenAI_0"].params["max_tokens"] == 256
    assert by_id["stickyNote_0"].params == {"text": "Describes products for the catalogue."}
    assert any("its prompt now feeds its model directly" in note for note in notes)
    assert [(p.code, p.node_id) for p in validate(document) if p.is_error] == [
        ("missing_required_input", "promptTemplate_0")
    ]


def test_an_old_style_typed_key_is_not_kept(load_fixture):
    conversion = flowise.convert(load_fixture("flowise_llm_chain.json"))

    assert "sk-FAKE" not in json.dumps(conversion.document)
    assert any("the API key typed into it was not imported" in n for n in conversion.notes)


def test_an_embedded_text_file_comes_across_inline():
    encoded = base64.b64encode(b"Returns within 30 days.").decode()
    source = {
        "nodes": [
            {
                "id": "textFile_0",
                "position": {"x": 1, "y": 2},
                "type": "customNode",
                "data": {
                    "name": "textFile",
                    "label": "Text File",
                    "inputs": {"txtFile": f"data:text/plain;base64,{encoded},filename:policy.txt"},
                    "inputAnchors": [],
                    "outputAnchors": [],
                },
            }
        ],
        "edges": [],
    }

    document, notes = _convert(source)

    assert document.nodes[0].params == {"content": "Returns within 30 days.", "format": "text"}
    assert notes == []


def test_junk_in_the_file_is_survived():
    source = {
        "nodes": [
            {"id": "x", "type": "customNode", "data": {"name": 5, "inputAnchors": []}},
            {"id": "y", "type": "customNode", "data": {"name": "chatOpenAI", "inputs": "?"}},
            7,
        ],
        "edges": [{"source": "x", "target": "y", "targetHandle": None}, "junk"],
    }

    document, notes = _convert(source)

    assert [node.type for node in document.nodes] == ["ui.note", "model.chat"]
    assert document.edges == []
    assert document.name == "Flowise flow"
    assert any("(customNode) has no Nodeloom counterpart" in note for note in notes)
