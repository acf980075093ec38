from __future__ import annotations

import time

from engine_testkit import TEST_REGISTRY, Flow

from graph_engine import validate
from graph_engine.document import parse_document


def codes(flow: Flow) -> set[tuple[str, str, str]]:
    return {
        (p.code, p.severity, p.pointer) for p in validate(flow.document(), registry=TEST_REGISTRY)
    }


def test_a_valid_workflow_has_no_problems():
    flow = (
        Flow()
        .node("q", "io.input", name="q")
        .node("p", "prompt.template", template="{q}!")
        .node("o", "io.output", name="o")
        .wire("q", "p.q")
        .wire("p", "o")
    )
    assert validate(flow.document()) == []


def test_every_kind_of_problem_is_reported_in_one_call():
    flow = (
        Flow()
        .node("in1", "io.input", name="same")  # 0
        .node("in2", "io.input", name="same")  # 1 duplicate_input_name
        .node("ghost", "no.such.type")  # 2 unknown_node_type
        .node("bad", "prompt.template", template="{oops")  # 3 invalid_params
        .node("docs", "test.docs")  # 4
        .node("p", "prompt.template", template="{a} {b}")  # 5 b is left unconnected
        .node("x", "test.sleep")  # 6 cycle x ↔ y
        .node("y", "test.sleep")  # 7
        .node("lonely", "data.text", text="unused")  # 8 output_unused (warning)
        .node("o", "io.output", name="o")  # 9
        .node("router", "logic.router")  # 10
        .wire("in1.value", "p.a", "e0")
        .wire("in2.value", "p.a", "e1")  # input_already_connected
        .wire("docs.documents", "o.nope", "e2")  # unknown_target_handle
        .wire("docs.documents", "x.text", "e3")  # incompatible_ports
        .wire("x.text", "y.text", "e4")
        .wire("y.text", "x.text", "e5")
        .wire("p.nope", "o.value", "e6")  # unknown_source_handle
        .wire("router.value", "o.value", "e7")  # router has no 'value' output
    )
    found = codes(flow)
    expected = {
        ("duplicate_input_name", "error", "/nodes/1/params/name"),
        ("unknown_node_type", "error", "/nodes/2/type"),
        ("invalid_params", "error", "/nodes/3/params/template"),
        ("input_already_connected", "error", "/edges/1/targetHandle"),
        ("unknown_target_handle", "error", "/edges/2/targetHandle"),
        ("incompatible_ports", "error", "/edges/3"),
        ("unknown_source_handle", "error", "/edges/6/sourceHandle"),
        ("missing_required_input", "error", "/nodes/5"),
        ("missing_required_input", "error", "/nodes/10"),
        ("cycle", "error", "/nodes/6"),
        ("output_unused", "warning", "/nodes/8"),
    }
    assert expected <= found, expected - found


def test_problems_name_their_node_or_edge():
    flow = Flow().node("a", "test.sleep").node("b", "test.docs").wire("b", "a.text", "e-1")
    (incompatible,) = [
        p for p in validate(flow.document(), TEST_REGISTRY) if p.code == "incompatible_ports"
    ]
    assert incompatible.edge_id == "e-1" and "documents" in incompatible.message
    unused = [p for p in validate(flow.document(), TEST_REGISTRY) if p.code == "output_unused"]
    assert {p.node_id for p in unused} == {"a"}


def test_each_cycle_names_its_nodes():
    flow = Flow()
    for node_id in ("a", "b", "c", "d", "e"):
        flow.node(node_id, "test.sleep")
        flow.nodes[-1]["label"] = f"Step {node_id.upper()}"
    flow.wire("a", "b").wire("b", "c").wire("c", "a").wire("d", "d").wire("c", "e")
    cycles = [p for p in validate(flow.document(), TEST_REGISTRY) if p.code == "cycle"]
    assert {p.node_id: p.message for p in cycles} == {
        "a": "These nodes form a loop: Step A → Step B → Step C → Step A. Workflows must not loop.",
        "d": "These nodes form a loop: Step D → Step D. Workflows must not loop.",
    }


def test_null_handles_mean_the_only_port():
    flow = Flow().node("t", "data.text").node("o", "io.output", name="o").wire("t", "o")
    assert validate(flow.document()) == []
    ambiguous = Flow().node("r", "logic.router", rules=[{"route": "a", "kind": "equals"}])
    ambiguous.node("t", "data.text").node("o", "io.output", name="o")
    ambiguous.wire("t", "r").wire("r", "o")
    assert ("missing_source_handle", "error", "/edges/1/sourceHandle") in codes(ambiguous)


def test_params_errors_point_inside_params():
    flow = Flow().node("r", "logic.router", rules=[{"route": "a", "kind": "regex", "value": "("}])
    problems = validate(flow.document())
    assert [p.pointer for p in problems if p.code == "invalid_params"] == [
        "/nodes/0/params/rules/0"
    ]


def test_a_thousand_nodes_validate_quickly():
    nodes = [{"id": f"n{i}", "type": "data.text", "position": {"x": 0, "y": 0}} for i in range(1)]
    nodes += [
        {
            "id": f"n{i}",
            "type": "prompt.template",
            "position": {"x": i, "y": 0},
            "params": {"template": "{x}"},
        }
        for i in range(1, 1000)
    ]
    edges = [
        {
            "id": f"e{i}",
            "source": f"n{i}",
            "sourceHandle": None,
            "target": f"n{i + 1}",
            "targetHandle": "x",
        }
        for i in range(999)
    ]
    document = parse_document(
        {"format": "nodeloom.workflow", "version": 1, "name": "big", "nodes": nodes, "edges": edges}
    )
    began = time.perf_counter()
    problems = validate(document)
    elapsed = time.perf_counter() - began
    assert [p.code for p in problems] == ["output_unused"]
    assert elapsed < 1.0  # bench/validate.py holds the 200 ms target; CI machines vary


def test_notes_are_neither_checked_nor_wired():
    flow = (
        Flow()
        .node("q", "io.input", name="q")
        .node("o", "io.output", name="o")
        .node("note", "ui.note", text="**Remember** to add a model", anything=["goes"])
        .wire("q", "o")
    )
    assert validate(flow.document()) == []
    wired = flow.wire("q.value", "note.text", "to-note")
    assert codes(wired) == {("annotation_edge", "error", "/edges/1")}
