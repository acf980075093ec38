"""Graph-level checks of a structurally valid document: ``validate(document) -> problems``.

This is the one judge of whether a workflow can run: the save, ``POST
/workflows/validate``, ``nodeloom validate``, ``nodeloom run``, the run API and
``compile`` all ask it, so a document it passes compiles and starts.

Every problem is reported at once, errors first, each with a code, the node or edge id,
a JSON pointer into the document and a message for a person that names nodes by their
title (the one the person gave, else the type's; inputs and outputs by their name;
nodes that share a title are numbered in reading order, "Prompt template 2"):

================================ ========= ==========================================
code                             severity  pointer
================================ ========= ==========================================
``unknown_node_type``            error     ``/nodes/i/type``
``invalid_params``               error     ``/nodes/i/params/<field>…``
``duplicate_input_name``         error     ``/nodes/i/params/name``
``duplicate_output_name``        error     ``/nodes/i/params/name``
``missing_source_handle``        error     ``/edges/j/sourceHandle`` (several outputs)
``missing_target_handle``        error     ``/edges/j/targetHandle`` (several inputs)
``unknown_source_handle``        error     ``/edges/j/sourceHandle``
``unknown_target_handle``        error     ``/edges/j/targetHandle``
``incompatible_ports``           error     ``/edges/j``
``input_already_connected``      error     ``/edges/j/targetHandle`` (2nd+ edge)
``missing_required_input``       error     ``/nodes/i``
``cycle``                        error     ``/nodes/i`` (one per strongly connected
                                           component; the message names the cycle)
``annotation_edge``              error     ``/edges/j`` (an edge to or from a note)
``output_unused``                warning   ``/nodes/i`` (no output leads anywhere)
================================ ========= ==========================================

A fault is reported where it is: a node whose params are invalid gets
``invalid_params``, and the inputs it feeds count as connected (their node is not also
blamed); an edge with a bad handle or port type gets its own problem, and the input it
feeds counts as connected too.

A workflow without any node but notes is valid (every new workflow starts so) but has
nothing to run: ``run_blockers`` adds ``nothing_to_run`` (``/nodes``) for it, which
``compile`` raises and the run API answers before queueing.

Nodes whose type starts with ``ui.`` (sticky notes, groups) are annotations: they are
not checked as steps and never run.

A null handle means "the node's only port"; ports of a node whose params are invalid
are unknown, so its edges are checked once its params are fixed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from pydantic import ValidationError

from graph_engine.document import Edge, Node, WorkflowDocument, pointer
from graph_engine.errors import Problem
from graph_engine.names import name_key
from graph_engine.nodes.base import NodeType
from graph_engine.param_faults import param_fault
from graph_engine.ports import Port, can_connect
from graph_engine.registry import Registry, default_registry

INPUT_TYPE = "io.input"
OUTPUT_TYPE = "io.output"
_NAMED_TYPES = {INPUT_TYPE: "input", OUTPUT_TYPE: "output"}


@dataclass(slots=True)
class NodeInfo:
    index: int
    node: Node
    title: str
    node_type: type[NodeType] | None = None
    params: Any = None
    inputs: dict[str, Port] | None = None  # None: unknown (bad type or params)
    outputs: dict[str, Port] | None = None
    fault: ValidationError | None = None  # why the params are invalid


@dataclass(slots=True)
class EdgeInfo:
    index: int
    edge: Edge
    source_port: Port
    target_port: Port


@dataclass(slots=True)
class Analysis:
    """The document resolved against a registry: what ``compile`` builds from."""

    nodes: dict[str, NodeInfo]
    edges: list[EdgeInfo] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]


def nothing_to_run() -> Problem:
    """The problem of running a workflow that has no node to run (notes do not run)."""
    return Problem(
        pointer("nodes"),
        "nothing_to_run",
        "The workflow has no nodes to run; add one (an input, a prompt, a model…) first.",
    )


def validate(document: WorkflowDocument, registry: Registry | None = None) -> list[Problem]:
    """Every problem (errors, then warnings) with ``document``; empty when all is well."""
    return analyse(document, registry).problems


def run_blockers(problems: Iterable[Problem], node_types: Iterable[str]) -> list[Problem]:
    """What stops a workflow with these ``validate`` problems and nodes of these types
    from running: its errors, or ``nothing_to_run`` when only notes would run."""
    errors = [problem for problem in problems if problem.is_error]
    if errors:
        return errors
    if all(Node.is_annotation_type(type_id) for type_id in node_types):
        return [nothing_to_run()]
    return []


def analyse(document: WorkflowDocument, registry: Registry | None = None) -> Analysis:
    registry = registry or default_registry()
    analysis = Analysis(nodes={})
    annotations: dict[str, Node] = {}
    for index, node in enumerate(document.nodes):
        if node.is_annotation:
            annotations[node.id] = node
            continue
        analysis.nodes[node.id] = _resolve_node(index, node, registry)
    _number_shared_titles(analysis.nodes.values())
    for info in analysis.nodes.values():
        analysis.problems += _node_problems(info)
    analysis.problems += _duplicate_names(analysis.nodes.values())
    fed: list[tuple[int, Edge, Port]] = []  # every edge into a known input
    for index, edge in enumerate(document.edges):
        if edge.source in annotations or edge.target in annotations:
            analysis.problems.append(_annotation_edge(index, edge, analysis.nodes, annotations))
            continue
        _resolve_edge(index, edge, analysis, fed)
    analysis.problems += _input_problems(analysis.nodes, fed)
    analysis.problems += _cycle_problems(document, analysis.nodes)
    analysis.problems += _unused_outputs(document, analysis.nodes)
    analysis.problems.sort(key=lambda problem: not problem.is_error)  # stable
    return analysis


def _resolve_node(index: int, node: Node, registry: Registry) -> NodeInfo:
    node_type = registry.find(node.type)
    if node_type is None:
        return NodeInfo(index, node, node.label or "Unknown node")
    info = NodeInfo(index, node, node.label or node_type.title, node_type)
    try:
        info.params = node_type.Params.model_validate(node.params)
    except ValidationError as error:
        info.fault = error
        return info
    info.title = node.label or node_type.title_for(info.params)
    info.inputs = {port.name: port for port in node_type.input_ports(info.params)}
    info.outputs = {port.name: port for port in node_type.output_ports(info.params)}
    return info


def _number_shared_titles(nodes: Iterable[NodeInfo]) -> None:
    """Nodes that share a title get a number in reading order (top to bottom, then left
    to right), so a message can tell "Prompt template 1" from "Prompt template 2"."""
    by_title: dict[str, list[NodeInfo]] = defaultdict(list)
    for info in nodes:
        by_title[info.title].append(info)
    for title, infos in by_title.items():
        if len(infos) < 2:
            continue
        infos.sort(key=lambda info: (info.node.position.y, info.node.position.x, info.node.id))
        for number, info in enumerate(infos, start=1):
            info.title = f"{title} {number}"


def _node_problems(info: NodeInfo) -> list[Problem]:
    if info.node_type is None:
        message = (
            f"{info.title}: there is no node type {info.node.type!r}; remove the node or "
            "install the plugin that provides it."
        )
        return [
            Problem(
                pointer("nodes", info.index, "type"),
                "unknown_node_type",
                message,
                node_id=info.node.id,
            )
        ]
    if info.fault is None:
        return []
    return [
        Problem(
            pointer("nodes", info.index, "params", *item["loc"]),
            "invalid_params",
            f"{info.title}: {param_fault(item)}",
            node_id=info.node.id,
        )
        for item in info.fault.errors(include_url=False)
    ]


def _duplicate_names(nodes: Iterable[NodeInfo]) -> list[Problem]:
    problems, seen = [], set()
    for info in nodes:
        kind = _NAMED_TYPES.get(info.node.type)
        if kind is None or info.params is None:
            continue
        key = (kind, name_key(info.params.name))
        if key in seen:
            problems.append(
                Problem(
                    pointer("nodes", info.index, "params", "name"),
                    f"duplicate_{kind}_name",
                    f"{info.title}: another {kind} is also called {info.params.name!r}; each "
                    f"{kind} needs a name of its own.",
                    node_id=info.node.id,
                )
            )
        seen.add(key)
    return problems


def _annotation_edge(
    index: int, edge: Edge, nodes: dict[str, NodeInfo], annotations: dict[str, Node]
) -> Problem:
    def title(node_id: str) -> str:
        if node_id in nodes:
            return nodes[node_id].title
        note = annotations[node_id]
        return note.label or str(note.params.get("title") or "") or "a note"

    return Problem(
        pointer("edges", index),
        "annotation_edge",
        "Notes cannot be connected: remove the connection from "
        f"{title(edge.source)} to {title(edge.target)}.",
        edge_id=edge.id,
    )


def _resolve_edge(
    index: int, edge: Edge, analysis: Analysis, fed: list[tuple[int, Edge, Port]]
) -> None:
    source, target = analysis.nodes.get(edge.source), analysis.nodes.get(edge.target)
    if source is None or target is None:  # parse_document refuses these; be defensive
        return
    problems = analysis.problems
    source_port = _port(index, edge, "source", source, target, problems)
    target_port = _port(index, edge, "target", source, target, problems)
    if target_port is not None:
        fed.append((index, edge, target_port))
    if source_port is None or target_port is None:
        return
    if not can_connect(source_port.type, target_port.type):
        problems.append(
            Problem(
                pointer("edges", index),
                "incompatible_ports",
                f"The connection from {source.title} to {target.title} cannot work: "
                f"{target.title}'s input {target_port.name!r} takes {target_port.type}, "
                f"and {source.title}'s output {source_port.name!r} gives {source_port.type}.",
                edge_id=edge.id,
            )
        )
        return
    analysis.edges.append(EdgeInfo(index, edge, source_port, target_port))


def _port(
    index: int,
    edge: Edge,
    end: str,
    source: NodeInfo,
    target: NodeInfo,
    problems: list[Problem],
) -> Port | None:
    node = source if end == "source" else target
    ports = node.outputs if end == "source" else node.inputs
    if ports is None:
        return None
    handle = edge.sourceHandle if end == "source" else edge.targetHandle
    if handle is None and len(ports) == 1:
        return next(iter(ports.values()))
    if handle is not None and name_key(handle) in ports:  # port names are NFC
        return ports[name_key(handle)]
    side = "output" if end == "source" else "input"
    connection = f"The connection from {source.title} to {target.title}"
    if handle is None:
        code, what = f"missing_{end}_handle", f"does not say which {side} of {node.title} it uses"
    else:
        code, what = f"unknown_{end}_handle", f"uses {side} {handle!r}, which {node.title} lacks"
    names = ", ".join(map(repr, ports)) or "none"
    problems.append(
        Problem(
            pointer("edges", index, f"{end}Handle"),
            code,
            f"{connection} {what} ({side}s: {names}).",
            edge_id=edge.id,
        )
    )
    return None


def _input_problems(nodes: dict[str, NodeInfo], fed: list[tuple[int, Edge, Port]]) -> list[Problem]:
    problems = []
    feeders: dict[tuple[str, str], list[str]] = defaultdict(list)
    for index, edge, port in fed:
        key = (edge.target, port.name)
        feeders[key].append(edge.source)
        if len(feeders[key]) > 1 and not port.multiple:
            first = nodes[feeders[key][0]].title
            problems.append(
                Problem(
                    pointer("edges", index, "targetHandle"),
                    "input_already_connected",
                    f"{nodes[edge.target].title}: its input {port.name!r} takes one connection "
                    f"and already has one, from {first}; remove the connection from "
                    f"{nodes[edge.source].title}.",
                    edge_id=edge.id,
                )
            )
    for node_id, node in nodes.items():
        for port in (node.inputs or {}).values():
            if port.required and (node_id, port.name) not in feeders:
                problems.append(
                    Problem(
                        pointer("nodes", node.index),
                        "missing_required_input",
                        f"{node.title}: connect its input {port.name!r}.",
                        node_id=node_id,
                    )
                )
    return problems


def _cycle_problems(document: WorkflowDocument, nodes: dict[str, NodeInfo]) -> list[Problem]:
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(
        (edge.source, edge.target)
        for edge in document.edges
        if edge.source in nodes and edge.target in nodes
    )
    problems = []
    for component in nx.strongly_connected_components(graph):
        first = min(component, key=lambda node_id: nodes[node_id].index)
        if len(component) == 1 and not graph.has_edge(first, first):
            continue
        cycle = [source for source, _ in nx.find_cycle(graph.subgraph(component), first)]
        path = " → ".join(nodes[node_id].title for node_id in [*cycle, cycle[0]])
        others = len(component) - len(cycle)
        more = f" ({others} more node(s) are caught in the same loop)" if others else ""
        problems.append(
            Problem(
                pointer("nodes", nodes[cycle[0]].index),
                "cycle",
                f"These nodes form a loop: {path}{more}. Workflows must not loop.",
                node_id=cycle[0],
            )
        )
    return problems


def _unused_outputs(document: WorkflowDocument, nodes: dict[str, NodeInfo]) -> list[Problem]:
    used = {edge.source for edge in document.edges}
    return [
        Problem(
            pointer("nodes", info.index),
            "output_unused",
            f"{info.title}: nothing uses its output, so it runs for nothing.",
            severity="warning",
            node_id=node_id,
        )
        for node_id, info in nodes.items()
        if info.outputs and node_id not in used
    ]
