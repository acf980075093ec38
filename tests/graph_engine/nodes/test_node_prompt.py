from __future__ import annotations

from engine_testkit import Flow, run_flow

from graph_engine.nodes.prompt import PromptTemplate
from graph_engine.validate import validate


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
    assert "Unmatched '}'" in problem.message
