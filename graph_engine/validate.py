"""Graph-level checks of a structurally valid document: ``validate(document) -> problems``.

Every problem is reported at once, each with a code, the node or edge id, a JSON
pointer into the document and a message for a person:

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
``output_unused``                warning   ``/nodes/i`` (no output leads anywhere)
``annotation_edge``              error     ``/edges/j`` (an edge to or from a note)
================================ ========= ==========================================

A workflow without any node but notes is valid (every new workflow starts so) but has
nothing to run: running it is refused with ``nothing_to_run`` (``/nodes``), which
``compile`` raises and the run API answers before queueing.

Nodes whose type starts with ``ui.`` (sticky notes) are annotations: they are not
checked as steps and never run.

A null handle means "the node's only port"; ports of a node whose params are invalid
are unknown, so its edges are checked once its params are fixed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from pydantic import ValidationError

from graph_engine.document import Edge, Node, WorkflowDocument, pointer
from graph_engine.errors import Problem
from graph_engine.nodes.base import NodeType
from graph_engine.ports import Port, can_connect
from graph_engine.registry import Registry, default_registry

INPUT_TYPE = "io.input"
OUTPUT_TYPE = "io.output"


@dataclass(slots=True)
class NodeInfo:
    index: int
    node: Node
    node_type: type[NodeType] | None = None
    params: Any = None
    inputs: dict[str, Port] | None = None  # None: unknown (bad type or params)
    outputs: dict[str, Port] | None = None


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
    """Every problem (errors and warnings) with ``document``; empty when all is well."""
    return analyse(document, registry).problems


def analyse(document: WorkflowDocument, registry: Registry | None = None) -> Analysis:
    registry = registry or default_registry()
    analysis = Analysis(nodes={})
    annotations = set()
    for index, node in enumerate(document.nodes):
        if node.is_annotation:
            annotations.add(node.id)
            continue
        analysis.nodes[node.id] = _resolve_node(index, node, registry, analysis.problems)
    analysis.problems += _duplicate_names(analysis.nodes.values())
    for index, edge in enumerate(document.edges):
        if annotations.intersection((edge.source, edge.target)):
            analysis.problems.append(_annotation_edge(index, edge))
            continue
        resolved = _resolve_edge(index, edge, analysis)
        if resolved is not None:
            analysis.edges.append(resolved)
    analysis.problems += _input_problems(analysis)
    analysis.problems += _cycle_problems(document, analysis.nodes)
    analysis.problems += _unused_outputs(document, analysis.nodes)
    return analysis


def _annotation_edge(index: int, edge: Edge) -> Problem:
    return Problem(
        pointer("edges", index),
        "annotation_edge",
        f"Edge {edge.id!r} touches a note; notes cannot be connected.",
        edge_id=edge.id,
    )


def _resolve_node(index: int, node: Node, registry: Registry, problems: list[Problem]) -> NodeInfo:
    info = NodeInfo(index, node)
    info.node_type = registry.find(node.type)
    if info.node_type is None:
        problems.append(
            Problem(
                pointer("nodes", index, "type"),
                "unknown_node_type",
                f"Node {node.id!r} has an unknown type {node.type!r}.",
                node_id=node.id,
            )
        )
        return info
    try:
        info.params = info.node_type.Params.model_validate(node.params)
    except ValidationError as error:
        problems += _param_problems(index, node, error)
        return info
    info.inputs = {port.name: port for port in info.node_type.input_ports(info.params)}
    info.outputs = {port.name: port for port in info.node_type.output_ports(info.params)}
    return info


def _param_problems(index: int, node: Node, error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "params"
        problems.append(
            Problem(
                pointer("nodes", index, "params", *item["loc"]),
                "invalid_params",
                f"Node {node.id!r}: {where}: {item['msg']}",
                node_id=node.id,
            )
        )
    return problems


def _duplicate_names(nodes: Any) -> list[Problem]:
    problems, seen = [], set()
    for info in nodes:
        if info.node.type not in (INPUT_TYPE, OUTPUT_TYPE) or info.params is None:
            continue
        key = (info.node.type, info.params.name)
        if key in seen:
            kind = "input" if info.node.type == INPUT_TYPE else "output"
            problems.append(
                Problem(
                    pointer("nodes", info.index, "params", "name"),
                    f"duplicate_{kind}_name",
                    f"Two workflow {kind}s are called {info.params.name!r}.",
                    node_id=info.node.id,
                )
            )
        seen.add(key)
    return problems


def _resolve_edge(index: int, edge: Edge, analysis: Analysis) -> EdgeInfo | None:
    source, target = analysis.nodes.get(edge.source), analysis.nodes.get(edge.target)
    if source is None or target is None:  # parse_document refuses these; be defensive
        return None
    source_port = _port(index, edge, "source", source.outputs, analysis.problems)
    target_port = _port(index, edge, "target", target.inputs, analysis.problems)
    if source_port is None or target_port is None:
        return None
    if not can_connect(source_port.type, target_port.type):
        analysis.problems.append(
            Problem(
                pointer("edges", index),
                "incompatible_ports",
                f"Edge {edge.id!r} connects {edge.source}.{source_port.name} "
                f"({source_port.type}) to {edge.target}.{target_port.name} "
                f"({target_port.type}), which cannot accept it.",
                edge_id=edge.id,
            )
        )
        return None
    return EdgeInfo(index, edge, source_port, target_port)


def _port(
    index: int, edge: Edge, end: str, ports: dict[str, Port] | None, problems: list[Problem]
) -> Port | None:
    if ports is None:
        return None
    handle = getattr(edge, f"{end}Handle")
    node_id = getattr(edge, end)
    side = "output" if end == "source" else "input"
    if handle is None and len(ports) == 1:
        return next(iter(ports.values()))
    if handle is not None and handle in ports:
        return ports[handle]
    if handle is None:
        code, message = f"missing_{end}_handle", f"does not say which {side} of {node_id!r}"
    else:
        code, message = f"unknown_{end}_handle", f"uses {side} {handle!r}, which {node_id!r} lacks"
    names = ", ".join(map(repr, ports)) or "none"
    problems.append(
        Problem(
            pointer("edges", index, f"{end}Handle"),
            code,
            f"Edge {edge.id!r} {message} ({side}s: {names}).",
            edge_id=edge.id,
        )
    )
    return None


def _input_problems(analysis: Analysis) -> list[Problem]:
    problems = []
    fed: dict[tuple[str, str], int] = defaultdict(int)
    for info in analysis.edges:
        key = (info.edge.target, info.target_port.name)
        fed[key] += 1
        if fed[key] > 1 and not info.target_port.multiple:
            problems.append(
                Problem(
                    pointer("edges", info.index, "targetHandle"),
                    "input_already_connected",
                    f"Edge {info.edge.id!r} feeds {info.edge.target}.{info.target_port.name}, "
                    "which takes one connection and already has one.",
                    edge_id=info.edge.id,
                )
            )
    for node_id, node in analysis.nodes.items():
        for port in (node.inputs or {}).values():
            if port.required and not fed[(node_id, port.name)]:
                problems.append(
                    Problem(
                        pointer("nodes", node.index),
                        "missing_required_input",
                        f"Node {node_id!r} needs its input {port.name!r} connected.",
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
        path = " → ".join(repr(node_id) for node_id in [*cycle, cycle[0]])
        others = len(component) - len(cycle)
        more = f" ({others} more node(s) are caught in the same loop)" if others else ""
        problems.append(
            Problem(
                pointer("nodes", nodes[cycle[0]].index),
                "cycle",
                f"Nodes form a cycle: {path}{more}. Workflows must not loop.",
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
            f"Nothing uses the output of node {node_id!r}; it runs for nothing.",
            severity="warning",
            node_id=node_id,
        )
        for node_id, info in nodes.items()
        if info.outputs and node_id not in used
    ]
