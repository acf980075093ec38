"""RFC 9457 problem responses for every error, and their description in the OpenAPI schema."""

from __future__ import annotations

import json
import logging
import socket
import uuid
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.api.schemas import Problem
from backend.db.availability import database_unavailable
from backend.errors import (
    DatabaseUnavailable,
    FieldProblem,
    InternalError,
    InvalidDocument,
    InvalidInput,
    MalformedJson,
    NodeloomError,
)
from graph_engine.document import pointer
from graph_engine.errors import DocumentError

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://nodeloom.dev/problems/"

logger = logging.getLogger(__name__)

# pydantic error types → our problem codes (the same words graph_engine uses).
_CODES = {
    "missing": "missing_field",
    "extra_forbidden": "unknown_field",
    "literal_error": "wrong_value",
    "enum": "wrong_value",
    "string_type": "not_a_string",
    "int_type": "not_an_integer",
    "int_parsing": "not_an_integer",
    "int_from_float": "not_an_integer",
    "dict_type": "not_an_object",
    "model_type": "not_an_object",
    "model_attributes_type": "not_an_object",
    "string_too_short": "empty",
    "string_too_long": "too_long",
    "greater_than": "out_of_range",
    "greater_than_equal": "out_of_range",
    "less_than": "out_of_range",
    "less_than_equal": "out_of_range",
    "value_error": "invalid_value",
    "json_invalid": "malformed_json",
}

_DESCRIPTIONS = {
    400: "The request is malformed: the body is not JSON, or a header is unreadable.",
    401: "Not signed in, or the API key is wrong (accounts mode).",
    403: "Not allowed: sign-up is closed, or the share link's scope does not allow it.",
    404: "There is no such thing (workflow, version, run, credential, link), or it is not yours.",
    409: "The workflow changed since the version given in `If-Match`; see `current_version`.",
    413: "The request body is larger than the server accepts.",
    422: "The request breaks the rules; `errors` lists every fault with where it is.",
    428: "The request needs an `If-Match` header naming the version it is based on.",
    429: "Too many attempts; `Retry-After` says when to try again.",
    500: "Something unexpected went wrong; the error was logged under `error_id`.",
    503: "A service it needs (the database, the event bus) cannot be reached right now; "
    "`Retry-After`, when given, says when to try again.",
}


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        # backslashreplace keeps the body valid JSON even if a lone surrogate slipped in.
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8", errors="backslashreplace")


def problem_content(
    status: int, code: str, title: str, detail: str, errors: Iterable[dict[str, str]] = ()
) -> dict[str, Any]:
    content: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if items := list(errors):
        content["errors"] = items
    return content


def problem_response(error: NodeloomError, headers: dict[str, str] | None = None) -> Response:
    content = problem_content(
        error.status,
        error.code,
        error.title,
        error.detail,
        (problem.as_dict() for problem in error.problems),
    )
    content.update(error.extensions())
    return ProblemResponse(content, status_code=error.status, headers=headers)


def field_problem_from_pydantic(error: dict[str, Any]) -> FieldProblem:
    """Locate one FastAPI/pydantic validation error: a body pointer or a named parameter."""
    where, *loc = error.get("loc") or ("body",)
    code = _CODES.get(error.get("type", ""), error.get("type", "invalid"))
    message = str(error.get("msg", "Invalid value.")).removeprefix("Value error, ")
    if where == "body":
        return FieldProblem(code, message, pointer=pointer(*loc))
    return FieldProblem(code, message, parameter=str(loc[0]) if loc else "", location=where)


async def _nodeloom_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, NodeloomError)
    return problem_response(error, getattr(error, "headers", None))  # e.g. Retry-After


async def _document_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, DocumentError)
    problems = [FieldProblem(p.code, p.message, pointer=p.pointer) for p in error.problems]
    count = len(problems)
    detail = f"The workflow document has {count} problem{'s' if count != 1 else ''}."
    return problem_response(InvalidDocument(detail, problems))


async def _validation_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors: Sequence[dict[str, Any]] = error.errors()
    if any(item.get("type") == "json_invalid" for item in errors):
        return problem_response(_malformed_json(errors))
    problems = [field_problem_from_pydantic(item) for item in errors]
    count = len(problems)
    detail = f"The request has {count} problem{'s' if count != 1 else ''}."
    return problem_response(InvalidInput(detail, problems))


def _malformed_json(errors: Sequence[dict[str, Any]]) -> MalformedJson:
    item = next(item for item in errors if item.get("type") == "json_invalid")
    position = item["loc"][-1] if len(item.get("loc", ())) > 1 else None
    reason = (item.get("ctx") or {}).get("error", "invalid JSON")
    where = f" at character {position}" if isinstance(position, int) else ""
    detail = f"The request body is not valid JSON: {reason}{where}."
    return MalformedJson(detail)


async def _http_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    status = HTTPStatus(error.status_code)
    code = {404: "not_found", 405: "method_not_allowed"}.get(status.value, "http_error")
    detail = error.detail if isinstance(error.detail, str) else status.description
    if status == HTTPStatus.NOT_FOUND:
        detail = "There is nothing at this address."
    content = problem_content(status.value, code, status.phrase, detail)
    return ProblemResponse(content, status_code=status.value, headers=error.headers)


async def _unexpected_error(request: Request, error: Exception) -> Response:
    error_id = uuid.uuid4().hex
    logger.error(
        "Unexpected error %s on %s %s", error_id, request.method, request.url.path, exc_info=error
    )
    problem = InternalError("Something went wrong on the server. It has been logged.")
    content = problem_content(problem.status, problem.code, problem.title, problem.detail)
    content["error_id"] = error_id
    return ProblemResponse(content, status_code=500)


async def _database_error(request: Request, error: Exception) -> Response:
    """503 when the database is down or restarting (a client may retry); any other
    database error is unexpected (500)."""
    if not database_unavailable(error):
        return await _unexpected_error(request, error)
    # The class name only: a driver's message may quote the statement and its parameters.
    logger.warning(
        "Database unavailable on %s %s: %s", request.method, request.url.path, type(error).__name__
    )
    problem = DatabaseUnavailable()
    return problem_response(problem, problem.headers)


# What the database driver raises when the server is unreachable (``backend.db.availability``).
_DATABASE_ERRORS = (DBAPIError, PoolTimeout, ConnectionError, socket.gaierror)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(NodeloomError, _nodeloom_error)
    app.add_exception_handler(DocumentError, _document_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for database_error in _DATABASE_ERRORS:
        app.add_exception_handler(database_error, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the problems an operation may answer (500 always)."""
    return {
        status: {"model": Problem, "description": _DESCRIPTIONS[status]}
        for status in sorted({*statuses, 500})
    }


def use_problem_media_type(schema: dict[str, Any]) -> dict[str, Any]:
    """Make every 4xx/5xx response of ``schema`` an ``application/problem+json`` Problem."""
    reference = {"schema": {"$ref": "#/components/schemas/Problem"}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {PROBLEM_MEDIA_TYPE: dict(reference)}
                    response["description"] = _DESCRIPTIONS.get(int(status), "Error")
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema
