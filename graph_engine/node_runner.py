"""Running one node: gather its inputs, skip or start it, time it out, report it.

This is the engine's per-node hot path and knows nothing of LangGraph: ``compile``
wraps ``execute`` into a graph node. Node outputs live in one dict
``{node_id: {port: value}}`` (the graph state); a ``SKIP`` value marks a branch not taken.

Skipping: a node is skipped (``node.skipped``, not run) when every edge into it carries
``SKIP``, or when a required input received only ``SKIP``. Its outputs are all ``SKIP``,
so skipping flows downstream. A node with some live inputs runs without the skipped
ones (a ``multiple`` port gets the live values only).

Retries: ``max_attempts`` from the node's settings. A failed attempt that may be retried
re-raises the node's own exception (LangGraph's ``RetryPolicy`` retries it); the final
failure emits ``node.failed`` and raises ``NodeFailure``, which is never retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from graph_engine.context import NodeContext, RunScope
from graph_engine.errors import (
    GraphEngineError,
    NodeCancelled,
    NodeError,
    NodeFailure,
    NodeOutputError,
    NodeTimeout,
)
from graph_engine.events import (
    PREVIEW_LIMIT,
    ErrorInfo,
    NodeFailed,
    NodeFailedData,
    NodeSkipped,
    NodeSkippedData,
    NodeStarted,
    NodeStartedData,
    NodeSucceeded,
    NodeSucceededData,
    trusted,
)
from graph_engine.nodes.base import SKIP, NodeType
from graph_engine.ports import PortType, coerce
from graph_engine.preview import preview
from graph_engine.stopping import TaskStop

logger = logging.getLogger(__name__)

MAX_MESSAGE = 2000


@dataclass(frozen=True, slots=True)
class InputSource:
    """One edge into a node, resolved: where its value comes from and where it goes."""

    source: str
    source_port: str
    target_port: str
    convert: tuple[PortType, PortType] | None = None


@dataclass(frozen=True, slots=True)
class NodePlan:
    """Everything needed to run one node, fixed at compile time."""

    node_id: str
    type_id: str
    instance: NodeType
    params: Any
    sources: tuple[InputSource, ...]
    multiple_ports: tuple[str, ...]
    required_ports: tuple[str, ...]
    output_ports: frozenset[str]
    timeout: float | None
    max_attempts: int
    # ``node.started`` data of a first attempt: the same every run (and immutable)
    first_start: NodeStartedData = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        first = NodeStartedData(node_type=self.type_id, attempt=1, previous_error=None)
        object.__setattr__(self, "first_start", first)

    def skipped_outputs(self) -> dict[str, Any]:
        return dict.fromkeys(self.output_ports, SKIP)


async def execute(plan: NodePlan, scope: RunScope, state: Mapping[str, Any]) -> dict[str, Any]:
    """Run (or skip) one node; returns its outputs. Raises ``NodeFailure`` when it fails."""
    inputs, skip_reason = gather(plan, state)
    node_id, emitter = plan.node_id, scope.emitter
    if skip_reason is not None:
        emitter.emit(NodeSkipped, NodeSkippedData(reason=skip_reason), node_id)
        return plan.skipped_outputs()
    attempt = scope.attempts.get(node_id, 0) + 1
    scope.attempts[node_id] = attempt
    if attempt == 1:
        started = plan.first_start
    else:
        started = NodeStartedData(
            node_type=plan.type_id, attempt=attempt, previous_error=scope.last_errors.get(node_id)
        )
    emitter.emit(NodeStarted, started, node_id)
    running = scope.running
    running.add(node_id)
    ctx = NodeContext(scope, node_id, plan.type_id, attempt)
    began = perf_counter()
    try:
        if plan.timeout is None:
            outputs = await plan.instance.run(ctx, inputs, plan.params)
        else:
            outputs = await _run_with_timeout(plan, ctx, inputs)
        if type(outputs) is not dict or outputs.keys() != plan.output_ports:
            _bad_outputs(plan, outputs)
    except (asyncio.CancelledError, NodeCancelled):
        raise  # still in scope.running: the terminal event lists it as interrupted
    except Exception as error:  # any node fault: reported as node.failed, never swallowed
        running.discard(node_id)
        _fail(plan, scope, error, attempt, began)
    running.discard(node_id)
    _succeed(plan, scope, ctx, outputs, attempt, began)
    return outputs


def gather(plan: NodePlan, state: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The node's inputs by port, or a reason to skip it."""
    inputs: dict[str, Any] = {port: [] for port in plan.multiple_ports}
    skipped = 0
    for source in plan.sources:
        value = state[source.source][source.source_port]
        if value is SKIP:
            skipped += 1
            continue
        if source.convert is not None:
            value = coerce(value, *source.convert)
        if source.target_port in plan.multiple_ports:
            inputs[source.target_port].append(value)
        else:
            inputs[source.target_port] = value
    if skipped and skipped == len(plan.sources):
        return inputs, "every input was skipped"
    if skipped:
        for port in plan.required_ports:
            if port not in inputs or inputs[port] == []:
                return inputs, f"its required input {port!r} was skipped"
    return inputs, None


async def _run_with_timeout(
    plan: NodePlan, ctx: NodeContext, inputs: dict[str, Any]
) -> dict[str, Any]:
    """``asyncio.timeout`` cancels once, and a node that swallows that (see ``stopping``)
    would run on past its limit and succeed: the node is cancelled again until it ends,
    and however it ends after its deadline, it timed out."""
    assert plan.timeout is not None
    task = asyncio.current_task()
    assert task is not None
    stop = TaskStop(task)
    deadline = asyncio.get_running_loop().call_later(plan.timeout, stop.request)
    try:
        outputs = await plan.instance.run(ctx, inputs, plan.params)
    except (asyncio.CancelledError, Exception):
        deadline.cancel()
        if stop.disarm():  # cancelled by the deadline, or failed after it passed
            raise _timed_out(plan) from None
        raise
    deadline.cancel()
    if stop.disarm():
        raise _timed_out(plan)
    return outputs


def _timed_out(plan: NodePlan) -> NodeTimeout:
    return NodeTimeout(f"The node took longer than {plan.timeout:g} s.")


def _bad_outputs(plan: NodePlan, outputs: Any) -> None:
    if isinstance(outputs, dict) and outputs.keys() == plan.output_ports:
        return  # a dict subclass with the right ports
    got = sorted(outputs) if isinstance(outputs, dict) else type(outputs).__name__
    raise NodeOutputError(f"The node returned {got}; expected {sorted(plan.output_ports)}.")


def _succeed(
    plan: NodePlan,
    scope: RunScope,
    ctx: NodeContext,
    outputs: dict[str, Any],
    attempt: int,
    began: float,
) -> None:
    shown, truncated = preview(
        {port: value for port, value in outputs.items() if value is not SKIP}, PREVIEW_LIMIT
    )
    fields = {
        "duration_ms": (perf_counter() - began) * 1000,
        "outputs": shown,
        "truncated": truncated,
        "usage": ctx.usage,
        "attempt": attempt,
    }
    data = trusted(NodeSucceededData, fields, set(fields))
    scope.emitter.emit(NodeSucceeded, data, plan.node_id)


def _fail(plan: NodePlan, scope: RunScope, error: Exception, attempt: int, began: float) -> None:
    info = error_info(error)
    logger.debug("Node %s attempt %s failed", plan.node_id, attempt, exc_info=True)
    if attempt < plan.max_attempts and is_retryable(error):
        scope.last_errors[plan.node_id] = info
        raise error
    duration = (perf_counter() - began) * 1000
    data = NodeFailedData(error=info, duration_ms=duration, attempt=attempt)
    scope.emitter.emit(NodeFailed, data, plan.node_id)
    raise NodeFailure(plan.node_id, info.model_dump()) from None


def is_retryable(error: BaseException) -> bool:
    if isinstance(error, NodeError):
        return error.retryable
    return not isinstance(error, GraphEngineError)


def error_info(error: BaseException) -> ErrorInfo:
    message = str(error) or type(error).__name__
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + "…"
    code = error.code if isinstance(error, GraphEngineError) else None
    return ErrorInfo(type=type(error).__name__, code=code, message=message)
