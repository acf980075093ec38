"""Recognising the tool that wrote an imported file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.errors import UnknownImportFormat
from backend.exchange.detect import detect_format

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("langflow_basic_prompting.json", "langflow"),
        ("langflow_vector_rag.json", "langflow"),
        ("flowise_conversational_rag.json", "flowise"),
        ("flowise_llm_chain.json", "flowise"),
    ],
)
def test_hand_written_exports_are_recognised(file: str, expected: str):
    assert detect_format(json.loads((FIXTURES / file).read_text(encoding="utf-8"))) == expected


@pytest.mark.parametrize(
    "source",
    [
        {"format": "nodeloom.workflow", "version": 1, "name": "A"},
        {"format": "nodeloom.workflow", "version": 9, "name": "Future"},  # refused later
        {"name": "Defaults left out"},
        {"name": "N", "nodes": [{"id": "a", "type": "data.text", "params": {}}]},
    ],
)
def test_nodeloom_documents_are_recognised(source: dict):
    assert detect_format(source) == "nodeloom"


def test_a_bare_langflow_graph_is_recognised():
    graph = json.loads((FIXTURES / "langflow_basic_prompting.json").read_text())["data"]

    assert detect_format(graph) == "langflow"


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ([1, 2], "JSON list"),
        ("workflow", "JSON string"),
        (None, "JSON null"),
        ({"format": "n8n.workflow", "nodes": []}, "'n8n.workflow'"),
        ({"hello": "world"}, "not a workflow"),
        ({"nodes": [{"id": "a", "type": "x"}], "edges": []}, "not a workflow"),
    ],
)
def test_anything_else_is_an_unknown_format_saying_what_it_is(source: object, says: str):
    with pytest.raises(UnknownImportFormat) as caught:
        detect_format(source)

    assert says in caught.value.detail
    assert "Langflow or Flowise" in caught.value.detail
    assert [problem.pointer for problem in caught.value.problems] == ["/source"]
