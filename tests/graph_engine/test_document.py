import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph_engine.document import (
    MAX_EDGES,
    MAX_NODES,
    SCHEMA_PATH,
    export_bytes,
    json_schema_text,
    parse_document,
    pointer,
)
from graph_engine.errors import DocumentError


def node(node_id, **extra):
    return {"id": node_id, "type": "data.text", "position": {"x": 0, "y": 0}, **extra}


def edge(edge_id, source, target):
    return {
        "id": edge_id,
        "source": source,
        "sourceHandle": "text",
        "target": target,
        "targetHandle": "value",
    }


def doc(nodes=(), edges=(), **extra):
    return {
        "format": "nodeloom.workflow",
        "version": 1,
        "name": "Test",
        "nodes": list(nodes),
        "edges": list(edges),
        **extra,
    }


def problems_of(data):
    with pytest.raises(DocumentError) as caught:
        parse_document(data)
    return {(problem.pointer, problem.code) for problem in caught.value.problems}


def test_the_design_example_parses():
    data = doc(
        nodes=[
            {
                "id": "q",
                "type": "io.input",
                "position": {"x": 0, "y": 0},
                "params": {"name": "question"},
            },
            {
                "id": "llm",
                "type": "model.chat",
                "position": {"x": 400, "y": 0},
                "params": {"provider": "openai", "credential": {"$credential": "openai"}},
            },
        ],
        edges=[
            {
                "id": "e1",
                "source": "q",
                "sourceHandle": "text",
                "target": "llm",
                "targetHandle": "prompt",
            }
        ],
        viewport={"x": 0, "y": 0, "zoom": 1},
        credentials=[{"name": "openai", "provider": "openai"}],
    )
    document = parse_document(data)
    assert [n.id for n in document.nodes] == ["q", "llm"]
    assert document.nodes[1].params["credential"] == {"$credential": "openai"}
    assert document.credentials[0].name == "openai"


def test_every_problem_is_reported_at_once():
    data = doc(
        nodes=[node("a"), node("a"), node(7), node("b", position={"x": "left", "y": 0})],
        edges=[edge("e", "a", "ghost"), edge("e", "nowhere", "a")],
        format="other",
        version=2,
    )
    assert problems_of(data) == {
        ("/format", "unsupported_format"),
        ("/version", "unsupported_version"),
        ("/nodes/1/id", "duplicate_node_id"),
        ("/nodes/2/id", "id_not_a_string"),
        ("/nodes/3/position/x", "not_a_number"),
        ("/edges/0/target", "unknown_target_node"),
        ("/edges/1/id", "duplicate_edge_id"),
        ("/edges/1/source", "unknown_source_node"),
    }


def test_messages_name_the_node_at_fault():
    with pytest.raises(DocumentError) as caught:
        parse_document(doc(nodes=[node("loader", position={"x": 1})]))
    (problem,) = caught.value.problems
    assert problem.pointer == "/nodes/0/position/y"
    assert problem.code == "missing_field"
    assert "'loader'" in problem.message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], {("", "not_an_object")}),
        ({"format": "nodeloom.workflow", "version": 1}, {("/name", "missing_field")}),
        ({**doc(), "nodes": "many"}, {("/nodes", "not_a_list")}),
        (doc(surprise=True), {("/surprise", "unknown_field")}),
        (doc(name=""), {("/name", "empty")}),
        (doc(viewport={"x": 0, "y": 0, "zoom": 0}), {("/viewport/zoom", "out_of_range")}),
    ],
)
def test_structural_faults_have_codes_and_pointers(data, expected):
    assert problems_of(data) == expected


def test_node_and_edge_limits():
    too_many_nodes = doc(nodes=[node(f"n{i}") for i in range(MAX_NODES + 1)])
    assert problems_of(too_many_nodes) == {("/nodes", "too_many_nodes")}
    too_many_edges = doc(
        nodes=[node("a")], edges=[edge(f"e{i}", "a", "a") for i in range(MAX_EDGES + 1)]
    )
    assert problems_of(too_many_edges) == {("/edges", "too_many_edges")}
    at_the_limit = parse_document(doc(nodes=[node(f"n{i}") for i in range(MAX_NODES)]))
    assert len(at_the_limit.nodes) == MAX_NODES


def test_export_is_byte_stable_and_keeps_unicode():
    data = doc(
        nodes=[
            node(
                "节点-🚀",
                label="Résumé ✨",
                params={"text": "héllo 👋", "empty": None, "nested": [1, {"a": 2.5}]},
            )
        ],
        name="Support answers 💬",
    )
    first = export_bytes(parse_document(data))
    second = export_bytes(parse_document(json.loads(first)))
    assert first == second
    text = first.decode("utf-8")
    assert "节点-🚀" in text and "Résumé ✨" in text and '"empty": null' in text
    assert text.endswith("}\n")


def test_export_omits_an_unset_label_but_keeps_null_handles():
    data = doc(nodes=[node("a")], edges=[{"id": "e", "source": "a", "target": "a"}])
    exported = json.loads(export_bytes(parse_document(data)))
    assert "label" not in exported["nodes"][0]
    assert exported["edges"][0]["sourceHandle"] is None


def test_checked_in_schema_matches_the_models():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == json_schema_text()


def test_pointer_escapes_per_rfc_6901():
    assert pointer("nodes", 0, "params", "a/b~c") == "/nodes/0/params/a~1b~0c"


def test_export_does_not_depend_on_the_key_order_of_params():
    forwards = doc(nodes=[node("a", params={"b": 1, "a": {"y": 2, "x": [{"d": 1, "c": 2}]}})])
    backwards = doc(nodes=[node("a", params={"a": {"x": [{"c": 2, "d": 1}], "y": 2}, "b": 1})])
    assert export_bytes(parse_document(forwards)) == export_bytes(parse_document(backwards))


def test_appearance_round_trips_and_refuses_a_bad_colour():
    data = doc(nodes=[node("a", ui={"collapsed": True, "color": "#12abEF"})])
    exported = json.loads(export_bytes(parse_document(data)))
    assert exported["nodes"][0]["ui"] == {"collapsed": True, "color": "#12abEF"}
    assert problems_of(doc(nodes=[node("a", ui={"color": "red; x"})])) == {
        ("/nodes/0/ui/color", "string_pattern_mismatch")
    }


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and ±infinity included
    | st.text(st.characters(codec=None, exclude_categories=()), max_size=6),  # NUL, surrogates
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=20,
)


def _nested(value: object, depth: int) -> object:
    for _ in range(depth):
        value = [value]
    return value


@given(
    params=st.dictionaries(st.text(max_size=4), _json_values, max_size=4), depth=st.integers(0, 70)
)
def test_the_fast_check_never_hides_what_the_walk_finds(params, depth):
    from graph_engine.document import _walk_values, value_problems

    data = doc(nodes=[node("a", params={**params, "deep": _nested(1.5, depth)})])
    assert value_problems(data) == _walk_values(data)


def test_params_nest_at_most_64_levels():
    from graph_engine.document import MAX_DEPTH, value_problems

    fits = doc(nodes=[node("a", params={"x": _nested(1, MAX_DEPTH - 4)})])
    deeper = doc(nodes=[node("a", params={"x": _nested(1, MAX_DEPTH - 3)})])
    assert value_problems(fits) == []
    (problem,) = value_problems(deeper)
    assert problem.code == "too_deep" and problem.pointer.count("/") == MAX_DEPTH + 1
