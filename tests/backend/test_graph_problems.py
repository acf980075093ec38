"""``backend.graph_problems``: the problems stored with a document, their order, their cost."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from api_support import document, node

from backend.graph_problems import (
    VALIDATOR_FAILED,
    check_document,
    document_problems,
    is_runnable,
    stored_document_problems,
)
from graph_engine import Registry, default_registry, parse_document
from graph_engine.nodes.base import NodeContext, NodeType


def chain(length: int) -> dict[str, Any]:
    """data.text → (length - 2) prompt templates → io.output: valid, no warnings."""
    nodes = [node("n0", text="start")]
    nodes += [node(f"n{i}", "prompt.template", i, template="Step {x}") for i in range(1, length)]
    nodes[-1] = node(f"n{length - 1}", "io.output", length, name="result")
    edges = [
        {
            "id": f"e{i}",
            "source": f"n{i}",
            "sourceHandle": None,
            "target": f"n{i + 1}",
            "targetHandle": None if i == length - 2 else "x",
        }
        for i in range(length - 1)
    ]
    return document("Chain", nodes, edges)


def test_a_thousand_nodes_are_checked_quickly():
    parsed = parse_document(chain(1000))
    timings = []
    for _ in range(5):
        began = time.perf_counter()
        problems = document_problems(parsed)
        timings.append(time.perf_counter() - began)

    assert problems == []
    # The engine takes some 20-30 ms here; this only catches order-of-magnitude slips.
    assert min(timings) < 0.1, timings


async def test_large_documents_are_checked_off_the_event_loop():
    parsed = parse_document(chain(300))

    assert await check_document(parsed) == []


def test_errors_come_first_in_the_stored_form():
    parsed = parse_document(document("W", [node("spare"), node("j", "data.join")]))

    problems = document_problems(parsed)

    assert [(p["severity"], p["code"], p["node_id"]) for p in problems] == [
        ("error", "missing_required_input", "j"),
        ("warning", "output_unused", "spare"),
        ("warning", "output_unused", "j"),
    ]
    assert not is_runnable(problems)
    assert is_runnable(problems[1:])


def test_stored_documents_that_no_longer_parse_report_why():
    problems = stored_document_problems({"format": "nodeloom.workflow", "version": 1})

    assert problems and all(problem["severity"] == "error" for problem in problems)
    assert problems[0]["pointer"] == "/name"


def test_a_fault_in_the_validator_is_stored_not_raised(caplog):
    scope = Registry("test", parent=default_registry())

    class Broken(NodeType, registry=scope):
        type_id = "test.broken"
        title = "Broken"
        category = "Test"

        @classmethod
        def output_ports(cls, params: Any) -> tuple:
            raise RuntimeError("bug in a node type")

        async def run(self, ctx: NodeContext, inputs: Mapping[str, Any], params: Any) -> dict:
            return {}

    parsed = parse_document(document("Oops", [node("b", "test.broken")]))

    problems = document_problems(parsed, scope)

    assert [(p["code"], p["severity"]) for p in problems] == [(VALIDATOR_FAILED, "error")]
    assert "bug in a node type" in caplog.text
