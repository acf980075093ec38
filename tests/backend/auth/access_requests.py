"""What the authorisation matrix asks: every route of the app, read from the app itself
(each operation of its OpenAPI document, its WebSockets, and the few routes the document
leaves out), and for each a request made from the schema: path parameters filled by
name, a body built from the operation's request schema (or taken from ``EXAMPLES``
where a schema cannot say what a valid one is), and ``If-Match`` the current version.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from access_world import FRESH, MatrixWorld, new_credential
from accounts_support import PASSWORD
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from run_support import greeting
from starlette.routing import WebSocketRoute

_METHODS = ("get", "put", "post", "patch", "delete")
_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


@dataclass(frozen=True)
class Route:
    key: str  # the operation id; ws:<name> for a WebSocket; else "<METHOD> <path>"
    method: str  # GET, POST, … or WS
    path: str
    operation: dict[str, Any] = field(default_factory=dict)

    @property
    def changes(self) -> bool:
        return self.method not in ("GET", "WS")

    @property
    def parameters(self) -> list[str]:
        return _PARAMETER.findall(self.path)


def app_routes(app: FastAPI) -> list[Route]:
    document = app.openapi()
    routes = [
        Route(_key(operation, method, path), method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in _METHODS
    ]
    described = {(route.method, route.path) for route in routes}
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, WebSocketRoute):
            routes.append(Route(f"ws:{context.original_route.name}", "WS", context.path))
            continue
        methods = sorted(set(getattr(context, "methods", None) or ()) - {"HEAD"})
        assert methods, f"the access matrix cannot ask {context.original_route!r}"
        routes.extend(
            Route(f"{method} {context.path}", method, context.path)
            for method in methods
            if (method, context.path) not in described
        )
    return routes


def _key(operation: dict[str, Any], method: str, path: str) -> str:
    return operation.get("operationId") or f"{method.upper()} {path}"


@dataclass(frozen=True)
class Ask:
    method: str
    url: str  # a path, with its parameters filled in
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)


async def ask_for(route: Route, world: MatrixWorld, principal: str) -> Ask:
    values = {name: await _path_value(name, route, world, principal) for name in route.parameters}
    url = _PARAMETER.sub(lambda found: values[found.group(1)], route.path)
    headers = {}
    if any(parameter["name"] == "If-Match" for parameter in route.operation.get("parameters", [])):
        workflow_id = values.get("workflow_id") or world.shared_workflow_id(principal)
        headers["If-Match"] = str(await world.version(workflow_id))
    return Ask(route.method, url, _body(route, world), headers)


async def _path_value(name: str, route: Route, world: MatrixWorld, principal: str) -> str:
    if route.changes and name in FRESH:
        return await world.fresh(name)
    shared = "token" in route.parameters
    values: dict[str, Callable[[], str]] = {
        "token": lambda: world.token(principal),
        "run_id": lambda: world.shared_run_id(principal) if shared else world.world.run_id,
        "workflow_id": lambda: world.world.workflow_id,
        "version": lambda: "1",
        "credential_id": lambda: world.world.credential_id,
        "link_id": lambda: world.world.link_ids["view"],
        "key_id": lambda: world.world.api_key_id,
        "user_id": lambda: world.world.other.id,  # the admin enables the other: no change
        "path": lambda: "workflows/some-page",
    }
    if name not in values:
        raise AssertionError(
            f"{route.key}: the access matrix does not know what to put in {{{name}}}; "
            "teach _path_value in tests/backend/auth/access_requests.py"
        )
    return values[name]()


# Request bodies a schema cannot describe well enough to build a valid one, by schema name.
EXAMPLES: dict[str, Callable[[MatrixWorld], Any]] = {
    "WorkflowDocument": lambda world: greeting(),
    "StartRun": lambda world: {"inputs": {"name": "Ada"}},  # the greeting's input
    "ImportPreviewRequest": lambda world: {"source": greeting()},  # `source` has no type
    "SignUp": lambda world: {
        "email": f"new-{uuid.uuid4().hex[:8]}@example.com",
        "name": "New",
        "password": PASSWORD,
    },
    "LogIn": lambda world: {"email": world.world.owner.email, "password": PASSWORD},
    "NewCredential": lambda world: new_credential(),  # names are unique per owner
    # At least one change, which no schema says:
    "RenameWorkflow": lambda world: {"name": "Renamed"},
    "CredentialChange": lambda world: {"name": new_credential()["name"]},
}


def _body(route: Route, world: MatrixWorld) -> Any:
    content = route.operation.get("requestBody", {}).get("content", {})
    if not content:
        return None
    schema = content["application/json"]["schema"]
    return Instance(world, route.key).of(schema)


@dataclass
class Instance:
    """The smallest valid instance of a JSON Schema: required properties only, the least
    a bound allows (a string of x's, if its pattern takes it), the first choice of an
    enum or anyOf that is not null."""

    world: MatrixWorld
    key: str

    def of(self, schema: dict[str, Any]) -> Any:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            if name in EXAMPLES:
                return EXAMPLES[name](self.world)
            return self.of(self.world.app.openapi()["components"]["schemas"][name])
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0]
        for choice in ("anyOf", "oneOf"):
            if choice in schema:
                return self.of(next(s for s in schema[choice] if s.get("type") != "null"))
        kind = schema.get("type")
        if kind == "object":
            properties = schema.get("properties", {})
            return {name: self.of(properties[name]) for name in schema.get("required", [])}
        if kind == "array":
            return [self.of(schema["items"]) for _ in range(schema.get("minItems", 0))]
        if kind == "string" and "format" not in schema:
            text = "x" * max(1, schema.get("minLength", 1))
            if re.search(schema.get("pattern", ""), text):
                return text
        if kind in ("integer", "number"):
            return schema.get("minimum", 0)
        if kind == "boolean":
            return False
        raise AssertionError(
            f"{self.key}: no valid value can be built for {schema}; add an example for its "
            "schema to EXAMPLES in tests/backend/auth/access_requests.py"
        )
