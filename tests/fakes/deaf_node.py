"""A node that swallows one cancellation and goes on, as langchain-openai's streaming
can on Python 3.11 (``asyncio.wait_for`` there drops a cancellation that lands with the
awaited chunk). Abstract: a test registers it where it needs it (``deaf_plugin`` puts it
in a server subprocess's catalogue through ``NODELOOM_PLUGINS``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

from graph_engine.nodes.base import NodeContext, NodeParams, NodeType, Port, PortType


class DeafNode(NodeType, abstract=True):
    type_id = "test.deaf"
    title = "Deaf"
    category = "Test"

    class Params(NodeParams):
        seconds: float = 5.0

    inputs = (Port("text", PortType.TEXT, required=False),)
    outputs = (Port("text", PortType.TEXT),)

    async def run(self, ctx: NodeContext, inputs: Mapping[str, Any], params: Any) -> dict[str, Any]:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(params.seconds)
        await asyncio.sleep(params.seconds)
        return {"text": "went on"}
