"""Nodeloom's graph engine: the workflow document, validation, compilation and runs.

A pure library: it imports no web framework, database or message broker. The steps,
each with its own error::

    parse_document (DocumentError) → validate (problems) / compile_workflow
    (ValidationFailed) → run (events to an EventSink, a RunResult)

Node authors import from ``graph_engine.nodes.base``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Names load on first use: importing the package (for the document model, say) must not
# pay for LangGraph, which `compile` imports and which takes about a second to load.
_HOMES = {
    "compile": ("CompiledWorkflow", "CompileOptions", "compile_workflow"),
    "credentials": ("Credential", "CredentialRef", "CredentialResolver", "MappingCredentials"),
    "document": ("WorkflowDocument", "export_bytes", "parse_document"),
    "errors": (
        "DocumentError",
        "EventSinkError",
        "GraphEngineError",
        "InvalidRunInputs",
        "Problem",
        "ValidationFailed",
    ),
    "events": (
        "CallbackSink",
        "EventSink",
        "ListSink",
        "RunEvent",
        "events_json_schema",
        "parse_event",
        "queued_event",
    ),
    "registry": ("Registry", "catalogue", "default_registry"),
    "runner": ("RunResult", "run"),
    "analysis": ("validate",),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}

if TYPE_CHECKING:
    from graph_engine.analysis import validate
    from graph_engine.compile import CompiledWorkflow, CompileOptions, compile_workflow
    from graph_engine.credentials import (
        Credential,
        CredentialRef,
        CredentialResolver,
        MappingCredentials,
    )
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


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'graph_engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"graph_engine.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


__all__ = [
    "CallbackSink",
    "CompileOptions",
    "CompiledWorkflow",
    "Credential",
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
