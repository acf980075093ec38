"""Reading a workflow document from a request body.

The body is parsed here, not by FastAPI, so that ``graph_engine.document.parse_document``
reports every problem at once with our codes; the routes still show ``WorkflowDocument`` as
their request body in OpenAPI (see ``DOCUMENT_REQUEST_BODY``).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from backend.errors import MalformedJson
from graph_engine.document import WorkflowDocument, parse_document, pointer
from graph_engine.errors import DocumentError, Problem

# Deeper nesting than this (in node params, say) is refused rather than risked.
MAX_DEPTH = 64

DOCUMENT_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/WorkflowDocument"}}
        },
    }
}


async def read_document(request: Request) -> WorkflowDocument:
    data = parse_json(await request.body())
    problems = unstorable_values(data)
    try:
        document = parse_document(data)
    except DocumentError as error:
        raise DocumentError(error.problems + problems) from None
    if problems:
        raise DocumentError(problems)
    return document


def parse_json(raw: bytes) -> Any:
    """The JSON value of ``raw``, or ``MalformedJson`` saying where it goes wrong."""
    if not raw.strip():
        raise MalformedJson("The request body is empty; send a workflow document as JSON.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MalformedJson(
            f"The request body is not UTF-8 (byte {error.start} is invalid)."
        ) from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise MalformedJson(
            f"The request body is not valid JSON: {error.msg} "
            f"(line {error.lineno}, column {error.colno}).",
            line=error.lineno,
            column=error.colno,
        ) from None
    except RecursionError:
        raise MalformedJson("The request body nests too deeply to read.") from None
    except ValueError as error:
        raise MalformedJson(f"The request body is not valid JSON: {error}") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number.")


def unstorable_values(data: Any) -> list[Problem]:
    """Problems with values no database stores faithfully: NUL, lone surrogates, deep nesting."""
    problems: list[Problem] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            message = f"Values may nest at most {MAX_DEPTH} levels deep."
            problems.append(Problem(pointer(*path), "too_deep", message))
        elif isinstance(value, str):
            problems += _text_problems(value, path)
        elif isinstance(value, dict):
            for key, item in value.items():
                problems += _text_problems(key, (*path, key))
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value))
    return sorted(problems, key=lambda problem: problem.pointer)


def _text_problems(text: str, path: tuple[Any, ...]) -> list[Problem]:
    if "\x00" in text:
        return [Problem(pointer(*path), "nul_character", "Text must not contain NUL characters.")]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        message = "Text must be valid Unicode; this holds a lone surrogate."
        return [Problem(pointer(*path), "invalid_unicode", message)]
    return []
