"""The emitter: events built without validation equal validated ones; bad calls fail
at ``emit``; a sink gets events in ``seq`` order."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from engine_testkit import Flow, run_flow
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from graph_engine.emitter import Emitter
from graph_engine.events import (
    ListSink,
    NodeStarted,
    NodeStartedData,
    NodeToken,
    NodeTokenData,
    RunEvent,
    RunStarted,
)


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


class PacedSink(ListSink):
    """Lets one token through per ``grant`` (or every one once ``open``); takes a moment
    over each event, so events queue behind it either way."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.open = False

    async def emit(self, event: RunEvent) -> None:
        await asyncio.sleep(0)
        await super().emit(event)

    async def room_for_token(self) -> None:
        if not self.open:
            await self.gate.wait()
            self.gate.clear()


_steps = st.lists(
    st.one_of(
        st.tuples(st.just("token"), st.sampled_from("ab"), st.text("xyz", min_size=1, max_size=3)),
        st.tuples(st.just("started"), st.sampled_from("ab"), st.just("")),
        st.tuples(st.just("grant"), st.just(""), st.just("")),
        st.tuples(st.just("pause"), st.just(""), st.just("")),
    ),
    max_size=40,
)


async def _emit_paced(steps: list[tuple[str, str, str]], always_room: bool) -> tuple[list, list]:
    sink = PacedSink()
    sink.open = always_room
    emitter = Emitter(sink, "r", None)
    emitted: list[tuple[str, str, str]] = []
    for action, node, text in steps:
        if action == "token":
            emitter.emit(NodeToken, NodeTokenData(text=text), node)
            emitted.append(("node.token", node, text))
        elif action == "started":
            emitter.emit(NodeStarted, NodeStartedData(node_type="x"), node)
            emitted.append(("node.started", node, ""))
        elif action == "grant":
            sink.gate.set()
        if action in ("grant", "pause"):  # other steps follow each other at once
            for _ in range(3):
                await asyncio.sleep(0)
    sink.open = True
    sink.gate.set()
    await emitter.aclose()
    return emitted, sink.events


@settings(max_examples=150, deadline=None)
@given(_steps)
def test_tokens_held_by_a_paced_sink_join_into_chunks_that_keep_the_text_and_the_order(steps):
    emitted, delivered = asyncio.run(_emit_paced(steps, always_room=False))
    assert [event.seq for event in delivered] == list(range(1, len(delivered) + 1))
    # Each delivered event is a run of emitted items next to each other: one event of
    # another kind, or tokens of one node, joined in order.
    rest = list(emitted)
    for event in delivered:
        node = event.node_id
        if event.type != "node.token":
            assert rest.pop(0) == (event.type, node, "")
            continue
        text = ""
        while rest and rest[0][:2] == ("node.token", node) and len(text) < len(event.data.text):
            text += rest.pop(0)[2]
        assert text == event.data.text
    assert rest == []
    assert all(a.ts <= b.ts for a, b in itertools.pairwise(delivered))


@settings(max_examples=50, deadline=None)
@given(_steps)
def test_a_paced_sink_with_room_gets_every_token_on_its_own(steps):
    emitted, delivered = asyncio.run(_emit_paced(steps, always_room=True))
    assert [(e.type, e.node_id, getattr(e.data, "text", "")) for e in delivered] == emitted


async def test_tokens_streamed_while_the_sink_has_no_room_go_out_as_one_chunk():
    sink = PacedSink()
    emitter = Emitter(sink, "r", None)
    for text in ("Hel", "lo", ", ", "world"):
        emitter.emit(NodeToken, NodeTokenData(text=text), "m")
        await asyncio.sleep(0)
    sink.gate.set()
    await asyncio.sleep(0)
    emitter.emit(NodeToken, NodeTokenData(text="!"), "m")
    sink.open = True
    sink.gate.set()
    await emitter.aclose()
    assert [(e.seq, e.data.text) for e in sink.events] == [(1, "Hello, world"), (2, "!")]
    assert sink.events[0].ts < sink.events[1].ts  # the chunk keeps its first token's time
