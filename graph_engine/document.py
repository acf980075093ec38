"""The workflow document: Nodeloom's export format, version 1.

The document is what the canvas edits, the database stores, and a person exports.
It carries no database ids and no secrets (a parameter that needs one holds a
``{"$credential": NAME}`` reference), so export → import → export is byte-stable.

``parse_document`` checks structure only (types, ids, references, names, limits, and
values every store and every JSON reader can carry) and reports every problem at once;
graph-level checks (cycles, port types) belong to ``graph_engine.analysis``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr, ValidationError
from pydantic_core import PydanticCustomError

from graph_engine.errors import DocumentError, Problem
from graph_engine.names import DISPLAY_NAME_PATTERN, display_name_problem

FORMAT = "nodeloom.workflow"
VERSION = 1
MAX_NODES = 5_000
MAX_EDGES = 20_000
MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 10_000
MAX_ID_LENGTH = 200
MAX_DEPTH = 64
"""Levels any value may nest (in node params, say); deeper is refused rather than risked."""

# Node types under this prefix are canvas annotations (sticky notes): stored, exported and
# shown, but never validated as steps, compiled or run.
ANNOTATION_PREFIX = "ui."


def _display_name(name: str) -> str:
    if reason := display_name_problem(name):
        raise PydanticCustomError("invalid_name", "the name {reason}", {"reason": reason})
    return name


DisplayName = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        json_schema_extra={"pattern": DISPLAY_NAME_PATTERN},  # what _display_name checks
    ),
    AfterValidator(_display_name),
]
"""A workflow's name or a node's title: any script, but no edge spaces or control characters."""


class _Model(BaseModel):
    # Unknown keys are refused so a typo never silently disappears on save.
    model_config = ConfigDict(extra="forbid", strict=True)


class Position(_Model):
    x: float
    y: float


class Viewport(_Model):
    x: float = 0.0
    y: float = 0.0
    zoom: float = Field(default=1.0, gt=0)


class NodeSettings(_Model):
    """How the engine runs one node; every field is optional."""

    timeout_seconds: float | None = Field(
        default=None,
        gt=0,
        le=86_400,
        exclude_if=lambda value: value is None,
        description="Fail the node if it runs longer than this.",
    )
    max_attempts: int | None = Field(
        default=None,
        ge=1,
        le=10,
        exclude_if=lambda value: value is None,
        description="Try the node up to this many times on error.",
    )


class NodeAppearance(_Model):
    """How the canvas shows a node; no effect on runs."""

    collapsed: bool | None = Field(default=None, exclude_if=lambda value: value is None)
    color: StrictStr | None = Field(
        default=None,
        pattern=r"^#[0-9a-fA-F]{6}$",
        exclude_if=lambda value: value is None,
        description="A colour the person chose, as #rrggbb.",
    )


class Node(_Model):
    id: StrictStr = Field(min_length=1, max_length=MAX_ID_LENGTH)
    type: StrictStr = Field(
        min_length=1, max_length=MAX_ID_LENGTH, description="Node type id, e.g. `model.chat`."
    )
    position: Position
    label: DisplayName | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="A name the person gave this node.",
    )
    params: dict[str, Any] = Field(default_factory=dict)
    settings: NodeSettings | None = Field(default=None, exclude_if=lambda value: value is None)
    ui: NodeAppearance | None = Field(default=None, exclude_if=lambda value: value is None)

    @property
    def is_annotation(self) -> bool:
        return self.is_annotation_type(self.type)

    @staticmethod
    def is_annotation_type(type_id: str) -> bool:
        return type_id.startswith(ANNOTATION_PREFIX)


class Edge(_Model):
    id: StrictStr = Field(min_length=1, max_length=MAX_ID_LENGTH)
    source: StrictStr = Field(min_length=1, max_length=MAX_ID_LENGTH)
    sourceHandle: StrictStr | None = Field(default=None, max_length=MAX_ID_LENGTH)
    target: StrictStr = Field(min_length=1, max_length=MAX_ID_LENGTH)
    targetHandle: StrictStr | None = Field(default=None, max_length=MAX_ID_LENGTH)


class CredentialRequirement(_Model):
    name: StrictStr = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    provider: StrictStr = Field(min_length=1, max_length=MAX_NAME_LENGTH)


class WorkflowDocument(_Model):
    """A workflow as the canvas edits it and as it is exported."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        title="Nodeloom workflow document",
        json_schema_extra={"$id": "urn:nodeloom:schema:workflow:1"},
    )

    format: Literal["nodeloom.workflow"] = FORMAT
    version: Literal[1] = VERSION
    name: DisplayName
    description: StrictStr = Field(default="", max_length=MAX_DESCRIPTION_LENGTH)
    nodes: list[Node] = Field(default_factory=list, max_length=MAX_NODES)
    edges: list[Edge] = Field(default_factory=list, max_length=MAX_EDGES)
    viewport: Viewport = Field(default_factory=Viewport)
    credentials: list[CredentialRequirement] = Field(default_factory=list)


def empty_document(name: str, description: str = "") -> WorkflowDocument:
    return WorkflowDocument(name=name, description=description)


def parse_document(data: Any) -> WorkflowDocument:
    """Return the document, or raise ``DocumentError`` listing every structural problem."""
    problems = _limit_problems(data)
    if problems:
        raise DocumentError(problems)
    problems = value_problems(data)
    try:
        document = WorkflowDocument.model_validate(data)
    except ValidationError as error:
        located = {problem.pointer for problem in problems}  # NaN is not also "out of range"
        problems += [p for p in _problems_from_validation(error, data) if p.pointer not in located]
    problems += _reference_problems(data)
    if problems:
        raise DocumentError(problems)
    return document


def value_problems(data: Any) -> list[Problem]:
    """Values that no store keeps and no JSON reader reads back, by pointer: numbers that
    are not finite (``NaN``, ``Infinity``, ``1e400``, which every JSON reader refuses or
    turns into infinity), NUL characters and lone surrogates in text (PostgreSQL refuses
    both; UTF-8 cannot hold the second), and nesting deeper than ``MAX_DEPTH`` (which only
    node params can reach: elsewhere the model refuses what does not fit before it nests)."""
    if _plainly_storable(data):
        return []  # the common case, at C speed
    return _walk_values(data)  # finds where each fault is


def _walk_values(data: Any) -> list[Problem]:
    problems: list[Problem] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            message = f"Values may nest at most {MAX_DEPTH} levels deep."
            problems.append(Problem(pointer(*path), "too_deep", message))
        elif isinstance(value, float):
            problems += _number_problems(value, path)
        elif isinstance(value, str):
            problems += _text_problems(value, path)
        elif isinstance(value, dict):
            for key, item in value.items():
                problems += _text_problems(key, (*path, key)) if isinstance(key, str) else []
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value))
    return sorted(problems, key=lambda problem: problem.pointer)


def _plainly_storable(data: Any) -> bool:
    """True when ``_walk_values`` would find nothing in a document whose only deep values
    are in node params; False may be a false alarm."""
    try:
        text = json.dumps(data, allow_nan=False, ensure_ascii=False, check_circular=False)
        text.encode("utf-8")  # refuses lone surrogates
    except (ValueError, TypeError, RecursionError):  # UnicodeEncodeError is a ValueError
        return False
    if "\\u0000" in text:  # how json writes NUL (or a literal backslash-u0000: walk then)
        return False
    # Only params take any value; everything else the model refuses before it nests deep.
    nodes = data.get("nodes") if isinstance(data, dict) else None
    level = [
        node["params"]
        for node in (nodes if isinstance(nodes, list) else [])
        if isinstance(node, dict) and isinstance(node.get("params"), dict | list)
    ]
    for _ in range(MAX_DEPTH - len(("nodes", 0, "params"))):
        level = [
            item
            for container in level
            for item in (container.values() if isinstance(container, dict) else container)
            if isinstance(item, dict | list)
        ]
    return not any(level)  # a non-empty container this deep holds values too deep


def _number_problems(value: float, path: tuple[Any, ...]) -> list[Problem]:
    if math.isfinite(value):
        return []
    what = "NaN (not a number)" if math.isnan(value) else "infinite or too large (over 1.8e308)"
    message = f"This number is {what}, which JSON cannot carry; use a finite number."
    return [Problem(pointer(*path), "not_finite", message)]


def _text_problems(text: str, path: tuple[Any, ...]) -> list[Problem]:
    if "\x00" in text:
        message = "Text must not contain NUL characters."
        return [Problem(pointer(*path), "nul_character", message)]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        message = "Text must be valid Unicode; this holds a lone surrogate."
        return [Problem(pointer(*path), "invalid_unicode", message)]
    return []


def export_bytes(document: WorkflowDocument) -> bytes:
    """The canonical serialisation: the same document always gives the same bytes."""
    payload = document.model_dump(mode="json")
    for node in payload["nodes"]:
        node["params"] = _sorted_keys(node["params"])
    return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _sorted_keys(value: Any) -> Any:
    # Params are free-form JSON, and databases may not keep their key order (PostgreSQL's
    # JSONB does not): sorting makes an export independent of where it was stored.
    if isinstance(value, dict):
        return {key: _sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value


def json_schema() -> dict[str, Any]:
    return WorkflowDocument.model_json_schema(mode="validation")


def json_schema_text() -> str:
    """The schema as checked in at ``graph_engine/workflow.schema.json``."""
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


SCHEMA_PATH = Path(__file__).with_name("workflow.schema.json")


def _limit_problems(data: Any) -> list[Problem]:
    # Counted before model validation so an oversized document costs little to refuse.
    if not isinstance(data, dict):
        return [Problem("", "not_an_object", "The workflow document must be a JSON object.")]
    problems = []
    for key, limit, code in (
        ("nodes", MAX_NODES, "too_many_nodes"),
        ("edges", MAX_EDGES, "too_many_edges"),
    ):
        items = data.get(key)
        if isinstance(items, list) and len(items) > limit:
            problems.append(
                Problem(
                    f"/{key}",
                    code,
                    f"A workflow may hold at most {limit:,} {key}; this one has {len(items):,}.",
                )
            )
    return problems


_CODES = {
    "missing": "missing_field",
    "extra_forbidden": "unknown_field",
    "literal_error": "wrong_value",
    "string_type": "not_a_string",
    "float_type": "not_a_number",
    "float_parsing": "not_a_number",
    "dict_type": "not_an_object",
    "model_type": "not_an_object",
    "list_type": "not_a_list",
    "string_too_short": "empty",
    "string_too_long": "too_long",
    "greater_than": "out_of_range",
    "finite_number": "not_a_number",
    "invalid_name": "invalid_name",
}


def _problems_from_validation(error: ValidationError, data: dict[str, Any]) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = item["loc"]
        code = _CODES.get(item["type"], item["type"])
        if loc in (("format",), ("version",)) and code == "wrong_value":
            code = f"unsupported_{loc[0]}"
        message = item["msg"]
        if code == "not_a_string" and len(loc) >= 2 and loc[-1] == "id":
            code = "id_not_a_string"
            message = "Ids must be strings."
        problems.append(Problem(pointer(*loc), code, _describe(loc, message, data)))
    return problems


def _reference_problems(data: dict[str, Any]) -> list[Problem]:
    # Works on the raw data so that id and reference faults are reported together with
    # type faults elsewhere in the same document.
    problems = []
    node_ids: set[str] = set()
    for index, node in _items(data, "nodes"):
        node_id = node.get("id")
        if isinstance(node_id, str) and node_id in node_ids:
            problems.append(
                Problem(
                    pointer("nodes", index, "id"),
                    "duplicate_node_id",
                    f"Node id {node_id!r} is used more than once.",
                )
            )
        if isinstance(node_id, str):
            node_ids.add(node_id)
    edge_ids: set[str] = set()
    for index, edge in _items(data, "edges"):
        edge_id = edge.get("id")
        if isinstance(edge_id, str) and edge_id in edge_ids:
            problems.append(
                Problem(
                    pointer("edges", index, "id"),
                    "duplicate_edge_id",
                    f"Edge id {edge_id!r} is used more than once.",
                )
            )
        if isinstance(edge_id, str):
            edge_ids.add(edge_id)
        for end in ("source", "target"):
            node_id = edge.get(end)
            if isinstance(node_id, str) and node_id not in node_ids:
                problems.append(
                    Problem(
                        pointer("edges", index, end),
                        f"unknown_{end}_node",
                        f"Edge {edge_id!r} points to a missing node {node_id!r}.",
                    )
                )
    return problems


def _items(data: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    items = data.get(key)
    if not isinstance(items, list):
        return []
    return [(index, item) for index, item in enumerate(items) if isinstance(item, dict)]


def _describe(loc: tuple[Any, ...], message: str, data: dict[str, Any]) -> str:
    # Name the node or edge by its id when the document gives one, so a person can find it.
    if len(loc) >= 2 and loc[0] in ("nodes", "edges") and isinstance(loc[1], int):
        items = data.get(loc[0])
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        item_id = item.get("id") if isinstance(item, dict) else None
        what = "Node" if loc[0] == "nodes" else "Edge"
        label = f"{what} {item_id!r}" if isinstance(item_id, str) else f"{what} #{loc[1] + 1}"
        field = ".".join(str(part) for part in loc[2:]) or "item"
        return f"{label}: {field}: {message}"
    field = ".".join(str(part) for part in loc) or "document"
    return f"{field}: {message}"


def pointer(*parts: Any) -> str:
    """An RFC 6901 JSON pointer, e.g. ``pointer("nodes", 3, "id") == "/nodes/3/id"``."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)
