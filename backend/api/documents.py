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
from graph_engine.document import WorkflowDocument, parse_document

DOCUMENT_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/WorkflowDocument"}}
        },
    }
}


async def read_document(request: Request) -> WorkflowDocument:
    return parse_document(parse_json(await request.body()))


def parse_json(raw: bytes) -> Any:
    """The JSON value of ``raw``, or ``MalformedJson`` saying where it goes wrong.

    ``NaN``, ``Infinity`` and numbers too large for a float (``1e400``) are read as the
    floats they stand for, so that ``parse_document`` refuses them with a pointer (422).
    """
    if not raw.strip():
        raise MalformedJson("The request body is empty; send a workflow document as JSON.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MalformedJson(
            f"The request body is not UTF-8 (byte {error.start} is invalid)."
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise MalformedJson(
            f"The request body is not valid JSON: {error.msg} "
            f"(line {error.lineno}, column {error.colno}).",
            line=error.lineno,
            column=error.colno,
        ) from None
    except RecursionError:
        raise MalformedJson("The request body nests too deeply to read.") from None
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise MalformedJson(f"The request body is not valid JSON: {error}") from None
