"""Literal text and document rendering: ``data.text`` and ``data.join``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from graph_engine import templating
from graph_engine.nodes.base import NodeContext, NodeParams, NodeType, Port, PortType


class Text(NodeType):
    type_id = "data.text"
    title = "Text"
    category = "Data"
    description = "A piece of literal text."

    class Params(NodeParams):
        text: str = Field(
            default="", max_length=1_000_000, json_schema_extra={"format": "textarea"}
        )

    outputs = (Port("text", PortType.TEXT, title="Text"),)

    async def run(
        self, ctx: NodeContext, inputs: Mapping[str, Any], params: Text.Params
    ) -> dict[str, Any]:
        return {"text": params.text}


class Join(NodeType):
    type_id = "data.join"
    title = "Join documents"
    category = "Data"
    description = (
        "Renders documents into one text: each through `template` ({page_content} and any "
        "metadata key), joined by `separator`. Several inputs are concatenated in reading "
        "order: from the source highest on the canvas down, left to right on a row."
    )

    class Params(NodeParams):
        template: str = Field(default="{page_content}", max_length=100_000)
        separator: str = Field(default="\n\n", max_length=1000)

        @field_validator("template")
        @classmethod
        def _valid_template(cls, value: str) -> str:
            templating.variables(value)
            return value

    inputs = (Port("documents", PortType.DOCUMENTS, title="Documents", multiple=True),)
    outputs = (Port("text", PortType.TEXT, title="Text"),)

    async def run(
        self, ctx: NodeContext, inputs: Mapping[str, Any], params: Join.Params
    ) -> dict[str, Any]:
        documents = [document for batch in inputs["documents"] for document in batch]
        rendered = [_render(params.template, document) for document in documents]
        return {"text": params.separator.join(rendered)}


def _render(template: str, document: Any) -> str:
    metadata = getattr(document, "metadata", None) or {}

    def lookup(name: str) -> str:
        if name == "page_content":
            return str(getattr(document, "page_content", document))
        value = metadata.get(name, "")
        return "" if value is None else str(value)

    return templating.render(template, lookup)
