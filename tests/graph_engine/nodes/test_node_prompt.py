from __future__ import annotations

import json
from pathlib import Path

import pytest
from engine_testkit import Flow, run_flow

from graph_engine import validate
from graph_engine.nodes.prompt import PromptTemplate
from graph_engine.templating import TemplateError, variables

# The canvas's scanTemplate (frontend/src/canvas/ports.test.ts) is held to these too.
CASES = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "template_cases.json").read_text("utf-8")
)


def ports(template: str) -> list[str]:
    params = PromptTemplate.Params(template=template)
    return [port.name for port in PromptTemplate.input_ports(params)]


def test_one_input_port_per_variable_in_order():
    assert ports("{question} about {topic}, again {question}") == ["question", "topic"]
    assert ports("literal {{braces}} and {x}") == ["x"]
    assert ports("no variables") == []


async def test_template_is_filled_and_braces_unescaped():
    flow = (
        Flow()
        .node("q", "io.input", name="q")
        .node("t", "data.text", text="v")
        .node("p", "prompt.template", template='Q: {q} JSON: {{"k": "{t}"}}')
        .node("o", "io.output", name="prompt")
        .wire("q.value", "p.q")
        .wire("t.text", "p.t")
        .wire("p.prompt", "o.value")
    )
    result, _ = await run_flow(flow, {"q": "hi"})
    assert result.outputs == {"prompt": 'Q: hi JSON: {"k": "v"}'}


def test_every_variable_must_be_connected():
    flow = Flow().node("q", "io.input", name="q").node("p", "prompt.template", template="{a}{b}")
    flow.wire("q", "p.a")
    problems = validate(flow.document())
    assert [(p.code, p.node_id) for p in problems if p.is_error] == [
        ("missing_required_input", "p")
    ]
    assert "'b'" in problems[0].message


def test_unbalanced_braces_are_refused():
    flow = Flow().node("p", "prompt.template", template="oops } here")
    (problem,) = [p for p in validate(flow.document()) if p.code == "invalid_params"]
    assert problem.message == (
        "Prompt template: The template has an unmatched '}' at position 5: write a "
        "variable as {name} and a literal brace as {{ or }}."
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["template"][:30])
def test_template_cases_shared_with_the_canvas(case):
    if case["error"] is None:
        assert variables(case["template"]) == case["variables"]
    else:
        with pytest.raises(TemplateError) as raised:
            variables(case["template"])
        assert str(raised.value) == case["error"]


async def test_variables_in_any_script_are_filled():
    flow = (
        Flow()
        .node("a", "io.input", name="имя")
        .node("b", "io.input", name="données clés")
        .node("p", "prompt.template", template="{имя} / {donne\u0301es_clés} / {結果}")
        .node("c", "data.text", text="結")
        .node("o", "io.output", name="結果")
        .wire("a.value", "p.имя")
        .wire("b.value", "p.données_clés")
        .wire("c.text", "p.結果")
        .wire("p.prompt", "o.value")
    )
    result, _ = await run_flow(flow, {"имя": "Аня", "données clés": "k"})
    assert result.outputs == {"結果": "Аня / k / 結"}
