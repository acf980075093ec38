"""The engine end to end: small graphs, asserted on their event streams."""

from __future__ import annotations

import asyncio
import time

import pytest
from engine_testkit import TEST_REGISTRY, Flow, assert_well_formed, run_flow
from fakes.deaf_node import DeafNode

from graph_engine.errors import InvalidRunInputs, ValidationFailed
from graph_engine.events import CallbackSink, ErrorInfo, ListSink
from graph_engine.runner import run


def diamond(seconds: float) -> Flow:
    return (
        Flow()
        .node("q", "io.input", name="question")
        .node("a", "test.sleep", seconds=seconds)
        .node("b", "test.sleep", seconds=seconds)
        .node("c", "test.collect")
        .node("o", "io.output", name="answer")
        .wire("q.value", "a.text")
        .wire("q.value", "b.text")
        .wire("a.text", "c.items")
        .wire("b.text", "c.items")
        .wire("c.items", "o.value")
    )


async def test_diamond_runs_in_dependency_order():
    result, sink = await run_flow(diamond(0.0), {"question": "hi"})
    assert result.status == "succeeded"
    assert result.outputs == {"answer": ["hi", "hi"]}
    assert_well_formed(sink)
    assert sink.types()[0] == "run.started"
    position = {(e.type, getattr(e, "node_id", None)): i for i, e in enumerate(sink.events)}
    for node in "qabco":
        assert position[("node.started", node)] < position[("node.succeeded", node)]
    assert position[("node.succeeded", "a")] < position[("node.started", "c")]
    assert position[("node.succeeded", "b")] < position[("node.started", "c")]
    assert position[("node.succeeded", "c")] < position[("node.started", "o")]
    assert sink.events[-1].data.outputs == {"answer": ["hi", "hi"]}


async def test_parallel_branches_overlap():
    began = time.perf_counter()
    result, sink = await run_flow(diamond(0.3), {"question": "hi"})
    elapsed = time.perf_counter() - began
    assert result.status == "succeeded"
    assert elapsed < 0.5, f"two 0.3 s branches took {elapsed:.2f} s"
    (a_start,), (b_start,) = sink.of("node.started", "a"), sink.of("node.started", "b")
    (a_end,), (b_end,) = sink.of("node.succeeded", "a"), sink.of("node.succeeded", "b")
    assert a_start.ts < b_end.ts and b_start.ts < a_end.ts


async def test_a_chain_does_not_wait_at_each_step_for_a_slow_sibling():
    # LangGraph starts a step only when the whole previous step is done; a chain runs as
    # one graph node, so b2 follows b1 at once instead of waiting for ``slow``.
    flow = (
        Flow()
        .node("q", "io.input", name="question")
        .node("slow", "test.sleep", seconds=0.4)
        .node("b1", "test.sleep")
        .node("b2", "test.sleep")
        .node("c", "test.collect")
        .node("o", "io.output", name="answer")
        .wire("q.value", "slow.text")
        .wire("q.value", "b1.text")
        .wire("b1.text", "b2.text")
        .wire("slow.text", "c.items")
        .wire("b2.text", "c.items")
        .wire("c.items", "o.value")
    )
    result, sink = await run_flow(flow, {"question": "hi"})
    assert result.status == "succeeded" and result.outputs == {"answer": ["hi", "hi"]}
    assert_well_formed(sink)
    (b2_end,), (slow_end,) = sink.of("node.succeeded", "b2"), sink.of("node.succeeded", "slow")
    assert b2_end.ts < slow_end.ts
    (c_start,) = sink.of("node.started", "c")
    assert c_start.ts >= slow_end.ts  # the join still waits for both


def chain_around(node_type: str, settings: dict, **params: object) -> Flow:
    """a → m → z, where m is a ``node_type`` node with these settings and params."""
    return (
        Flow()
        .node("a", "test.sleep", text="hi")
        .node("m", node_type, settings=settings, **params)
        .node("z", "test.sleep")
        .wire("a.text", "m.text")
        .wire("m.text", "z.text")
    )


async def test_a_retried_node_inside_a_chain_is_retried_alone():
    flow = chain_around("test.fail", {"max_attempts": 3}, succeed_on_attempt=2)
    result, sink = await run_flow(flow)
    assert result.status == "succeeded"
    assert len(sink.of("node.started", "a")) == 1
    assert [e.data.attempt for e in sink.of("node.started", "m")] == [1, 2]
    (z_end,) = sink.of("node.succeeded", "z")
    assert z_end.data.outputs == {"text": "ok on attempt 2"}


async def test_a_timeout_inside_a_chain_stops_the_chain_there():
    flow = chain_around("test.sleep", {"timeout_seconds": 0.05}, seconds=5)
    began = time.perf_counter()
    result, sink = await run_flow(flow)
    assert time.perf_counter() - began < 1
    assert result.status == "failed" and result.node_id == "m"
    assert_well_formed(sink)
    (failed,) = sink.of("node.failed")
    assert failed.node_id == "m" and failed.data.error.type == "NodeTimeout"
    assert [e.node_id for e in sink.of("node.succeeded")] == ["a"]
    assert not sink.of("node.started", "z")


async def test_failure_names_the_node_and_cancels_siblings():
    flow = (
        Flow()
        .node("f", "test.fail", seconds=0.05, message="kaput")
        .node("slow", "test.sleep", seconds=5)
        .node("c", "test.collect")
        .wire("f.text", "c.items")
        .wire("slow.text", "c.items")
    )
    before = asyncio.all_tasks()
    began = time.perf_counter()
    result, sink = await run_flow(flow)
    assert time.perf_counter() - began < 1
    assert asyncio.all_tasks() == before, "the run left tasks behind"
    assert result.status == "failed" and result.node_id == "f"
    assert result.error is not None and result.error.type == "ConnectionError"
    assert_well_formed(sink)
    (failed,) = sink.of("node.failed")
    assert failed.node_id == "f" and failed.data.error.message == "kaput"
    end = sink.events[-1]
    assert end.type == "run.failed" and end.data.node_id == "f"
    assert end.data.interrupted == ["slow"]
    assert not sink.of("node.succeeded", "slow") and not sink.of("node.started", "c")


async def test_cancel_inside_a_node_ends_with_run_cancelled():
    cancel = asyncio.Event()
    flow = Flow().node("s", "test.spin").node("after", "test.sleep").wire("s.text", "after.text")
    before = asyncio.all_tasks()
    task = asyncio.create_task(run_flow(flow, cancel=cancel))
    await asyncio.sleep(0.1)
    cancel.set()
    result, sink = await asyncio.wait_for(task, 2)
    assert asyncio.all_tasks() == before
    assert result.status == "cancelled"
    assert_well_formed(sink)
    assert sink.events[-1].type == "run.cancelled"
    assert sink.events[-1].data.interrupted == ["s"]
    assert sink.of("node.token", "s"), "the spinning node streamed tokens"
    assert not sink.of("node.started", "after")


async def test_cancel_between_nodes_stops_the_chain():
    cancel = asyncio.Event()
    flow = (
        Flow()
        .node("one", "test.sleep", seconds=0.05)
        .node("two", "test.sleep", seconds=0.3)
        .node("three", "test.sleep")
        .wire("one.text", "two.text")
        .wire("two.text", "three.text")
    )
    task = asyncio.create_task(run_flow(flow, cancel=cancel))
    await asyncio.sleep(0.15)
    cancel.set()
    result, sink = await task
    assert result.status == "cancelled"
    assert [(e.type, getattr(e, "node_id", None)) for e in sink.events] == [
        ("run.started", None),
        ("node.started", "one"),
        ("node.succeeded", "one"),
        ("node.started", "two"),
        ("run.cancelled", None),
    ]


class Deaf(DeafNode, registry=TEST_REGISTRY):
    pass


@pytest.mark.parametrize("seconds", [5.0, 0.05])
async def test_a_cancel_a_node_swallowed_still_ends_the_run_cancelled(seconds: float):
    # 5 s: the graph is cancelled again and stops; 0.05 s: the node finishes first, and
    # the run is still cancelled, never succeeded.
    cancel = asyncio.Event()
    flow = Flow().node("deaf", "test.deaf", seconds=seconds).node("after", "test.sleep")
    flow.wire("deaf.text", "after.text")
    task = asyncio.create_task(run_flow(flow, cancel=cancel))
    await asyncio.sleep(0.01)
    cancel.set()
    result, sink = await asyncio.wait_for(task, 2)
    assert result.status == "cancelled"
    assert_well_formed(sink)
    assert sink.events[-1].type == "run.cancelled"
    if seconds > 1:
        assert sink.events[-1].data.interrupted == ["deaf"]
        assert not sink.of("node.started", "after")


SHUT_DOWN = ErrorInfo(type="WorkerShutdown", code="worker_shutdown", message="Shut down.")


async def test_a_run_stopped_for_a_reason_ends_failed_with_it_even_past_a_deaf_node():
    # What a worker does at a time limit or a shutdown: a cancel with a reason. A node
    # that swallows the first cancellation must not keep the run going.
    cancel = asyncio.Event()
    flow = Flow().node("deaf", "test.deaf", seconds=5.0).node("after", "test.sleep")
    flow.wire("deaf.text", "after.text")
    task = asyncio.create_task(run_flow(flow, cancel=cancel, abort_reason=lambda: SHUT_DOWN))
    await asyncio.sleep(0.01)
    cancel.set()
    result, sink = await asyncio.wait_for(task, 2)
    assert result.status == "failed" and result.error == SHUT_DOWN
    assert_well_formed(sink)
    (failed,) = sink.of("run.failed")
    assert failed.data.error == SHUT_DOWN and failed.data.node_id is None
    assert failed.data.interrupted == ["deaf"]
    assert not sink.of("node.started", "after")


@pytest.mark.parametrize("reason", [None, SHUT_DOWN])
async def test_a_cancel_with_no_reason_is_a_cancel(reason: ErrorInfo | None):
    cancel = asyncio.Event()
    cancel.set()
    flow = Flow().node("a", "test.sleep")
    result, sink = await run_flow(flow, cancel=cancel, abort_reason=lambda: reason)
    assert sink.types() == ["run.started", "run.cancelled" if reason is None else "run.failed"]
    assert result.status == ("cancelled" if reason is None else "failed")


async def test_cancel_before_start_runs_nothing():
    cancel = asyncio.Event()
    cancel.set()
    result, sink = await run_flow(Flow().node("a", "test.sleep"), cancel=cancel)
    assert result.status == "cancelled"
    assert sink.types() == ["run.started", "run.cancelled"]


@pytest.mark.parametrize(
    ("node_type", "seconds"),
    [
        ("test.sleep", 5.0),
        ("test.deaf", 5.0),  # swallows the deadline's cancellation: cancelled again
        ("test.deaf", 0.1),  # swallows it, then finishes: past its deadline all the same
    ],
)
async def test_timeout_from_settings(node_type: str, seconds: float):
    flow = Flow().node("s", node_type, settings={"timeout_seconds": 0.05}, seconds=seconds)
    result, sink = await run_flow(flow)
    assert result.status == "failed" and result.node_id == "s"
    (failed,) = sink.of("node.failed")
    assert failed.data.error.type == "NodeTimeout" and failed.data.error.code == "node_timeout"
    assert failed.data.duration_ms < 1000
    assert not sink.of("node.succeeded")


async def test_retry_until_an_attempt_succeeds():
    flow = Flow().node("f", "test.fail", settings={"max_attempts": 3}, succeed_on_attempt=3)
    result, sink = await run_flow(flow)
    assert result.status == "succeeded"
    starts = sink.of("node.started", "f")
    assert [e.data.attempt for e in starts] == [1, 2, 3]
    assert starts[0].data.previous_error is None
    assert starts[2].data.previous_error.message == "boom"
    assert not sink.of("node.failed")
    assert sink.of("node.succeeded")[0].data.outputs == {"text": "ok on attempt 3"}


async def test_retries_exhausted_report_one_failure():
    settings = {"max_attempts": 2, "timeout_seconds": 0.02}
    flow = Flow().node("s", "test.sleep", settings=settings, seconds=5)
    result, sink = await run_flow(flow)
    assert result.status == "failed"
    assert [e.data.attempt for e in sink.of("node.started")] == [1, 2]
    (failed,) = sink.of("node.failed")
    assert failed.data.attempt == 2 and failed.data.error.type == "NodeTimeout"


async def test_credentials_are_resolved_and_scrubbed():
    flow = Flow().node("f", "test.fail", message="key was", credential={"$credential": "api"})
    result, sink = await run_flow(flow, credentials={"api": "sk-SECRET"})
    (failed,) = sink.of("node.failed")
    assert failed.data.error.message == "key was ***"
    assert result.error is not None and result.error.message == "key was ***"
    assert "sk-SECRET" not in "".join(e.model_dump_json() for e in sink.events)


async def test_missing_credential_fails_the_node_without_retry():
    flow = Flow().node(
        "f", "test.fail", settings={"max_attempts": 3}, credential={"$credential": "nope"}
    )
    result, sink = await run_flow(flow)
    assert result.error is not None and result.error.code == "credential_not_found"
    assert len(sink.of("node.started")) == 1


async def test_invalid_workflow_emits_run_failed_then_raises():
    sink = ListSink()
    flow = Flow().node("o", "io.output", name="x")
    with pytest.raises(ValidationFailed) as caught:
        await run(flow.document(), {}, sink, run_id="r1")
    assert [p.code for p in caught.value.problems] == ["missing_required_input"]
    (event,) = sink.events
    assert event.type == "run.failed" and event.seq == 1 and event.run_id == "r1"
    assert event.data.error.code == "invalid_workflow"
    assert event.data.problems[0].code == "missing_required_input"


@pytest.mark.parametrize("nodes", [[], [("n", "ui.note")]], ids=["empty", "notes only"])
async def test_a_workflow_with_nothing_to_run_fails_with_a_clear_problem(nodes):
    flow = Flow()
    for node_id, node_type in nodes:
        flow = flow.node(node_id, node_type, text="todo")
    sink = ListSink()
    with pytest.raises(ValidationFailed) as caught:
        await run(flow.document(), {}, sink, run_id="r1")
    assert [(p.code, p.pointer) for p in caught.value.problems] == [("nothing_to_run", "/nodes")]
    (event,) = sink.events
    assert event.type == "run.failed" and event.data.problems[0].code == "nothing_to_run"


async def test_unknown_run_inputs_are_refused():
    sink = ListSink()
    flow = Flow().node("q", "io.input", name="question")
    with pytest.raises(InvalidRunInputs):
        await run(flow.data(), {"questoin": "typo"}, sink)
    assert sink.types() == ["run.failed"]


async def test_text_is_converted_to_messages():
    flow = (
        Flow()
        .node("t", "data.text", text="hello")
        .node("m", "test.messages")
        .node("o", "io.output", name="out")
        .wire("t.text", "m.messages")
        .wire("m.text", "o.value")
    )
    result, _ = await run_flow(flow)
    assert result.outputs == {"out": "human:hello"}


async def test_callback_sink_and_ids_are_passed_through():
    seen = []
    result = await run(
        Flow().node("t", "data.text", text="x").document(),
        {},
        CallbackSink(seen.append),
        run_id="run-7",
        workflow_id="wf-1",
    )
    assert result.run_id == "run-7"
    assert {(e.run_id, e.workflow_id) for e in seen} == {("run-7", "wf-1")}


async def test_a_failing_sink_stops_the_run():
    class Broken:
        async def emit(self, event):
            if event.type == "node.started":
                raise OSError("broker down")

    from graph_engine.errors import EventSinkError

    flow = Flow().node("a", "test.sleep", seconds=5)
    began = time.perf_counter()
    with pytest.raises(EventSinkError):
        await run(flow.document(), {}, Broken(), registry=flow_registry())
    assert time.perf_counter() - began < 1


def flow_registry():
    from engine_testkit import TEST_REGISTRY

    return TEST_REGISTRY


async def test_notes_do_not_run():
    flow = (
        Flow()
        .node("q", "io.input", name="q")
        .node("o", "io.output", name="o")
        .node("note", "ui.note", text="just a note")
        .wire("q", "o")
    )
    result, sink = await run_flow(flow, {"q": "hi"})
    assert result.outputs == {"o": "hi"}
    assert "note" not in {getattr(event, "node_id", None) for event in sink.events}
    assert_well_formed(sink)


async def test_a_template_listed_before_its_feeders_runs():
    from repro_documents import REPRO_INPUTS, REPRO_OUTPUTS, template_before_its_feeders

    sink = ListSink()
    result = await run(template_before_its_feeders(), REPRO_INPUTS, sink)
    assert (result.status, result.outputs) == ("succeeded", REPRO_OUTPUTS)
    assert_well_formed(sink)
