"""Documents in: ``data.loader`` (files or inline content) and ``data.splitter`` (chunks)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from graph_engine.nodes.base import NodeContext, NodeParams, NodeType, Port, PortType


class Loader(NodeType):
    type_id = "data.loader"
    title = "Document loader"
    category = "Data"
    description = (
        "Reads text, Markdown, CSV (a document per row, or whole), JSON (the part at a JSON "
        "pointer; a list gives a document per item) or PDF (a document per page) from a "
        "file or from inline content."
    )

    class Params(NodeParams):
        format: Literal["auto", "text", "markdown", "csv", "json", "pdf"] = Field(
            default="auto", description="auto: from the file's suffix; inline content: text."
        )
        path: str | None = Field(default=None, max_length=4000, description="A file to read.")
        content: str | None = Field(
            default=None,
            max_length=20_000_000,
            description="Inline content instead of a file (PDF: base64).",
            json_schema_extra={"format": "textarea"},
        )
        encoding: str = Field(default="utf-8", max_length=40)
        csv_mode: Literal["rows", "whole"] = "rows"
        json_pointer: str = Field(
            default="", max_length=2000, description="RFC 6901, e.g. /articles; empty: all."
        )

        @model_validator(mode="after")
        def _one_source(self) -> Loader.Params:
            if (self.path is None) == (self.content is None):
                raise ValueError("give either path or content (exactly one)")
            return self

    outputs = (Port("documents", PortType.DOCUMENTS, title="Documents"),)

    async def run(
        self, ctx: NodeContext, inputs: Mapping[str, Any], params: Loader.Params
    ) -> dict[str, Any]:
        import asyncio

        from graph_engine.providers import documents

        fmt = documents.detect_format(params.format, params.path)
        if params.path is not None:
            data = await asyncio.to_thread(documents.read_file, params.path)
            source = params.path
        else:
            data = documents.inline_bytes(params.content or "", fmt)
            source = documents.INLINE
        loaded = await asyncio.to_thread(
            documents.load,
            data,
            fmt,
            source,
            encoding=params.encoding,
            csv_mode=params.csv_mode,
            json_pointer=params.json_pointer,
        )
        return {"documents": loaded}


class Splitter(NodeType):
    type_id = "data.splitter"
    title = "Text splitter"
    category = "Data"
    description = (
        "Splits documents into chunks of at most chunk_size characters, at paragraph, line "
        "and word breaks first (recursive character splitting). Chunks keep their "
        "document's metadata plus start_index."
    )

    class Params(NodeParams):
        chunk_size: int = Field(default=1000, ge=1, le=1_000_000)
        chunk_overlap: int = Field(default=200, ge=0, le=1_000_000)
        separators: list[str] | None = Field(
            default=None, max_length=50, description='Default: "\\n\\n", "\\n", " ", "".'
        )

        @model_validator(mode="after")
        def _overlap_below_size(self) -> Splitter.Params:
            if self.chunk_overlap >= self.chunk_size:
                raise ValueError(
                    f"chunk_overlap ({self.chunk_overlap}) must be smaller than "
                    f"chunk_size ({self.chunk_size})"
                )
            return self

    inputs = (Port("documents", PortType.DOCUMENTS, title="Documents"),)
    outputs = (Port("documents", PortType.DOCUMENTS, title="Chunks"),)

    async def run(
        self, ctx: NodeContext, inputs: Mapping[str, Any], params: Splitter.Params
    ) -> dict[str, Any]:
        from graph_engine.providers.extras import require

        splitters = require(
            "langchain_text_splitters", feature="The splitter", package="langchain-text-splitters"
        )
        options: dict[str, Any] = {
            "chunk_size": params.chunk_size,
            "chunk_overlap": params.chunk_overlap,
            "add_start_index": True,
        }
        if params.separators is not None:
            options["separators"] = params.separators
        splitter = splitters.RecursiveCharacterTextSplitter(**options)
        return {"documents": splitter.split_documents(list(inputs["documents"]))}
