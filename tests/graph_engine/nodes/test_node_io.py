from __future__ import annotations

import pytest
from engine_testkit import TEST_REGISTRY, Flow, ListSink, run_flow

from graph_engine import InvalidRunInputs, run


def echo(**input_params) -> Flow:
    return (
        Flow()
        .node("q", "io.input", name="question", **input_params)
        .node("o", "io.output", name="answer")
        .wire("q.value", "o.value")
    )


async def test_input_value_reaches_the_output_by_name():
    result, _ = await run_flow(echo(), {"question": "why?"})
    assert result.outputs == {"answer": "why?"}


async def test_default_is_used_when_the_run_omits_the_input():
    result, _ = await run_flow(echo(default="because"))
    assert result.outputs == {"answer": "because"}


async def test_a_missing_input_is_refused_before_any_node_starts():
    sink = ListSink()
    with pytest.raises(InvalidRunInputs) as raised:
        await run(echo().document(), {}, sink, registry=TEST_REGISTRY)
    assert [(p.code, p.pointer, p.message) for p in raised.value.problems] == [
        ("missing_input", "/inputs", "The workflow needs input 'question'.")
    ]
    assert [event.type for event in sink.events] == ["run.failed"]
    assert sink.events[0].data.problems[0].code == "missing_input"


async def test_input_names_match_in_nfc_and_come_back_intact():
    flow = (
        Flow()
        .node("q", "io.input", name="donne\u0301es")
        .node("o", "io.output", name="結果")
        .wire("q.value", "o.value")
    )
    result, _ = await run_flow(flow, {"donn\u00e9es": "ok"})  # typed composed
    assert result.outputs == {"結果": "ok"}


async def test_non_text_input_is_refused():
    result, _ = await run_flow(echo(), {"question": {"a": 1}})
    assert result.error is not None and result.error.code == "input_not_text"
