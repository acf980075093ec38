"""Workflow inputs and outputs: ``io.input`` and ``io.output``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from graph_engine.errors import MissingInput, NodeError
from graph_engine.nodes.base import NodeContext, NodeParams, NodeType, Port, PortType

_NAME = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z_][A-Za-z0-9_\- ]*$")


class WorkflowInput(NodeType):
    type_id = "io.input"
    title = "Input"
    category = "Input / Output"
    description = "A named workflow input; a run supplies its value by name."

    class Params(NodeParams):
        name: str = _NAME
        description: str = Field(default="", max_length=2000)
        default: str | None = Field(default=None, description="Used when a run omits it.")

    outputs = (Port("value", PortType.TEXT, title="Value"),)

    async def run(
        self, ctx: NodeContext, inputs: Mapping[str, Any], params: WorkflowInput.Params
    ) -> dict[str, Any]:
        value = ctx.workflow_inputs.get(params.name, params.default)
        if value is None:
            raise MissingInput(f"The run gave no value for input {params.name!r}.")
        if not isinstance(value, str):
            raise InputNotText(f"Input {params.name!r} must be text, not {type(value).__name__}.")
        return {"value": value}


class InputNotText(NodeError):
    code = "input_not_text"
    retryable = False


class WorkflowOutput(NodeType):
    type_id = "io.output"
    title = "Output"
    category = "Input / Output"
    description = "A named workflow output: the run's result under this name."

    class Params(NodeParams):
        name: str = _NAME

    inputs = (Port("value", PortType.ANY, title="Value"),)

    async def run(
        self, ctx: NodeContext, inputs: Mapping[str, Any], params: WorkflowOutput.Params
    ) -> dict[str, Any]:
        # The runner reads this node's input after the run: nothing to do here.
        return {}
