"""What ``nodeloom run`` prints at the end: the outputs, or why the run did not succeed.

Humans get ``name: value`` lines on stdout (status on stderr); ``--json`` gets one object
with ``status``, ``run_id``, ``outputs``, ``events``, ``duration_ms``, ``problems`` and,
unless it succeeded, ``interrupted`` (plus ``node_id`` and ``error`` when it failed).
Resolved credential values are replaced by ``***`` everywhere.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from backend.commands.progress import Progress, duration
from backend.commands.workflow_file import CheckedWorkflow, problem_line, problems_json
from backend.credentials.environment import EnvironmentCredentials

if TYPE_CHECKING:
    from graph_engine import RunResult


def print_invalid(checked: CheckedWorkflow, as_json: bool, hint: str | None = None) -> None:
    """One line per problem on stderr (``hint`` last, if any), or the JSON report."""
    if as_json:
        report = {**_empty_report("invalid"), "problems": problems_json(checked)}
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for problem in checked.problems:
        print(problem_line(checked.path, problem), file=sys.stderr)
    print(
        f"{checked.path}: {hint or 'the workflow cannot run; fix the errors above.'}",
        file=sys.stderr,
    )


def _empty_report(status: str) -> dict[str, Any]:
    return {"status": status, "outputs": {}, "events": 0, "duration_ms": 0.0, "problems": []}


def json_report(
    result: RunResult,
    progress: Progress,
    credentials: EnvironmentCredentials | None,
    checked: CheckedWorkflow | None,
) -> dict[str, Any]:
    """``credentials`` and ``checked`` are None for a run on a server (``remote-run``): the
    server scrubbed its events and checked the workflow when it was saved."""
    report = {
        "status": result.status,
        "run_id": result.run_id,
        "outputs": _scrubbed(credentials, jsonable(result.outputs)),
        "events": progress.count,
        "duration_ms": round(result.duration_ms, 3),
        "problems": problems_json(checked) if checked is not None else [],
    }
    if result.status == "failed":
        report["node_id"] = result.node_id
        report["error"] = result.error.model_dump() if result.error else None
    if result.status != "succeeded":
        report["interrupted"] = progress.interrupted
    return report


def print_report(
    result: RunResult,
    progress: Progress,
    credentials: EnvironmentCredentials | None,
    checked: CheckedWorkflow | None,
    *,
    as_json: bool,
    quiet: bool,
) -> None:
    """The end of a run on stdout: the ``--json`` object, or the outputs (see ``print_result``)."""
    if as_json:
        print(json.dumps(json_report(result, progress, credentials, checked), indent=2))
    else:
        print_result(result, progress, credentials, quiet=quiet)


def print_result(
    result: RunResult,
    progress: Progress,
    credentials: EnvironmentCredentials | None,
    *,
    quiet: bool,
) -> None:
    took = duration(result.duration_ms)
    interrupted = (
        f" (interrupted: {', '.join(progress.interrupted)})" if progress.interrupted else ""
    )
    if result.status == "succeeded":
        if not quiet:
            print(f"Run succeeded in {took}.", file=sys.stderr)
        for name, value in _scrubbed(credentials, jsonable(result.outputs)).items():
            print(_output_text(name, value))
    elif result.status == "failed":
        error = result.error
        reason = f"{error.type}: {error.message}" if error else "unknown error"
        node_id = result.node_id
        at = f" at node {node_id!r} ({progress.node_types.get(node_id)})" if node_id else ""
        print(f"Run failed{at} after {took}: {reason}{interrupted}", file=sys.stderr)
    else:
        print(f"Run cancelled after {took}{interrupted}.", file=sys.stderr)


def _scrubbed(credentials: EnvironmentCredentials | None, value: Any) -> Any:
    return value if credentials is None else credentials.scrub(value)


def _output_text(name: str, value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
    if "\n" not in text:
        return f"{name}: {text}"
    return f"{name}:\n" + "\n".join("  " + line for line in text.splitlines())


def jsonable(value: Any) -> Any:
    """A run-time value as JSON: documents and messages by their content, opaque objects
    (a retriever, an embeddings model) by their class name."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    page_content = getattr(value, "page_content", None)
    if isinstance(page_content, str):
        return {"page_content": page_content, "metadata": jsonable(getattr(value, "metadata", {}))}
    content, kind = getattr(value, "content", None), getattr(value, "type", None)
    if content is not None and isinstance(kind, str):
        return {"type": kind, "content": jsonable(content)}
    return f"<{type(value).__name__}>"
