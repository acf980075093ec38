"""Workflow inputs and outputs: ``io.input`` and ``io.output``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from graph_engine.errors import MissingInput, NodeError
from graph_engine.names import MAX_PORT_NAME_LENGTH, name_key, port_name_problem
from graph_engine.nodes.base import NodeContext, NodeParams, NodeType, Port, PortType


def _name_field(kind: str) -> Any:
    return Field(
        default="",
        max_length=MAX_PORT_NAME_LENGTH,
        validate_default=True,
        description=f"The {kind}'s name: letters and digits in any script, spaces, _ and -.",
        # For the inspector, which flags an empty name as it is typed; the engine's own
        # check (below) words the problem: "give this input a name".
        json_schema_extra={"minLength": 1},
    )


def _checked_name(kind: str, name: str) -> str:
    if not name:
        raise ValueError(f"give this {kind} a name")
    if reason := port_name_problem(name):
        raise ValueError(f"this {kind}'s name {reason}")
    return name


class _Named(NodeType, abstract=True):
    """``io.input`` and ``io.output``: titled by their name, which people look for."""

    @classmethod
    def title_for(cls, params: Any) -> str:
        return f"{cls.title} {params.name!r}"


class WorkflowInput(_Named):
    type_id = "io.input"
    title = "Input"
    category = "Input / Output"
    description = "A named workflow input; a run supplies its value by name."

    class Params(NodeParams):
        name: str = _name_field("input")
        description: str = Field(default="", max_length=2000)
        default: str | None = Field(default=None, description="Used when a run omits it.")

        @field_validator("name")
        @classmethod
        def _valid_name(cls, name: str) -> str:
            return _checked_name("input", name)

    outputs = (Port("value", PortType.TEXT, title="Value"),)

    async def run(
        self, ctx: NodeContext, inputs: Mapping[str, Any], params: WorkflowInput.Params
    ) -> dict[str, Any]:
        value = ctx.workflow_inputs.get(name_key(params.name), params.default)
        if value is None:
            raise MissingInput(f"The run gave no value for input {params.name!r}.")
        if not isinstance(value, str):
            raise InputNotText(f"Input {params.name!r} must be text, not {type(value).__name__}.")
        return {"value": value}


class InputNotText(NodeError):
    code = "input_not_text"
    retryable = False


class WorkflowOutput(_Named):
    type_id = "io.output"
    title = "Output"
    category = "Input / Output"
    description = "A named workflow output: the run's result under this name."

    class Params(NodeParams):
        name: str = _name_field("output")

        @field_validator("name")
        @classmethod
        def _valid_name(cls, name: str) -> str:
            return _checked_name("output", name)

    inputs = (Port("value", PortType.ANY, title="Value"),)

    async def run(
        self, ctx: NodeContext, inputs: Mapping[str, Any], params: WorkflowOutput.Params
    ) -> dict[str, Any]:
        # The runner reads this node's input after the run: nothing to do here.
        return {}
