"""Every error the engine raises, readable in one place.

Each error carries a stable ``code``; errors about a document carry ``Problem``s that
point (RFC 6901) at the part of the document at fault.

The hierarchy::

    GraphEngineError
    ├── DocumentError            the document is not structurally a workflow
    ├── ValidationFailed         the document is a workflow but cannot run (cycle, ports…)
    ├── InvalidRunInputs         run inputs do not match the ``io.input`` nodes
    ├── RegistryError
    │   ├── DuplicateNodeType    two classes claim one ``type_id``
    │   └── UnknownNodeType      a ``type_id`` nobody defined
    ├── EventSinkError           the sink refused an event; the run stops
    └── NodeError                raised inside a node run; becomes ``node.failed``
        ├── NodeTimeout          ``settings.timeout_seconds`` elapsed
        ├── MissingInput         a workflow input has no value and no default
        ├── CredentialNotFound   the resolver has no such credential
        ├── CredentialMismatch   the credential is for another provider or endpoint
        ├── NodeOutputError      a node returned the wrong output ports
        └── NodeCancelled        raised by ``ctx.check_cancelled()``

A node may raise any exception; the engine reports its class name and message (with
credential values scrubbed) and never a stack trace.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One fault in a workflow document.

    ``severity`` is ``"error"`` (blocks runs) or ``"warning"`` (shown, never blocks).
    ``node_id``/``edge_id`` name the node or edge at fault when there is one.
    """

    pointer: str
    code: str
    message: str
    severity: Severity = "error"
    node_id: str | None = None
    edge_id: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        """A problem read back from ``as_dict`` (a stored one); unknown keys are ignored."""
        return cls(
            pointer=str(data.get("pointer", "")),
            code=str(data.get("code", "")),
            message=str(data.get("message", "")),
            severity="warning" if data.get("severity") == "warning" else "error",
            node_id=data.get("node_id"),
            edge_id=data.get("edge_id"),
        )


class GraphEngineError(Exception):
    """Base of every error raised by ``graph_engine``."""

    code = "graph_engine_error"


class _ProblemsError(GraphEngineError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0].message if problems else "invalid document"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more)


class DocumentError(_ProblemsError):
    """The document is not a structurally valid workflow; ``problems`` lists every fault."""

    code = "invalid_document"


class ValidationFailed(_ProblemsError):
    """The workflow cannot run: ``problems`` holds the errors ``graph_engine.validate``
    found (no warnings), or ``nothing_to_run``."""

    code = "invalid_workflow"


class InvalidRunInputs(_ProblemsError):
    """The run's inputs do not match the workflow's ``io.input`` nodes (one missing, or
    one it does not have); ``problems`` lists each (see ``graph_engine.run_inputs``)."""

    code = "invalid_run_inputs"


class RegistryError(GraphEngineError):
    code = "registry_error"


class DuplicateNodeType(RegistryError):
    code = "duplicate_node_type"


class UnknownNodeType(RegistryError, KeyError):
    code = "unknown_node_type"

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else self.code


class EventSinkError(GraphEngineError):
    """The event sink raised; the run is stopped because nobody could watch it."""

    code = "event_sink_failed"


class NodeError(GraphEngineError):
    """Base for errors raised while a node runs. ``retryable`` steers ``max_attempts``."""

    code = "node_error"
    retryable = True


class NodeTimeout(NodeError):
    code = "node_timeout"


class MissingInput(NodeError):
    code = "missing_input"
    retryable = False


class CredentialNotFound(NodeError):
    code = "credential_not_found"
    retryable = False


class CredentialMismatch(NodeError):
    code = "credential_mismatch"
    retryable = False


class NodeOutputError(NodeError):
    code = "bad_node_output"
    retryable = False


class NodeCancelled(NodeError):
    """Raised by ``ctx.check_cancelled()``; the run ends with ``run.cancelled``
    (the event ``events.RunCancelled``)."""

    code = "run_cancelled"
    retryable = False


class NodeFailure(GraphEngineError):
    """Internal: carries a node's final failure out of the graph to the runner."""

    code = "node_failed"

    def __init__(self, node_id: str, error: dict[str, str]) -> None:
        self.node_id = node_id
        self.error = error
        super().__init__(f"Node {node_id!r} failed: {error.get('message', '')}")
