"""Telling which tool wrote an imported JSON file: Nodeloom, Langflow or Flowise."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from backend.errors import FieldProblem, UnknownImportFormat
from backend.exchange.builder import dig
from graph_engine.document import FORMAT

SourceFormat = Literal["nodeloom", "langflow", "flowise"]

# Langflow wraps components in React Flow nodes of these types.
_LANGFLOW_NODE_TYPES = {"genericNode", "noteNode"}


def detect_format(source: Any) -> SourceFormat:
    """The format of ``source``, or ``UnknownImportFormat`` saying what was found instead."""
    if not isinstance(source, Mapping):
        raise _unknown(f"The file holds a JSON {_json_type(source)}, not an object.")
    if "format" in source:
        if isinstance(source["format"], str) and source["format"].startswith("nodeloom"):
            return "nodeloom"
        raise _unknown(f"The file says it is in format {str(source['format'])[:80]!r}.")
    graph = source.get("data")
    if isinstance(graph, Mapping) and _is_langflow_graph(graph):
        return "langflow"
    if _is_langflow_graph(source):
        return "langflow"
    if _is_flowise_graph(source):
        return "flowise"
    # A Nodeloom document may leave out everything but its name.
    if "name" in source and (
        source.get("nodes", []) == [] or _all_nodes(source, lambda node: "params" in node)
    ):
        return "nodeloom"
    raise _unknown("The file is a JSON object, but not a workflow any of them writes.")


def _is_langflow_graph(graph: Mapping[str, Any]) -> bool:
    return _any_node(
        graph,
        lambda node: (
            node.get("type") in _LANGFLOW_NODE_TYPES
            or isinstance(dig(node, "data", "node", "template"), Mapping)
        ),
    )


def _is_flowise_graph(graph: Mapping[str, Any]) -> bool:
    return _any_node(
        graph,
        lambda node: (
            isinstance(dig(node, "data", "inputAnchors"), list)
            or isinstance(dig(node, "data", "outputAnchors"), list)
            or (node.get("type") == "customNode" and isinstance(dig(node, "data", "name"), str))
        ),
    )


def _nodes(graph: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    nodes = graph.get("nodes")
    if not isinstance(nodes, list):
        return None
    return [node for node in nodes if isinstance(node, Mapping)]


def _any_node(graph: Mapping[str, Any], test: Any) -> bool:
    return any(test(node) for node in _nodes(graph) or [])


def _all_nodes(graph: Mapping[str, Any], test: Any) -> bool:
    nodes = _nodes(graph)
    return bool(nodes) and all(test(node) for node in nodes or [])


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _unknown(found: str) -> UnknownImportFormat:
    detail = (
        f"{found} Nodeloom imports its own workflow files ({FORMAT}) and flows exported "
        "from Langflow or Flowise."
    )
    return UnknownImportFormat(detail, [FieldProblem(UnknownImportFormat.code, detail, "/source")])
