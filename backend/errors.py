"""Every error the backend raises on purpose, readable in one place.

Each error has a stable ``code`` (the last part of its problem ``type`` URI), an HTTP
``status`` and a ``title``; ``backend.api.problems`` turns any of them into an RFC 9457
problem response. Errors about parts of a request carry ``FieldProblem``s.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One fault in a request: a body ``pointer`` (RFC 6901) or a named ``parameter``."""

    code: str
    message: str
    pointer: str | None = None
    parameter: str | None = None
    location: str | None = None  # "query", "header", "path" or "cookie" for a parameter
    node_id: str | None = None  # the workflow node at fault, when the body is a workflow

    def as_dict(self) -> dict[str, str]:
        item = {"code": self.code, "message": self.message}
        if self.pointer is not None:
            item["pointer"] = self.pointer
        if self.node_id is not None:
            item["node_id"] = self.node_id
        if self.parameter is not None:
            item["parameter"] = self.parameter
            item["in"] = self.location or "query"
        return item


class NodeloomError(Exception):
    """Base of every error the backend raises on purpose."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Error"

    def __init__(self, detail: str, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = problems or []

    def extensions(self) -> dict[str, Any]:
        """Extra members of the problem document (e.g. ``current_version``)."""
        return {}


class BadRequest(NodeloomError):
    code = "bad_request"
    status = 400
    title = "Bad request"


class MalformedJson(BadRequest):
    """The body is not JSON; ``line`` and ``column`` (1-based) say where, when known."""

    code = "malformed_json"
    title = "Malformed JSON"

    def __init__(self, detail: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(detail, [FieldProblem(self.code, detail, pointer="")])
        self.line = line
        self.column = column

    def extensions(self) -> dict[str, Any]:
        if self.line is None:
            return {}
        return {"line": self.line, "column": self.column}


class InvalidHeader(BadRequest):
    code = "invalid_header"
    title = "Invalid header"


class NotFound(NodeloomError):
    """Something asked for is not there. A subclass only declares its ``code``, ``title``
    and ``message``, a ``str.format`` template whose named fields take the constructor's
    arguments in the order they appear (``RunNotFound(run_id)``)."""

    code = "not_found"
    status = 404
    title = "Not found"
    message: ClassVar[str] = "There is nothing at this address."

    def __init__(self, *values: object) -> None:
        fields = _template_fields(self.message)
        if len(values) != len(fields):
            raise TypeError(f"{type(self).__name__} takes {fields}, got {len(values)} values")
        super().__init__(self.message.format(**dict(zip(fields, values, strict=True))))


def _template_fields(template: str) -> list[str]:
    """The distinct named fields of a ``str.format`` template, in order of appearance."""
    names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    return list(dict.fromkeys(names))


class WorkflowNotFound(NotFound):
    code = "workflow_not_found"
    title = "Workflow not found"
    message = "There is no workflow with id {workflow_id!r}."


class VersionNotFound(NotFound):
    code = "version_not_found"
    title = "Version not found"
    message = "Workflow {workflow_id!r} has no version {version}."


class VersionConflict(NodeloomError):
    """The workflow changed since the version the client based its change on."""

    code = "version_conflict"
    status = 409
    title = "Version conflict"

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(
            f"The workflow is at version {current}, not {expected}: someone saved it in the "
            "meantime. Reload it, reapply your change and save again."
        )
        self.expected = expected
        self.current_version = current

    def extensions(self) -> dict[str, Any]:
        return {"current_version": self.current_version}


class PayloadTooLarge(NodeloomError):
    code = "payload_too_large"
    status = 413
    title = "Payload too large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"Request bodies may hold at most {limit:,} bytes.")
        self.limit = limit

    def extensions(self) -> dict[str, Any]:
        return {"max_body_bytes": self.limit}


class InvalidInput(NodeloomError):
    """The request is well-formed JSON but breaks the rules; ``problems`` says where."""

    code = "invalid_input"
    status = 422
    title = "Invalid input"


class InvalidDocument(InvalidInput):
    code = "invalid_document"
    title = "Invalid workflow document"


class PreconditionRequired(NodeloomError):
    code = "precondition_required"
    status = 428
    title = "Precondition required"


class ServiceUnavailable(NodeloomError):
    code = "service_unavailable"
    status = 503
    title = "Service unavailable"


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached right now (down, restarting, out of connections);
    the same request may well succeed after ``Retry-After`` seconds."""

    code = "database_unavailable"
    title = "Database unavailable"

    def __init__(self, retry_after: int = 5) -> None:
        super().__init__(
            f"The database cannot be reached right now; try again in {retry_after} seconds."
        )
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}

    def extensions(self) -> dict[str, Any]:
        return {"retry_after": self.retry_after}


class InternalError(NodeloomError):
    code = "internal_error"
    status = 500
    title = "Internal server error"


class RunNotFound(NotFound):
    code = "run_not_found"
    title = "Run not found"
    message = "There is no run with id {run_id!r}."


class RunFinished(NodeloomError):
    """The run already ended; it cannot be cancelled any more."""

    code = "run_finished"
    status = 409
    title = "Run already finished"

    def __init__(self, run_id: str, status: str) -> None:
        super().__init__(f"Run {run_id!r} already finished ({status}); there is nothing to cancel.")
        self.run_status = status

    def extensions(self) -> dict[str, Any]:
        return {"run_status": self.run_status}


class WorkflowNotRunnable(InvalidInput):
    code = "workflow_not_runnable"
    title = "Workflow cannot run"


class SecretsInDocument(InvalidInput):
    """A node parameter holds something that looks like a secret (an API key, a password)."""

    code = "secrets_in_document"
    title = "Secrets in the workflow"


class SecretInParams(InvalidInput):
    """A document to store holds something that looks like a secret in a node's params;
    each problem names the node, the param and the kind, and offers to move it into a
    credential (never repeating the value)."""

    code = "secret_in_params"
    title = "Secret in node params"


class UnknownImportFormat(InvalidInput):
    """An import is neither a Nodeloom document nor a Langflow or Flowise export."""

    code = "unknown_import_format"
    title = "Unknown import format"
