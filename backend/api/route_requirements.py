"""What the routes' dependencies demand, written into the OpenAPI document.

FastAPI documents the parameters a dependency declares, not the refusals it makes. Read
from each route's dependencies:

- ``require_if_match``: the ``If-Match`` header is required (without it: ``428``);
- ``get_principal`` (who asks): the answer may be ``401`` (a wrong API key; nobody signed
  in where ``require_user`` guards the route). In accounts mode the credentials are
  declared as security requirements: required where ``require_user`` guards the route,
  optional elsewhere. In single-person mode no route needs any, so none is declared.
- ``get_session`` (the database): the answer may be ``503`` with ``Retry-After`` while the
  database is down or restarting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute

from backend.api.deps import get_principal, get_session, require_if_match, require_user
from backend.auth.sessions import COOKIE_NAME

SECURITY_SCHEMES = {
    "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key (`nlk_…`), made under `/api/v1/auth/api-keys`.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": COOKIE_NAME,
        "description": "The session cookie signing in sets; a change sent with it needs "
        "an `Origin` of the app's own.",
    },
}
SIGNED_IN = [{"apiKey": []}, {"session": []}]
ANYONE = [*SIGNED_IN, {}]


def write_requirements(
    schema: dict[str, Any], routes: Sequence[BaseRoute], *, accounts: bool
) -> dict[str, Any]:
    for operation, calls in _operations(schema, routes):
        if require_if_match in calls:
            _require_header(operation, "If-Match")
        if get_principal in calls:
            _document_401(operation)
            if accounts:
                operation["security"] = SIGNED_IN if require_user in calls else ANYONE
        if get_session in calls:
            _document_503(operation)
    if accounts:
        schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    return schema


def _operations(
    schema: dict[str, Any], routes: Sequence[BaseRoute]
) -> Iterator[tuple[dict[str, Any], set[Callable[..., Any]]]]:
    paths = schema.get("paths", {})
    for context in iter_route_contexts(routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        calls = set(_calls(context.dependant))
        for method in context.methods or ():
            operation = paths.get(context.path_format, {}).get(method.lower())
            if operation is not None:
                yield operation, calls


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _require_header(operation: dict[str, Any], name: str) -> None:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "header" and parameter["name"].lower() == name.lower():
            parameter["required"] = True


def _document_401(operation: dict[str, Any]) -> None:
    # Its description and problem content come with every error (``use_problem_media_type``).
    operation.setdefault("responses", {}).setdefault("401", {"description": "Not signed in."})


def _document_503(operation: dict[str, Any]) -> None:
    response = operation.setdefault("responses", {}).setdefault("503", {})
    retry_after = {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string"},
    }
    response.setdefault("headers", {})["Retry-After"] = retry_after
