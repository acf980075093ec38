"""Reading a workflow document from a file and describing its problems to a person.

A file is checked the way a save is: its structure first (``parse_document``, every
fault at once), then its graph (``graph_engine.validate``). Either way the result is a
list of problems, each printed on one line::

    flow.json: error [cycle] node 'a' at /nodes/0: These nodes form a loop: A → B → A. …
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend.commands.base import EXIT_USAGE, CommandError

if TYPE_CHECKING:
    from graph_engine import Problem, WorkflowDocument


@dataclass(slots=True)
class CheckedWorkflow:
    """A workflow file after both checks; ``document`` is None when its structure is broken."""

    path: Path
    document: WorkflowDocument | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]

    @property
    def runnable(self) -> bool:
        return self.document is not None and not self.errors


def check_workflow_file(path: Path) -> CheckedWorkflow:
    """Read and check ``path`` (``-`` reads standard input); unreadable files raise."""
    from graph_engine import DocumentError, Problem, parse_document, validate

    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"Not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        return CheckedWorkflow(path, None, [Problem("", "malformed_json", message)])
    except RecursionError:
        return CheckedWorkflow(path, None, [Problem("", "malformed_json", "Nests too deeply.")])
    try:
        document = parse_document(data)
    except DocumentError as error:
        return CheckedWorkflow(path, None, list(error.problems))
    return CheckedWorkflow(path, document, validate(document))  # errors first


def _read_text(path: Path) -> str:
    try:
        if str(path) == "-":
            return sys.stdin.read()
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"no such file: {path}", EXIT_USAGE) from None
    except UnicodeDecodeError as error:
        raise CommandError(f"{path} is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from None


def problem_line(path: Path | str, problem: Problem) -> str:
    """``FILE: SEVERITY [CODE] node 'ID' at POINTER: MESSAGE`` (what applies)."""
    where = []
    if problem.node_id is not None:
        where.append(f"node {problem.node_id!r}")
    if problem.edge_id is not None:
        where.append(f"edge {problem.edge_id!r}")
    where.append(f"at {problem.pointer or '/'}")
    return f"{path}: {problem.severity} [{problem.code}] {' '.join(where)}: {problem.message}"


def summary_line(checked: CheckedWorkflow) -> str:
    errors = len(checked.errors)
    warnings = len(checked.problems) - errors
    if not checked.problems:
        return f"{checked.path}: no problems"
    counts = ", ".join(
        f"{count} {word}{'s' if count != 1 else ''}"
        for count, word in ((errors, "error"), (warnings, "warning"))
        if count
    )
    verdict = "can run" if checked.runnable else "cannot run"
    return f"{checked.path}: {counts} — {verdict}"


def problems_json(checked: CheckedWorkflow) -> list[dict[str, Any]]:
    """The problems in the form a save stores them (the API serves the same)."""
    from backend.graph_problems import as_stored  # imported when used: a quick start-up

    return [dict(problem) for problem in as_stored(list(checked.problems))]
