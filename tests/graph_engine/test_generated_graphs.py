"""Generated workflows against a reference: whatever the shape and the order of nodes and
edges, a workflow that validates runs, gives the reference's outputs and well-formed
events; one that does not validate is refused before it starts, with the same problems.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import pytest
from engine_testkit import assert_well_formed
from generated_workflows import (
    GENERATED_TYPES,
    NEEDS_A_MODEL_OR_SERVICE,
    Broken,
    Generated,
    describe,
    invalid_workflows,
    reference_run,
    valid_workflows,
)
from hypothesis import given, note
from hypothesis import strategies as st

from graph_engine import ValidationFailed, parse_document, run, validate
from graph_engine.compile import compile_workflow
from graph_engine.events import ListSink
from graph_engine.registry import default_registry

NODE_END = {"node.succeeded", "node.skipped", "node.failed"}


def test_every_model_free_type_is_generated():
    catalogue = {node_type.type_id for node_type in default_registry()}
    assert catalogue == set(GENERATED_TYPES) | set(NEEDS_A_MODEL_OR_SERVICE), (
        "a node type was added: draw it in tests/generated_workflows.py, or list it there "
        "as needing a model or a service"
    )


def _run(generated: Generated) -> tuple[Any, ListSink]:
    sink = ListSink()
    result = asyncio.run(run(generated.data, generated.inputs, sink))
    return result, sink


def _node_events(sink: ListSink) -> dict[str, list[tuple[str, Any]]]:
    """Each node's events without their timing, in order."""
    events: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for event in sink.events:
        if getattr(event, "node_id", None) is not None:
            data = event.data.model_dump(exclude={"duration_ms"})
            events[event.node_id].append((event.type, data))
    return dict(events)


def check_events(generated: Generated, sink: ListSink, expected: Any) -> None:
    """seq 1, 2, 3… with one terminal event last; each node started then succeeded, or
    was skipped, as the reference says; no node began before every node feeding it ended."""
    assert_well_formed(sink)
    assert sink.events[0].type == "run.started"
    began: dict[str, int] = {}
    ended: dict[str, int] = {}
    kinds: dict[str, list[str]] = defaultdict(list)
    for event in sink.events:
        if getattr(event, "node_id", None) is None:
            continue
        kinds[event.node_id].append(event.type)
        began.setdefault(event.node_id, event.seq)
        if event.type in NODE_END:
            ended[event.node_id] = event.seq
    for node_id in expected.ran:
        assert kinds[node_id] == ["node.started", "node.succeeded"], node_id
    for node_id in expected.skipped:
        assert kinds[node_id] == ["node.skipped"], node_id
    assert set(kinds) == expected.ran | expected.skipped
    for edge in generated.data["edges"]:
        assert ended[edge["source"]] < began[edge["target"]], edge["id"]


@given(valid_workflows(), st.randoms(use_true_random=False))
def test_any_valid_workflow_runs_like_the_reference_in_any_order(generated, random):
    note(describe(generated))
    assert [p for p in validate(parse_document(generated.data)) if p.is_error] == []
    expected = asyncio.run(reference_run(generated))

    result, sink = _run(generated)
    assert result.status == "succeeded", (result.error, result.node_id)
    assert result.outputs == expected.outputs
    check_events(generated, sink, expected)

    nodes = list(range(len(generated.data["nodes"])))
    edges = list(range(len(generated.data["edges"])))
    random.shuffle(nodes)
    random.shuffle(edges)
    reordered = generated.shuffled(nodes, edges)
    again, again_sink = _run(reordered)
    assert again.outputs == result.outputs
    assert _node_events(again_sink) == _node_events(sink)
    check_events(reordered, again_sink, expected)


@given(invalid_workflows())
def test_a_workflow_that_does_not_validate_is_refused_before_it_starts(broken: Broken):
    note(describe(broken.generated))
    document = parse_document(broken.generated.data)
    errors = [p for p in validate(document) if p.is_error]
    assert broken.code in {p.code for p in errors}
    named = [p for p in errors if p.code == broken.code]
    if broken.node_id is not None:
        assert broken.node_id in {p.node_id for p in named}
    if broken.edge_id is not None:
        assert broken.edge_id in {p.edge_id for p in named}
    for problem in errors:
        assert "Value error" not in problem.message and problem.message[:1].isupper()

    with pytest.raises(ValidationFailed) as raised:
        compile_workflow(document)
    assert raised.value.problems == errors

    sink = ListSink()
    with pytest.raises(ValidationFailed):
        asyncio.run(run(broken.generated.data, broken.generated.inputs, sink))
    (failed,) = sink.events
    assert failed.type == "run.failed"
    assert [problem.model_dump() for problem in failed.data.problems] == [
        problem.as_dict() for problem in errors
    ]
