"""Stopping a run that executes in the caller's task: by the cancel event, by a failed
sink, by cancelling the caller; and the caller's task is left as it was found."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest
from engine_testkit import TEST_REGISTRY, Flow, assert_well_formed, run_flow

from graph_engine.errors import EventSinkError
from graph_engine.events import ListSink
from graph_engine.nodes.base import NodeContext, NodeType, Port, PortType
from graph_engine.registry import Registry
from graph_engine.runner import run

STOPPING = Registry("stopping-tests", parent=TEST_REGISTRY)


class StrayCancel(NodeType, registry=STOPPING):
    """Raises ``CancelledError`` although nobody cancelled anything."""

    type_id = "test.stray_cancel"
    title = "Stray cancel"
    category = "Test"
    outputs = (Port("text", PortType.TEXT),)

    async def run(self, ctx: NodeContext, inputs: Mapping[str, Any], params: Any) -> dict[str, Any]:
        raise asyncio.CancelledError


async def test_cancel_event_leaves_the_callers_task_uncancelled():
    cancel = asyncio.Event()
    asyncio.get_running_loop().call_later(0.05, cancel.set)
    result, sink = await run_flow(Flow().node("s", "test.sleep", seconds=5), cancel=cancel)
    assert result.status == "cancelled" and sink.events[-1].data.interrupted == ["s"]
    assert asyncio.current_task().cancelling() == 0
    await asyncio.sleep(0)  # still cancellable normally, and not cancelled now


async def test_cancelling_the_caller_propagates_and_emits_nothing_more():
    sink = ListSink()
    flow = Flow().node("s", "test.sleep", seconds=5)
    before = asyncio.all_tasks()
    task = asyncio.create_task(run(flow.document(), {}, sink, registry=TEST_REGISTRY))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sink.types() == ["run.started", "node.started"]
    assert asyncio.all_tasks() == before


async def test_a_timeout_around_run_is_the_callers():
    before = asyncio.all_tasks()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await run_flow(Flow().node("s", "test.sleep", seconds=5))
    assert asyncio.current_task().cancelling() == 0
    assert asyncio.all_tasks() == before


async def test_cancel_event_and_caller_cancelled_together_propagates():
    cancel = asyncio.Event()
    task = asyncio.create_task(run_flow(Flow().node("s", "test.sleep", seconds=5), cancel=cancel))
    await asyncio.sleep(0.05)
    cancel.set()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_stray_cancelled_error_in_a_node_fails_the_run_and_nothing_else():
    # Nobody cancelled anything: LangGraph reports it as the node's fault.
    result, sink = await run_flow(Flow().node("x", "test.stray_cancel"), registry=STOPPING)
    assert result.status == "failed" and result.error is not None
    assert result.error.type == "NodeCancelledError"
    assert_well_formed(sink)
    assert asyncio.current_task().cancelling() == 0


async def test_a_sink_failing_on_the_first_event_stops_the_run():
    class Broken:
        async def emit(self, event: Any) -> None:
            raise OSError("broker down")

    loop = asyncio.get_running_loop()
    began = loop.time()
    with pytest.raises(EventSinkError):
        await run(
            Flow().node("s", "test.sleep", seconds=5).document(),
            {},
            Broken(),
            registry=TEST_REGISTRY,
        )
    assert loop.time() - began < 1
    assert asyncio.current_task().cancelling() == 0


async def test_a_slow_sink_gets_every_event_in_order_before_run_returns():
    class Slow(ListSink):
        async def emit(self, event: Any) -> None:
            await asyncio.sleep(0.001)
            await super().emit(event)

    sink = Slow()
    flow = Flow().node("a", "data.text", text="x").node("o", "io.output", name="o")
    result = await run(flow.wire("a.text", "o.value").document(), {}, sink)
    assert result.outputs == {"o": "x"}
    assert_well_formed(sink)
    assert sink.types()[-1] == "run.succeeded"
