"""The emitter: events built without validation equal validated ones; bad calls fail
at ``emit``; a sink gets events in ``seq`` order."""

from __future__ import annotations

from typing import Any

import pytest
from engine_testkit import Flow, run_flow
from pydantic import BaseModel, ValidationError

from graph_engine.emitter import Emitter
from graph_engine.events import ListSink, NodeStarted, NodeStartedData, RunStarted


def validated(model: BaseModel) -> BaseModel:
    """``model`` made again the ordinary way, from the fields it says it was given."""
    fields: dict[str, Any] = {name: getattr(model, name) for name in model.model_fields_set}
    for name, value in fields.items():
        if isinstance(value, BaseModel):
            fields[name] = validated(value)
    return type(model)(**fields)


async def test_events_built_without_validation_equal_validated_ones():
    flow = (
        Flow()
        .node("q", "io.input", name="q")
        .node("s", "test.spin", rounds=2)
        .node("t", "prompt.template", template="{a} {b}")
        .node("o", "io.output", name="o")
        .wire("q.value", "t.a")
        .wire("s.text", "t.b")
        .wire("t.prompt", "o.value")
    )
    result, sink = await run_flow(flow, {"q": "hi"}, workflow_id="wf")
    assert result.outputs == {"o": "hi spun"}
    assert {"run.started", "node.token", "node.succeeded", "run.succeeded"} <= set(sink.types())
    for event in sink.events:
        again = validated(event)
        assert event == again and repr(event) == repr(again)
        assert event.model_fields_set == again.model_fields_set
        assert event.data.model_fields_set == again.data.model_fields_set
        assert event.model_dump_json() == again.model_dump_json()


async def test_a_bad_event_fails_at_emit_and_an_unusual_one_is_validated():
    sink = ListSink()
    emitter = Emitter(sink, "r", None)
    with pytest.raises(ValidationError):
        emitter.emit(NodeStarted, NodeStartedData(node_type="x"))  # no node_id
    with pytest.raises(ValidationError):
        emitter.emit(RunStarted, NodeStartedData(node_type="x"))  # the wrong data
    emitter.emit(NodeStarted, {"node_type": "x"}, "n")  # type: ignore[arg-type]
    await emitter.aclose()
    (event,) = sink.events
    assert event.data == NodeStartedData(node_type="x") and event.seq == 1
