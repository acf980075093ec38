"""Every kind of problem, in the exact words a person reads: titles, not ids; what to do;
no pydantic prefixes. A change of wording is a change of this table."""

# ruff: noqa: E501 (the messages are kept whole, as a person reads them)

from __future__ import annotations

import re

import pytest
from engine_testkit import Flow

from graph_engine import validate
from graph_engine.analysis import run_blockers
from graph_engine.run_inputs import DeclaredInput, input_problems


def _two_outputs() -> Flow:
    return Flow().node(
        "r", "logic.router", rules=[{"route": "yes", "kind": "contains", "value": "y"}]
    )


def graph_cases() -> dict[str, Flow]:
    flow = Flow
    return {
        "unknown_node_type": flow().node("x", "acme.magic"),
        "invalid_params (missing name)": flow().node("i", "io.input"),
        "invalid_params (empty name)": flow().node("i", "io.input", name=""),
        "invalid_params (padded name)": flow().node("i", "io.input", name=" q "),
        "invalid_params (unknown setting)": flow().node("t", "data.text", text="x", colour="red"),
        "invalid_params (wrong type)": flow().node("s", "data.splitter", chunk_size="big"),
        "invalid_params (template)": flow().node("p", "prompt.template", template="{a} {"),
        "invalid_params (rule)": flow().node(
            "r", "logic.router", rules=[{"route": "a", "kind": "regex", "value": "("}]
        ),
        "duplicate_input_name": flow()
        .node("a", "io.input", name="café")
        .node("b", "io.input", name="cafe\u0301")
        .node("o", "io.output", name="o")
        .node("o2", "io.output", name="o2")
        .wire("a", "o")
        .wire("b", "o2"),
        "duplicate_output_name": flow()
        .node("t", "data.text")
        .node("o", "io.output", name="結果")
        .node("o2", "io.output", name="結果")
        .wire("t", "o")
        .wire("t", "o2"),
        "missing_source_handle": _two_outputs()
        .node("t", "data.text")
        .node("o", "io.output", name="o")
        .wire("t", "r.value")
        .wire("r", "o.value"),
        "missing_target_handle": flow()
        .node("a", "data.text")
        .node("b", "data.text")
        .node("p", "prompt.template", template="{x} {y}")
        .node("o", "io.output", name="o")
        .wire("a", "p.x")
        .wire("b", "p")
        .wire("p", "o"),
        "unknown_source_handle": flow()
        .node("t", "data.text")
        .node("o", "io.output", name="o")
        .wire("t.words", "o.value"),
        "unknown_target_handle": flow()
        .node("t", "data.text")
        .node("o", "io.output", name="o")
        .wire("t.text", "o.result"),
        "incompatible_ports": flow()
        .node("l", "data.loader", content="x")
        .node("p", "prompt.template", template="{doc}")
        .node("o", "io.output", name="o")
        .wire("l", "p.doc")
        .wire("p", "o"),
        "input_already_connected": flow()
        .node("a", "data.text")
        .node("b", "data.text")
        .node("o", "io.output", name="o")
        .wire("a", "o.value")
        .wire("b", "o.value"),
        "missing_required_input": flow()
        .node("p", "prompt.template", template="{a} and {b}")
        .node("o", "io.output", name="o")
        .node("i", "io.input", name="a")
        .wire("i", "p.a")
        .wire("p", "o"),
        "cycle": flow()
        .node("a", "prompt.template", template="{x}")
        .node("b", "prompt.template", template="{x}")
        .wire("a", "b.x")
        .wire("b", "a.x"),
        "annotation_edge": flow()
        .node("n", "ui.note", text="hi")
        .node("t", "data.text")
        .node("o", "io.output", name="o")
        .wire("t", "o")
        .wire("n", "o.value"),
        "output_unused": flow().node("t", "data.text"),
    }


EXPECTED = {  # code, pointer, node_id, edge_id, message
    "unknown_node_type": [
        (
            "unknown_node_type",
            "/nodes/0/type",
            "x",
            None,
            "Unknown node: there is no node type 'acme.magic'; remove the node or install the plugin that provides it.",
        ),
    ],
    "invalid_params (missing name)": [
        ("invalid_params", "/nodes/0/params/name", "i", None, "Input: give this input a name"),
    ],
    "invalid_params (empty name)": [
        ("invalid_params", "/nodes/0/params/name", "i", None, "Input: give this input a name"),
    ],
    "invalid_params (padded name)": [
        (
            "invalid_params",
            "/nodes/0/params/name",
            "i",
            None,
            "Input: this input's name starts or ends with a space",
        ),
    ],
    "invalid_params (unknown setting)": [
        (
            "invalid_params",
            "/nodes/0/params/colour",
            "t",
            None,
            "Text: 'colour' is not a setting of this node",
        ),
    ],
    "invalid_params (wrong type)": [
        (
            "invalid_params",
            "/nodes/0/params/chunk_size",
            "s",
            None,
            "Text splitter: chunk_size should be a valid integer, unable to parse string as an integer",
        ),
    ],
    "invalid_params (template)": [
        (
            "invalid_params",
            "/nodes/0/params/template",
            "p",
            None,
            "Prompt template: The template has an unmatched '{' at position 4: write a variable as {name} and a literal brace as {{ or }}.",
        ),
    ],
    "invalid_params (rule)": [
        (
            "invalid_params",
            "/nodes/0/params/rules/0",
            "r",
            None,
            "Router: rules #1: invalid regular expression: missing ), unterminated subpattern at position 0",
        ),
    ],
    "duplicate_input_name": [
        (
            "duplicate_input_name",
            "/nodes/1/params/name",
            "b",
            None,
            "Input 'café': another input is also called 'café'; each input needs a name of its own.",
        ),
    ],
    "duplicate_output_name": [
        (
            "duplicate_output_name",
            "/nodes/2/params/name",
            "o2",
            None,
            "Output '結果' 2: another output is also called '結果'; each output needs a name of its own.",
        ),
    ],
    "missing_source_handle": [
        (
            "missing_source_handle",
            "/edges/1/sourceHandle",
            None,
            "r->o.value",
            "The connection from Router to Output 'o' does not say which output of Router it uses (outputs: 'yes', 'default').",
        ),
    ],
    "missing_target_handle": [
        (
            "missing_target_handle",
            "/edges/1/targetHandle",
            None,
            "b->p",
            "The connection from Text 2 to Prompt template does not say which input of Prompt template it uses (inputs: 'x', 'y').",
        ),
        (
            "missing_required_input",
            "/nodes/2",
            "p",
            None,
            "Prompt template: connect its input 'y'.",
        ),
    ],
    "unknown_source_handle": [
        (
            "unknown_source_handle",
            "/edges/0/sourceHandle",
            None,
            "t.words->o.value",
            "The connection from Text to Output 'o' uses output 'words', which Text lacks (outputs: 'text').",
        ),
    ],
    "unknown_target_handle": [
        (
            "unknown_target_handle",
            "/edges/0/targetHandle",
            None,
            "t.text->o.result",
            "The connection from Text to Output 'o' uses input 'result', which Output 'o' lacks (inputs: 'value').",
        ),
        ("missing_required_input", "/nodes/1", "o", None, "Output 'o': connect its input 'value'."),
    ],
    "incompatible_ports": [
        (
            "incompatible_ports",
            "/edges/0",
            None,
            "l->p.doc",
            "The connection from Document loader to Prompt template cannot work: Prompt template's input 'doc' takes text, and Document loader's output 'documents' gives documents.",
        ),
    ],
    "input_already_connected": [
        (
            "input_already_connected",
            "/edges/1/targetHandle",
            None,
            "b->o.value",
            "Output 'o': its input 'value' takes one connection and already has one, from Text 1; remove the connection from Text 2.",
        ),
    ],
    "missing_required_input": [
        (
            "missing_required_input",
            "/nodes/0",
            "p",
            None,
            "Prompt template: connect its input 'b'.",
        ),
    ],
    "cycle": [
        (
            "cycle",
            "/nodes/0",
            "a",
            None,
            "These nodes form a loop: Prompt template 1 → Prompt template 2 → Prompt template 1. Workflows must not loop.",
        ),
    ],
    "annotation_edge": [
        (
            "annotation_edge",
            "/edges/1",
            None,
            "n->o.value",
            "Notes cannot be connected: remove the connection from a note to Output 'o'.",
        ),
    ],
    "output_unused": [
        (
            "output_unused",
            "/nodes/0",
            "t",
            None,
            "Text: nothing uses its output, so it runs for nothing.",
        ),
    ],
}


@pytest.mark.parametrize("case", list(EXPECTED))
def test_each_problem_kind_reads_exactly(case: str):
    problems = validate(graph_cases()[case].document())
    assert [(p.code, p.pointer, p.node_id, p.edge_id, p.message) for p in problems] == (
        EXPECTED[case]
    )


def test_every_code_of_the_validator_is_in_the_table():
    import graph_engine.analysis as analysis

    documented = set(
        re.findall(r"^``(\w+)``\s+(?:error|warning)", analysis.__doc__ or "", re.MULTILINE)
    )
    assert len(documented) == 14
    covered = {code for problems in EXPECTED.values() for code, *_ in problems}
    assert documented == covered


def test_a_workflow_of_notes_alone_has_nothing_to_run():
    (problem,) = run_blockers([], ["ui.note", "ui.group"])
    assert (problem.code, problem.pointer, problem.message) == (
        "nothing_to_run",
        "/nodes",
        "The workflow has no nodes to run; add one (an input, a prompt, a model…) first.",
    )


def test_run_input_problems_read_exactly():
    declared = [DeclaredInput("q"), DeclaredInput("имя", default="x"), DeclaredInput("café")]
    given = {"Q": "1", "café": "2", "cafe\u0301": "3"}
    assert [(p.code, p.pointer, p.message) for p in input_problems(declared, given)] == [
        ("missing_input", "/inputs", "The workflow needs input 'q'."),
        (
            "unknown_input",
            "/inputs/Q",
            "The workflow has no input 'Q'; its inputs are: 'q', 'имя', 'café'.",
        ),
        (
            "duplicate_input",
            "/inputs/cafe\u0301",
            "Input 'cafe\u0301' is given twice, spelt two ways; give it once.",
        ),
    ]
