"""Compile a workflow document into a LangGraph ``StateGraph`` — the only LangGraph importer.

The state is ``{"outputs": {node_id: {port: value}}}``, merged by a reducer. Each
workflow node becomes a graph node, or part of one (a chain, below), named by the first
node's ``n<index>`` (React Flow ids may hold characters LangGraph reserves), that reads
its inputs from that state and writes its outputs back. A node with no incoming edges
starts from ``START``; a node with several predecessors gets ``add_edge([p1, p2, …],
node)``, which LangGraph runs only when *all* of them have finished. Independent
branches therefore run in the same super-step, concurrently.

A run of nodes that simply follow one another (each the only input of the next and the
next the only reader of each, none retried) is one graph node that runs them in order:
LangGraph spends about 0.3 ms on every super-step, and a chain has nothing to run
concurrently. Its nodes still report their own events, and a branch that is a chain no
longer waits at each step for the slowest node of its neighbours' steps.

Branches are never removed from the graph: a router's untaken routes carry ``SKIP``,
so every node still "runs" once — skipped nodes only report ``node.skipped`` — and
joins downstream of a router never wait forever.

``max_attempts`` becomes a ``RetryPolicy``; ``timeout_seconds`` an ``asyncio.timeout``
around the node (see ``node_runner``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

from langgraph.graph import START, StateGraph
from langgraph.types import RetryPolicy

from graph_engine.analysis import (
    INPUT_TYPE,
    OUTPUT_TYPE,
    Analysis,
    EdgeInfo,
    NodeInfo,
    analyse,
    run_blockers,
)
from graph_engine.context import RunScope
from graph_engine.document import WorkflowDocument
from graph_engine.errors import NodeCancelled, NodeFailure, ValidationFailed
from graph_engine.node_runner import InputSource, NodePlan, execute
from graph_engine.ports import needs_coercion
from graph_engine.registry import Registry
from graph_engine.run_inputs import DeclaredInput


def merge_outputs(
    left: dict[str, dict[str, Any]], right: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The state reducer: node outputs accumulate; a node writes its own key once."""
    return {**left, **right}


class State(TypedDict):
    outputs: Annotated[dict[str, dict[str, Any]], merge_outputs]


@dataclass(frozen=True, slots=True)
class CompileOptions:
    """Engine-wide knobs (not part of the document)."""

    retry_initial_interval: float = 0.5
    retry_backoff_factor: float = 2.0
    retry_max_interval: float = 30.0
    retry_jitter: bool = True


class CompiledWorkflow:
    """A runnable workflow. Reusable: every run brings its own ``RunScope``."""

    def __init__(self, analysis: Analysis, plans: dict[str, NodePlan], graph: Any) -> None:
        self.plans = plans
        self.warnings = [problem for problem in analysis.problems if not problem.is_error]
        self.node_ids = list(plans)
        self.inputs = [
            DeclaredInput(info.params.name, info.params.default)
            for info in analysis.nodes.values()
            if info.node.type == INPUT_TYPE
        ]
        self.output_nodes = {
            info.params.name: node_id
            for node_id, info in analysis.nodes.items()
            if info.node.type == OUTPUT_TYPE
        }
        self._graph = graph

    async def invoke(self, scope: RunScope) -> dict[str, dict[str, Any]]:
        """Run every node; returns ``{node_id: outputs}``. Raises ``NodeFailure``."""
        # v2: only the "values" stream; v1 also maps every step's "updates" (for
        # interrupts, which workflows never raise): a few percent of a small run.
        state = await self._graph.ainvoke({"outputs": {}}, context=scope, version="v2")
        return state.value["outputs"]


def compile_workflow(
    document: WorkflowDocument,
    registry: Registry | None = None,
    options: CompileOptions | None = None,
) -> CompiledWorkflow:
    """Validate and compile ``document``; raises ``ValidationFailed`` listing every error."""
    analysis = analyse(document, registry)
    blockers = run_blockers(analysis.problems, (node.type for node in document.nodes))
    if blockers:
        raise ValidationFailed(blockers)
    incoming: dict[str, list[EdgeInfo]] = {node_id: [] for node_id in analysis.nodes}
    for edge in sorted(analysis.edges, key=lambda edge: _reading_order(edge, analysis)):
        incoming[edge.edge.target].append(edge)
    plans = {node_id: _plan(info, incoming[node_id]) for node_id, info in analysis.nodes.items()}
    graph = _build_graph(analysis, plans, options or CompileOptions())
    return CompiledWorkflow(analysis, plans, graph)


def _reading_order(edge: EdgeInfo, analysis: Analysis) -> tuple[float, float, str, str, str]:
    """Where an edge's value goes in a ``multiple`` input: sources as a person reads the
    canvas, top to bottom, then left to right; ties by node id, port and edge id. Never
    the document's order, which is only the order nodes happened to be added in."""
    source = analysis.nodes[edge.edge.source].node
    position = source.position
    return (position.y, position.x, source.id, edge.source_port.name, edge.edge.id)


def _plan(info: NodeInfo, edges: list[EdgeInfo]) -> NodePlan:
    assert info.node_type is not None and info.inputs is not None and info.outputs is not None
    sources = tuple(
        InputSource(
            source=edge.edge.source,
            source_port=edge.source_port.name,
            target_port=edge.target_port.name,
            convert=(edge.source_port.type, edge.target_port.type)
            if needs_coercion(edge.source_port.type, edge.target_port.type)
            else None,
        )
        for edge in edges
    )
    settings = info.node.settings
    return NodePlan(
        node_id=info.node.id,
        type_id=info.node.type,
        instance=info.node_type(),
        params=info.params,
        sources=sources,
        multiple_ports=tuple(name for name, port in info.inputs.items() if port.multiple),
        required_ports=tuple(name for name, port in info.inputs.items() if port.required),
        output_ports=frozenset(info.outputs),
        timeout=settings.timeout_seconds if settings else None,
        max_attempts=(settings.max_attempts or 1) if settings else 1,
    )


def _build_graph(analysis: Analysis, plans: dict[str, NodePlan], options: CompileOptions) -> Any:
    keys = {node_id: f"n{info.index}" for node_id, info in analysis.nodes.items()}
    predecessors: dict[str, dict[str, None]] = {node_id: {} for node_id in plans}
    successors: dict[str, dict[str, None]] = {node_id: {} for node_id in plans}
    for edge in analysis.edges:
        predecessors[edge.edge.target][edge.edge.source] = None
        successors[edge.edge.source][edge.edge.target] = None
    chains = _chains(plans, predecessors, successors)
    # An edge leaves a chain only at its end: the graph node it comes from is that chain's.
    graph_node_of = {chain[-1]: keys[chain[0]] for chain in chains}
    builder = StateGraph(State, context_schema=RunScope)
    # Every node first: LangGraph refuses an edge from a node it does not know yet, and
    # the document may list a node before the nodes that feed it.
    for chain in chains:
        node = _GraphNode([plans[node_id] for node_id in chain])
        builder.add_node(keys[chain[0]], node, retry_policy=_retry(plans[chain[0]], options))
    for chain in chains:
        head = chain[0]
        before = [graph_node_of[source] for source in predecessors[head]]
        if not before:
            builder.add_edge(START, keys[head])
        elif len(before) == 1:
            builder.add_edge(before[0], keys[head])
        else:
            builder.add_edge(before, keys[head])
    return builder.compile()


def _chains(
    plans: dict[str, NodePlan],
    predecessors: dict[str, dict[str, None]],
    successors: dict[str, dict[str, None]],
) -> list[list[str]]:
    """The workflow cut into chains: a node joins the chain of its predecessor when it is
    that node's only successor, that node is its only predecessor, and neither is
    retried (LangGraph retries a whole graph node)."""

    def follows(node_id: str) -> bool:
        before = predecessors[node_id]
        if len(before) != 1 or plans[node_id].max_attempts > 1:
            return False
        (source,) = before
        return len(successors[source]) == 1 and plans[source].max_attempts <= 1

    chains = []
    for node_id in plans:
        if follows(node_id):
            continue
        chain = [node_id]
        while len(successors[chain[-1]]) == 1:
            (after,) = successors[chain[-1]]
            if not follows(after):
                break
            chain.append(after)
        chains.append(chain)
    return chains


class _GraphNode:
    """The LangGraph node for a chain of workflow nodes (often just one), run one after
    the other in one task; each node after the first reads only the one before it. A
    class, not a closure: LangGraph inspects closures' free variables at compile time,
    which costs ~0.3 ms a node."""

    __slots__ = ("plans",)

    def __init__(self, plans: list[NodePlan]) -> None:
        self.plans = plans

    async def __call__(self, state: Any, runtime: Any) -> dict[str, Any]:
        scope, produced = runtime.context, {}
        available = state["outputs"]
        for plan in self.plans:
            produced[plan.node_id] = await execute(plan, scope, available)
            available = produced
        return {"outputs": produced}


def _retry(plan: NodePlan, options: CompileOptions) -> RetryPolicy | None:
    if plan.max_attempts <= 1:
        return None
    return RetryPolicy(
        initial_interval=options.retry_initial_interval,
        backoff_factor=options.retry_backoff_factor,
        max_interval=options.retry_max_interval,
        max_attempts=plan.max_attempts,
        jitter=options.retry_jitter,
        retry_on=_should_retry,
    )


def _should_retry(error: Exception) -> bool:
    # The node runner already decided: a final failure arrives as NodeFailure.
    return not isinstance(error, NodeFailure | NodeCancelled)
