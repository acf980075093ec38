"""Graph problems of a workflow document, in the form they are stored and served.

Every accepted save runs ``graph_engine.validate`` (DESIGN, "Save"): the problems it
finds — a cycle, an incompatible connection, an unused output — are stored with the
draft and block runs, not saves. A document whose structure is broken never gets here:
``parse_document`` refuses it first (422).

A stored problem is a plain dict ``{code, severity, pointer, node_id, edge_id,
message}``; a workflow is *runnable* when none of its problems is an error.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from graph_engine import DocumentError, Problem, Registry, WorkflowDocument, parse_document
from graph_engine import validate as validate_graph

logger = logging.getLogger(__name__)

StoredProblem = dict[str, Any]

# Documents this large are validated in a worker thread so the event loop keeps serving
# other requests meanwhile (1,000 nodes take some 20-30 ms).
THREAD_THRESHOLD_NODES = 200
VALIDATOR_FAILED = "validator_failed"


def document_problems(
    document: WorkflowDocument, registry: Registry | None = None
) -> list[StoredProblem]:
    """Every graph problem of ``document``, errors before warnings, as stored dicts.

    A fault in the validator itself must not cost anyone their edit: it is logged and
    stored as one error problem (so the workflow will not run) instead of failing the save.
    """
    try:
        problems = validate_graph(document, registry)
    except Exception:
        logger.exception("Validating workflow %r failed", document.name)
        problems = [
            Problem(
                "",
                VALIDATOR_FAILED,
                "The workflow could not be checked because of an internal error (it was "
                "logged). It is saved, but cannot run until it is checked again.",
            )
        ]
    return as_stored(problems)


async def check_document(document: WorkflowDocument) -> list[StoredProblem]:
    """``document_problems``, off the event loop for large documents."""
    if len(document.nodes) < THREAD_THRESHOLD_NODES:
        return document_problems(document)
    return await asyncio.to_thread(document_problems, document)


def stored_document_problems(data: Any) -> list[StoredProblem]:
    """Problems of a document as stored in the database (used by migrations).

    A stored document that no longer passes the structural checks reports those faults,
    so it shows as not runnable instead of breaking the upgrade.
    """
    try:
        document = parse_document(data)
    except DocumentError as error:
        return as_stored(error.problems)
    return document_problems(document)


def as_stored(problems: list[Problem]) -> list[StoredProblem]:
    return [
        {
            "code": problem.code,
            "severity": problem.severity,
            "pointer": problem.pointer,
            "node_id": problem.node_id,
            "edge_id": problem.edge_id,
            "message": problem.message,
        }
        for problem in problems  # errors first, as validate and parse_document give them
    ]


def is_runnable(problems: list[StoredProblem]) -> bool:
    return not any(problem.get("severity") == "error" for problem in problems)
