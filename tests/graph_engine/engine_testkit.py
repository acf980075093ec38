"""Test-only helpers for engine tests: build documents inline, run them, read the events.

Test-only node types live in ``TEST_REGISTRY`` (a child of the core registry); pass it
as ``registry=`` and they never show up in ``catalogue()``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from pydantic import Field

from graph_engine.compile import CompileOptions
from graph_engine.document import WorkflowDocument, parse_document
from graph_engine.events import ListSink
from graph_engine.nodes.base import CredentialRef, NodeContext, NodeParams, NodeType, Port, PortType
from graph_engine.registry import Registry, default_registry
from graph_engine.runner import RunResult, run

TEST_REGISTRY = Registry("tests", parent=default_registry())
FAST_RETRY = CompileOptions(retry_initial_interval=0.001, retry_jitter=False)


class Flow:
    """``Flow().node("a", "data.text", text="hi").wire("a.text", "b.value").document()``"""

    def __init__(self, name: str = "test") -> None:
        self.name = name
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []

    def node(
        self, node_id: str, type_id: str, settings: dict[str, Any] | None = None, **params: Any
    ) -> Flow:
        node: dict[str, Any] = {
            "id": node_id,
            "type": type_id,
            "position": {"x": 0, "y": 0},
            "params": params,
        }
        if settings:
            node["settings"] = settings
        self.nodes.append(node)
        return self

    def wire(self, source: str, target: str, edge_id: str | None = None) -> Flow:
        """Connect ``"node.port"`` → ``"node.port"`` (``"node"`` alone: a null handle)."""
        source_id, _, source_handle = source.partition(".")
        target_id, _, target_handle = target.partition(".")
        self.edges.append(
            {
                "id": edge_id or f"{source}->{target}",
                "source": source_id,
                "sourceHandle": source_handle or None,
                "target": target_id,
                "targetHandle": target_handle or None,
            }
        )
        return self

    def data(self) -> dict[str, Any]:
        return {
            "format": "nodeloom.workflow",
            "version": 1,
            "name": self.name,
            "nodes": self.nodes,
            "edges": self.edges,
        }

    def document(self) -> WorkflowDocument:
        return parse_document(self.data())


async def run_flow(
    flow: Flow | WorkflowDocument, inputs: Mapping[str, Any] | None = None, **kwargs: Any
) -> tuple[RunResult, ListSink]:
    sink = ListSink()
    document = flow.document() if isinstance(flow, Flow) else flow
    kwargs.setdefault("registry", TEST_REGISTRY)
    kwargs.setdefault("options", FAST_RETRY)
    result = await run(document, inputs or {}, sink, **kwargs)
    return result, sink


def assert_well_formed(sink: ListSink) -> None:
    """Seq 1, 2, 3… with no gap; exactly one terminal event, and it is last."""
    assert [event.seq for event in sink.events] == list(range(1, len(sink.events) + 1))
    terminal = [
        e for e in sink.events if e.type in ("run.succeeded", "run.failed", "run.cancelled")
    ]
    assert len(terminal) == 1 and terminal[0] is sink.events[-1]


# --- test-only node types ----------------------------------------------------------


class Sleep(NodeType, registry=TEST_REGISTRY):
    """Waits, then passes its text on (or emits ``params.text`` when nothing is wired)."""

    type_id = "test.sleep"
    title = "Sleep"
    category = "Test"

    class Params(NodeParams):
        seconds: float = 0.0
        text: str = "slept"

    inputs = (Port("text", PortType.TEXT, required=False),)
    outputs = (Port("text", PortType.TEXT),)

    async def run(self, ctx: NodeContext, inputs: Mapping[str, Any], params: Any) -> dict[str, Any]:
        await asyncio.sleep(params.seconds)
        return {"text": inputs.get("text", params.text)}


class Fail(NodeType, registry=TEST_REGISTRY):
    """Fails after ``seconds`` — or succeeds from attempt ``succeed_on_attempt`` on."""

    type_id = "test.fail"
    title = "Fail"
    category = "Test"

    class Params(NodeParams):
        seconds: float = 0.0
        message: str = "boom"
        succeed_on_attempt: int | None = None
        credential: CredentialRef | None = None

    inputs = (Port("text", PortType.TEXT, required=False),)
    outputs = (Port("text", PortType.TEXT),)

    async def run(self, ctx: NodeContext, inputs: Mapping[str, Any], params: Any) -> dict[str, Any]:
        await asyncio.sleep(params.seconds)
        message = params.message
        if params.credential is not None:
            message += " " + await ctx.resolve_credential(params.credential)
        if params.succeed_on_attempt is not None and ctx.attempt >= params.succeed_on_attempt:
            return {"text": f"ok on attempt {ctx.attempt}"}
        raise ConnectionError(message)


class Spin(NodeType, registry=TEST_REGISTRY):
    """Busy until cancelled, checking ``ctx.check_cancelled()`` between short sleeps."""

    type_id = "test.spin"
    title = "Spin"
    category = "Test"

    class Params(NodeParams):
        rounds: int = Field(default=10_000)

    outputs = (Port("text", PortType.TEXT),)

    async def run(self, ctx: NodeContext, inputs: Mapping[str, Any], params: Any) -> dict[str, Any]:
        for _ in range(params.rounds):
            ctx.check_cancelled()
            ctx.emit_token(".")
            await asyncio.sleep(0.005)
        return {"text": "spun"}


class Docs(NodeType, registry=TEST_REGISTRY):
    """Emits documents made from ``params.texts`` (metadata ``n`` = position)."""

    type_id = "test.docs"
    title = "Docs"
    category = "Test"

    class Params(NodeParams):
        texts: tuple[str, ...] = ()

    outputs = (Port("documents", PortType.DOCUMENTS),)

    async def run(self, ctx: NodeContext, inputs: Mapping[str, Any], params: Any) -> dict[str, Any]:
        from langchain_core.documents import Document

        return {
            "documents": [
                Document(page_content=text, metadata={"n": n})
                for n, text in enumerate(params.texts)
            ]
        }


class Collect(NodeType, registry=TEST_REGISTRY):
    """Lists what arrived on its ``multiple`` input as JSON."""

    type_id = "test.collect"
    title = "Collect"
    category = "Test"
    inputs = (Port("items", PortType.ANY, multiple=True, required=False),)
    outputs = (Port("items", PortType.JSON),)

    async def run(self, ctx: NodeContext, inputs: Mapping[str, Any], params: Any) -> dict[str, Any]:
        return {"items": list(inputs["items"])}


class Messages(NodeType, registry=TEST_REGISTRY):
    """Receives messages (text is converted by the engine) and reports their types."""

    type_id = "test.messages"
    title = "Messages"
    category = "Test"
    inputs = (Port("messages", PortType.MESSAGES),)
    outputs = (Port("text", PortType.TEXT),)

    async def run(self, ctx: NodeContext, inputs: Mapping[str, Any], params: Any) -> dict[str, Any]:
        return {"text": ",".join(f"{m.type}:{m.content}" for m in inputs["messages"])}
