"""How a route answers with a workflow: the body, its ETag (and Location when new), and
the responses that declare them; shared by the owner's routes, versions, imports and
share links."""

from __future__ import annotations

from fastapi import Response

from backend.api.deps import API_PREFIX, etag
from backend.api.schemas import Workflow
from backend.db.models import WorkflowRecord
from graph_engine.document import MAX_NAME_LENGTH

COPY_SUFFIX = " (copy)"

_ETAG = {
    "ETag": {"description": 'The workflow\'s version, quoted: `"3"`.', "schema": {"type": "string"}}
}
_LOCATION = {
    "Location": {"description": "Where the new workflow lives.", "schema": {"type": "string"}}
}
CREATED = {201: {"description": "The new workflow.", "headers": {**_ETAG, **_LOCATION}}}
CURRENT = {200: {"description": "The workflow.", "headers": _ETAG}}


def answer(record: WorkflowRecord, response: Response, *, created: bool = False) -> Workflow:
    """The workflow as the API shows it, with its ETag (and Location when new)."""
    response.headers["ETag"] = etag(record.version)
    if created:
        response.headers["Location"] = f"{API_PREFIX}/workflows/{record.id}"
    return Workflow.from_record(record)


def copy_name(name: str) -> str:
    """The name of a copy: ``name (copy)``, cut to fit the longest name allowed."""
    return name[: MAX_NAME_LENGTH - len(COPY_SUFFIX)] + COPY_SUFFIX
