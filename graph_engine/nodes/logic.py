"""``logic.router``: sends its value down the routes whose rule matches; others are skipped."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graph_engine.nodes.base import SKIP, NodeContext, NodeParams, NodeType, Port, PortType

_ROUTE = r"^[A-Za-z_][A-Za-z0-9_]*$"
JsonScalar = str | int | float | bool | None


class Rule(BaseModel):
    """Send the value to ``route`` when it matches.

    ``contains``/``equals``/``regex`` look at the value as text (JSON for non-text);
    ``json_field_equals`` reads ``field`` (a dotted path, e.g. ``intent.name``) of the
    value parsed as JSON and compares it with ``value``.
    """

    model_config = ConfigDict(extra="forbid")

    route: str = Field(min_length=1, max_length=100, pattern=_ROUTE)
    kind: Literal["contains", "equals", "regex", "json_field_equals"]
    value: JsonScalar = ""
    field: str | None = Field(default=None, description="For json_field_equals.")
    case_sensitive: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        if self.kind == "json_field_equals" and not self.field:
            raise ValueError("json_field_equals needs a field (e.g. intent.name)")
        if self.kind != "json_field_equals" and not isinstance(self.value, str):
            raise ValueError(f"{self.kind} compares text: value must be a string")
        if self.kind == "regex":
            try:
                re.compile(str(self.value))
            except re.error as error:
                raise ValueError(f"invalid regular expression: {error}") from None
        return self

    def matches(self, value: Any) -> bool:
        if self.kind == "json_field_equals":
            return _json_field(value, self.field or "") == self.value
        text, wanted = _as_text(value), str(self.value)
        if not self.case_sensitive and self.kind != "regex":
            text, wanted = text.casefold(), wanted.casefold()
        if self.kind == "contains":
            return wanted in text
        if self.kind == "equals":
            return text == wanted
        flags = 0 if self.case_sensitive else re.IGNORECASE
        return re.search(wanted, text, flags) is not None


class Router(NodeType):
    type_id = "logic.router"
    title = "Router"
    category = "Logic"
    description = (
        "Routes its value by rules (contains, equals, regex, JSON field equals): one output "
        "per route plus a default. Branches not taken are skipped."
    )
    dynamic_outputs_from = "rules"

    class Params(NodeParams):
        rules: list[Rule] = Field(default_factory=list, max_length=100)
        mode: Literal["first", "all"] = Field(
            default="first", description="Take the first matching route, or every one."
        )
        default_route: str = Field(default="default", pattern=_ROUTE)

        @model_validator(mode="after")
        def _default_is_distinct(self) -> Router.Params:
            if any(rule.route == self.default_route for rule in self.rules):
                raise ValueError(f"route {self.default_route!r} is the default route's name")
            return self

    inputs = (Port("value", PortType.ANY, title="Value"),)
    outputs = (Port("default", PortType.ANY, title="Default"),)

    @classmethod
    def output_ports(cls, params: Router.Params) -> tuple[Port, ...]:
        return tuple(Port(name, PortType.ANY) for name in _routes(params))

    async def run(
        self, ctx: NodeContext, inputs: Mapping[str, Any], params: Router.Params
    ) -> dict[str, Any]:
        value = inputs["value"]
        taken: set[str] = set()
        for rule in params.rules:
            if rule.route not in taken and rule.matches(value):
                taken.add(rule.route)
                if params.mode == "first":
                    break
        if not taken:
            taken.add(params.default_route)
        return {route: value if route in taken else SKIP for route in _routes(params)}


def _routes(params: Router.Params) -> list[str]:
    routes = dict.fromkeys(rule.route for rule in params.rules)
    routes[params.default_route] = None
    return list(routes)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _json_field(value: Any, path: str) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return _MISSING
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


_MISSING = object()
