"""Langflow exports become Nodeloom documents; code and keys stay behind."""

from __future__ import annotations

import copy
import json

from backend.exchange import langflow
from graph_engine import parse_document, validate

EVIL = "EVIL-MARKER-7d1f"
TYPED_KEY = "sk-proj-FAKEfakeFAKEfake0123456789abcdEFGH"


def _convert(source: dict):
    conversion = langflow.convert(source)
    return parse_document(conversion.document), conversion.notes


def _edges(document) -> set[tuple[str, str, str, str]]:
    return {(e.source, e.sourceHandle, e.target, e.targetHandle) for e in document.edges}


def test_basic_prompting_keeps_nodes_positions_and_edges(load_fixture):
    document, _ = _convert(load_fixture("langflow_basic_prompting.json"))

    types = {node.id: node.type for node in document.nodes}
    assert types == {
        "ChatInput-Qm3xa": "io.input",
        "Prompt-Lw8re": "prompt.template",
        "URL-Tg5Pz": "ui.note",
        "OpenAIModel-Vd2kc": "model.chat",
        "ChatOutput-Hs7nb": "io.output",
        "note-Rx4Ff": "ui.note",
    }
    positions = {node.id: (node.position.x, node.position.y) for node in document.nodes}
    assert positions["OpenAIModel-Vd2kc"] == (860, 180)
    assert _edges(document) == {
        ("ChatInput-Qm3xa", "value", "Prompt-Lw8re", "question"),
        ("Prompt-Lw8re", "prompt", "OpenAIModel-Vd2kc", "prompt"),
        ("OpenAIModel-Vd2kc", "text", "ChatOutput-Hs7nb", "value"),
    }
    model = next(node for node in document.nodes if node.type == "model.chat")
    assert model.params == {
        "provider": "openai",
        "model": "gpt-4o-mini",
        "temperature": 0.1,
        "credential": {"$credential": "openai"},
    }
    assert (document.name, document.viewport.zoom) == ("Support prompting", 0.8)


def test_an_unknown_component_becomes_a_note_saying_what_it_was(load_fixture):
    document, notes = _convert(load_fixture("langflow_basic_prompting.json"))

    note = next(node for node in document.nodes if node.id == "URL-Tg5Pz")
    assert "Help centre pages" in note.params["text"]
    assert "Langflow component `URL`" in note.params["text"]
    assert "help.example.com" not in json.dumps(note.params)  # its settings stay behind
    assert any("'Help centre pages' (URL) has no Nodeloom counterpart" in n for n in notes)
    assert any("Dropped the connection from 'Help centre pages' to 'Prompt'" in n for n in notes)
    sticky = next(node for node in document.nodes if node.id == "note-Rx4Ff")
    assert sticky.params == {"text": "## Support prompting\nThe prompt quotes help-centre pages."}


def test_component_code_and_typed_keys_leave_no_trace(load_fixture):
    source = load_fixture("langflow_basic_prompting.json")
    # Malicious code in every component, including the unconverted one.
    for node in source["data"]["nodes"]:
        template = node["data"]["node"]["template"]
        template["code"] = {"type": "code", "value": f"__import__('os').system('x') # {EVIL}"}

    conversion = langflow.convert(source)

    text = json.dumps(conversion.document) + json.dumps(conversion.notes)
    assert EVIL not in text
    assert "__import__" not in text
    assert TYPED_KEY not in text
    assert "FAKE" not in text
    assert any(
        "'OpenAI': the API key typed into it was not imported" in n for n in conversion.notes
    )


def test_the_result_validates_with_only_the_gaps_left_to_fill(load_fixture):
    document, _ = _convert(load_fixture("langflow_basic_prompting.json"))

    problems = [(p.code, p.node_id) for p in validate(document)]

    assert problems == [("missing_required_input", "Prompt-Lw8re")]  # {references} lost its URL


def test_a_vector_store_splits_into_upsert_and_search(load_fixture):
    document, notes = _convert(load_fixture("langflow_vector_rag.json"))

    by_id = {node.id: node for node in document.nodes}
    assert by_id["Chroma-p4Ws2"].type == "vector.upsert"
    assert by_id["Chroma-p4Ws2"].params == {"store": "memory"}
    assert by_id["Chroma-p4Ws2-search"].type == "vector.search"
    assert by_id["Chroma-p4Ws2-search"].params == {"top_k": 6}
    assert by_id["ParseData-c8Hh3"].params == {"template": "{page_content}", "separator": "\n---\n"}
    assert by_id["AnthropicModel-w5Zc9"].params["credential"] == {"$credential": "anthropic"}
    assert by_id["File-k2P9d"].params == {}  # a path on the Langflow server means nothing here
    assert "/var/lib/langflow" not in json.dumps(document.model_dump())
    assert {
        ("Chroma-p4Ws2", "retriever", "Chroma-p4Ws2-search", "retriever"),
        ("ChatInput-u3Nn7", "value", "Chroma-p4Ws2-search", "query"),
        ("Chroma-p4Ws2-search", "documents", "ParseData-c8Hh3", "documents"),
        ("RecursiveCharacterTextSplitter-b7Qe1", "documents", "Chroma-p4Ws2", "documents"),
        ("OpenAIEmbeddings-x9Lm4", "embeddings", "Chroma-p4Ws2", "embeddings"),
        ("ParseData-c8Hh3", "text", "Prompt-y1Rt6", "context"),
    } <= _edges(document)
    assert any("Nodeloom has no Chroma store" in n for n in notes)
    assert any("'File': its file was not imported" in n for n in notes)
    # Once the file is chosen again, the graph is whole.
    by_id["File-k2P9d"].params["content"] = "Handbook text"
    assert [p.code for p in validate(document) if p.is_error] == []


def test_handles_are_read_from_the_encoded_strings_when_data_is_missing(load_fixture):
    source = load_fixture("langflow_basic_prompting.json")
    for edge in source["data"]["edges"]:
        edge.pop("data", None)

    document, _ = _convert(source)

    assert ("ChatInput-Qm3xa", "value", "Prompt-Lw8re", "question") in _edges(document)


def test_a_system_message_edge_is_dropped_with_a_note(load_fixture):
    source = load_fixture("langflow_basic_prompting.json")
    edge = copy.deepcopy(source["data"]["edges"][2])
    edge["data"] = {
        "sourceHandle": {"name": "prompt"},
        "targetHandle": {"fieldName": "system_message"},
    }
    source["data"]["edges"][2] = edge

    document, notes = _convert(source)

    assert ("Prompt-Lw8re", "prompt", "OpenAIModel-Vd2kc", "prompt") not in _edges(document)
    assert any("(system_message): Nodeloom has no matching port" in n for n in notes)


def test_junk_in_the_file_is_survived():
    source = {
        "name": 7,
        "data": {
            "nodes": [
                {"id": "a", "type": "genericNode", "data": {"type": "ChatInput", "node": {}}},
                {"id": "a", "type": "genericNode", "position": {"x": "left", "y": None}},
                {"type": "genericNode", "data": {"type": "OpenAIModel", "node": {"template": []}}},
                "nonsense",
            ],
            "edges": [{"source": "a", "target": "missing"}, {"sourceHandle": 5}, 3],
            "viewport": {"zoom": -1},
        },
    }

    document, notes = _convert(source)

    assert [node.id for node in document.nodes] == ["a", "a-2", "langflow-3"]
    assert document.name == "Langflow flow"
    assert document.viewport.zoom == 1.0
    assert document.edges == []
    assert notes


def test_a_keyed_model_s_base_url_moves_to_a_note_not_the_node(load_fixture):
    source = load_fixture("langflow_basic_prompting.json")
    (model,) = [n for n in source["data"]["nodes"] if n["id"] == "OpenAIModel-Vd2kc"]
    model["data"]["node"]["template"]["openai_api_base"]["value"] = "https://proxy.example/v1"

    document, notes = _convert(source)

    (chat,) = [node for node in document.nodes if node.type == "model.chat"]
    assert chat.params.get("base_url") is None  # the key goes only to its credential's URL
    assert chat.params["credential"] == {"$credential": "openai"}
    assert (
        "'OpenAI': its base URL https://proxy.example/v1 belongs on the openai credential you "
        "map, not on the node; set it there." in notes
    )
