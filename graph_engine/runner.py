"""Run a workflow: ``await run(document, inputs, sink)`` → ``RunResult``.

The steps, each with its own error::

    parse (DocumentError) → validate + compile (ValidationFailed)
    → check inputs (InvalidRunInputs) → run (events) → RunResult

Pre-flight failures (the first three) emit exactly one event, ``run.failed`` (with
``data.problems``: the document's faults, the validation errors, or the inputs that do
not match), so a queued run never hangs in the UI, and then raise. A document that
``validate`` passes always compiles: given matching inputs, the run starts. Once
``run.started`` is out, ``run`` does not raise for anything a node does: the result and
the terminal event say how it ended —
``run.succeeded``, ``run.failed`` (with the failing node) or ``run.cancelled``.
It raises ``EventSinkError`` if the sink fails, since then nobody can see the run.

Cancelling: set the ``cancel`` event. Running nodes are cancelled (their tasks are
awaited: nothing is left behind), and ``run.cancelled`` is the last event — or
``run.failed``, when ``abort_reason()`` gives the error that made the caller stop the
run (a time limit, a worker shutting down). Cancelling the task that awaits ``run``
also stops the graph, but emits nothing more, and a node that swallows that
cancellation keeps it going: stop a run through ``cancel``. The graph runs in that task
(see ``stopping``): no task of its own, no tasks to watch it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from graph_engine.compile import CompiledWorkflow, CompileOptions, compile_workflow
from graph_engine.context import RunScope
from graph_engine.credentials import Credential, CredentialResolver, as_resolver
from graph_engine.document import WorkflowDocument, parse_document
from graph_engine.emitter import Emitter
from graph_engine.errors import (
    DocumentError,
    InvalidRunInputs,
    NodeCancelled,
    NodeFailure,
    Problem,
    ValidationFailed,
)
from graph_engine.events import (
    ErrorInfo,
    EventSink,
    ProblemInfo,
    RunCancelled,
    RunCancelledData,
    RunFailed,
    RunFailedData,
    RunStarted,
    RunStartedData,
    RunSucceeded,
    RunSucceededData,
    trusted,
)
from graph_engine.node_runner import error_info, gather
from graph_engine.preview import preview, scrub
from graph_engine.registry import Registry
from graph_engine.run_inputs import input_problems, keyed_by_name
from graph_engine.stopping import Stopped, run_stoppable

RUN_OUTPUT_LIMIT = 64 * 1024
"""Bytes of JSON the outputs in ``run.succeeded`` may take (the result holds them all)."""


@dataclass(frozen=True, slots=True)
class RunResult:
    run_id: str
    status: Literal["succeeded", "failed", "cancelled"]
    outputs: dict[str, Any] = field(default_factory=dict)
    error: ErrorInfo | None = None
    node_id: str | None = None
    duration_ms: float = 0.0


async def run(
    document: WorkflowDocument | Mapping[str, Any] | CompiledWorkflow,
    inputs: Mapping[str, Any],
    sink: EventSink,
    *,
    run_id: str | None = None,
    workflow_id: str | None = None,
    cancel: asyncio.Event | None = None,
    abort_reason: Callable[[], ErrorInfo | None] | None = None,
    credentials: CredentialResolver | Mapping[str, Credential | str] | None = None,
    registry: Registry | None = None,
    options: CompileOptions | None = None,
    secrets: Iterable[str] = (),
) -> RunResult:
    """Run ``document`` with ``inputs`` (by ``io.input`` name), emitting to ``sink``.

    ``document`` may be a dict, a ``WorkflowDocument`` or a ``CompiledWorkflow`` (reuse
    one to skip validation and compilation; ``registry``/``options`` are then ignored).
    ``secrets`` are scrubbed from every event from the start, like resolved credentials
    (e.g. keys someone typed into a parameter). ``abort_reason`` is asked once the run
    stopped through ``cancel``: ``None`` makes it cancelled, an error makes it failed.
    """
    emitter = Emitter(sink, run_id or uuid.uuid4().hex, workflow_id)
    emitter.secrets.update(secret for secret in secrets if secret)
    try:
        compiled = _prepare(document, inputs, registry, options, emitter)
        scope = RunScope(
            run_id=emitter.run_id,
            workflow_id=workflow_id,
            emitter=emitter,
            credentials=as_resolver(credentials),
            cancel=cancel or asyncio.Event(),
            inputs=MappingProxyType(keyed_by_name(inputs)),
        )
        result = await _execute(compiled, scope, abort_reason)
    finally:
        await emitter.aclose()
    return result


def _prepare(
    document: WorkflowDocument | Mapping[str, Any] | CompiledWorkflow,
    inputs: Mapping[str, Any],
    registry: Registry | None,
    options: CompileOptions | None,
    emitter: Emitter,
) -> CompiledWorkflow:
    try:
        if isinstance(document, CompiledWorkflow):
            compiled = document
        else:
            if not isinstance(document, WorkflowDocument):
                document = parse_document(document)
            compiled = compile_workflow(document, registry, options)
        if problems := input_problems(compiled.inputs, inputs):
            raise InvalidRunInputs(problems)
    except (DocumentError, ValidationFailed, InvalidRunInputs) as error:
        emitter.emit(RunFailed, _preflight_data(error, error.problems))
        raise
    return compiled


def _preflight_data(error: Exception, problems: list[Problem]) -> RunFailedData:
    return RunFailedData(
        error=error_info(error),
        problems=[ProblemInfo(**problem.as_dict()) for problem in problems],
    )


async def _execute(
    compiled: CompiledWorkflow,
    scope: RunScope,
    abort_reason: Callable[[], ErrorInfo | None] | None,
) -> RunResult:
    began = time.perf_counter()
    started = trusted(RunStartedData, {"node_ids": list(compiled.node_ids)}, {"node_ids"})
    scope.emitter.emit(RunStarted, started)
    if scope.cancel.is_set():
        return _stopped(scope, abort_reason, 0.0)
    outcome: dict[str, Any] | Exception
    try:
        outcome = await run_stoppable(compiled.invoke(scope), scope.cancel, scope.emitter)
    except Exception as error:  # stopped, or a node failed (NodeFailure), or the engine did
        outcome = error
    elapsed = (time.perf_counter() - began) * 1000
    if scope.emitter.failed is not None:
        return RunResult(scope.run_id, "failed", duration_ms=elapsed)  # aclose() raises
    # A cancel set before the run ended wins, also when a node swallowed the cancellation
    # and the graph went on to finish or fail (see ``stopping``).
    if isinstance(outcome, Stopped | NodeCancelled) or scope.cancel.is_set():
        return _stopped(scope, abort_reason, elapsed)
    if isinstance(outcome, Exception):
        return _failed(scope, outcome, elapsed)
    return _succeeded(compiled, scope, outcome, elapsed)


def _succeeded(
    compiled: CompiledWorkflow, scope: RunScope, state: dict[str, Any], elapsed: float
) -> RunResult:
    outputs = {}
    for name, node_id in compiled.output_nodes.items():
        values, skip_reason = gather(compiled.plans[node_id], state)
        if skip_reason is None and "value" in values:
            outputs[name] = values["value"]
    shown, truncated = preview(outputs, RUN_OUTPUT_LIMIT)
    data = trusted(
        RunSucceededData,
        {"duration_ms": elapsed, "outputs": shown, "truncated": truncated},
        {"duration_ms", "outputs", "truncated"},
    )
    scope.emitter.emit(RunSucceeded, data)
    return RunResult(scope.run_id, "succeeded", outputs, duration_ms=elapsed)


def _stopped(
    scope: RunScope, abort_reason: Callable[[], ErrorInfo | None] | None, elapsed: float
) -> RunResult:
    reason = abort_reason() if abort_reason is not None else None
    if reason is not None:
        return _ended_failed(scope, reason, None, elapsed)
    data = RunCancelledData(interrupted=sorted(scope.running), duration_ms=elapsed)
    scope.emitter.emit(RunCancelled, data)
    return RunResult(scope.run_id, "cancelled", duration_ms=elapsed)


def _failed(scope: RunScope, error: BaseException, elapsed: float) -> RunResult:
    if isinstance(error, NodeFailure):
        info, node_id = ErrorInfo(**error.error), error.node_id
    else:  # an engine fault outside any node: still reported, never as a stack
        info, node_id = error_info(error), None
    return _ended_failed(scope, info, node_id, elapsed)


def _ended_failed(
    scope: RunScope, error: ErrorInfo, node_id: str | None, elapsed: float
) -> RunResult:
    info = ErrorInfo(**scrub(error.model_dump(), scope.emitter.secrets))
    data = RunFailedData(
        error=info, node_id=node_id, interrupted=sorted(scope.running), duration_ms=elapsed
    )
    scope.emitter.emit(RunFailed, data)
    return RunResult(scope.run_id, "failed", error=info, node_id=node_id, duration_ms=elapsed)
