"""Nodeloom's graph engine: the workflow document, validation, compilation and runs.

A pure library: it imports no web framework, database or message broker. The steps,
each with its own error::

    parse_document (DocumentError) → validate (problems) / compile_workflow
    (ValidationFailed) → run (events to an EventSink, a RunResult)

Node authors import from ``graph_engine.nodes.base``.
"""

from graph_engine.compile import CompiledWorkflow, CompileOptions, compile_workflow
from graph_engine.credentials import CredentialRef, CredentialResolver, MappingCredentials
from graph_engine.document import WorkflowDocument, export_bytes, parse_document
from graph_engine.errors import (
    DocumentError,
    EventSinkError,
    GraphEngineError,
    InvalidRunInputs,
    Problem,
    ValidationFailed,
)
from graph_engine.events import (
    CallbackSink,
    EventSink,
    ListSink,
    RunEvent,
    events_json_schema,
    parse_event,
    queued_event,
)
from graph_engine.registry import Registry, catalogue, default_registry
from graph_engine.runner import RunResult, run
from graph_engine.validate import validate

__all__ = [
    "CallbackSink",
    "CompileOptions",
    "CompiledWorkflow",
    "CredentialRef",
    "CredentialResolver",
    "DocumentError",
    "EventSink",
    "EventSinkError",
    "GraphEngineError",
    "InvalidRunInputs",
    "ListSink",
    "MappingCredentials",
    "Problem",
    "Registry",
    "RunEvent",
    "RunResult",
    "ValidationFailed",
    "WorkflowDocument",
    "catalogue",
    "compile_workflow",
    "default_registry",
    "events_json_schema",
    "export_bytes",
    "parse_document",
    "parse_event",
    "queued_event",
    "run",
    "validate",
]
