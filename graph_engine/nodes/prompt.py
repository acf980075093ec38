"""``prompt.template``: fills ``{variables}``, one input port per variable."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from graph_engine import templating
from graph_engine.nodes.base import NodeContext, NodeParams, NodeType, Port, PortType


class PromptTemplate(NodeType):
    type_id = "prompt.template"
    title = "Prompt template"
    category = "Prompts"
    description = (
        "Fills {variables} in a template; each variable becomes an input. "
        "Write {{ and }} for literal braces."
    )
    dynamic_inputs_from = "template"

    class Params(NodeParams):
        template: str = Field(
            min_length=1, max_length=200_000, json_schema_extra={"format": "textarea"}
        )

        @field_validator("template")
        @classmethod
        def _valid_template(cls, value: str) -> str:
            templating.variables(value)
            return value

    outputs = (Port("prompt", PortType.TEXT, title="Prompt"),)

    @classmethod
    def input_ports(cls, params: PromptTemplate.Params) -> tuple[Port, ...]:
        return tuple(Port(name, PortType.TEXT) for name in templating.variables(params.template))

    async def run(
        self, ctx: NodeContext, inputs: Mapping[str, Any], params: PromptTemplate.Params
    ) -> dict[str, Any]:
        return {"prompt": templating.render(params.template, lambda name: _text(inputs[name]))}


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
