from __future__ import annotations

from engine_testkit import Flow, run_flow


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


async def test_missing_input_fails_at_the_input_node():
    result, _ = await run_flow(echo())
    assert result.status == "failed" and result.node_id == "q"
    assert result.error is not None and result.error.code == "missing_input"
    assert "question" in result.error.message


async def test_non_text_input_is_refused():
    result, _ = await run_flow(echo(), {"question": {"a": 1}})
    assert result.error is not None and result.error.code == "input_not_text"
