"""``model.embeddings``: an embedding model, handed on as a LangChain ``Embeddings``.

The ``embeddings`` port carries the model, not vectors: ``vector.upsert`` embeds the
documents with it and ``vector.search`` the query, so both always use the same model.
``local`` is all-MiniLM-L6-v2 (384 dimensions, offline; the ``local-models`` extra),
``openai`` is OpenAI's embeddings API with a credential (sent only to the credential's
own endpoint), or a compatible server that takes no key at the node's ``base_url``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from graph_engine.credentials import BASE_URL_NEEDS_NO_CREDENTIAL
from graph_engine.nodes.base import CredentialRef, NodeContext, NodeParams, NodeType, Port, PortType


class EmbeddingModel(NodeType):
    type_id = "model.embeddings"
    title = "Embeddings"
    category = "Models"
    description = (
        "An embedding model for vector upsert and search: local all-MiniLM-L6-v2 "
        "(384 dimensions, offline) or OpenAI."
    )

    class Params(NodeParams):
        provider: Literal["local", "openai"] = "local"
        model: str | None = Field(
            default=None,
            max_length=200,
            description="openai: e.g. text-embedding-3-small (the default). "
            "local: all-MiniLM-L6-v2 only.",
        )
        dimensions: int | None = Field(
            default=None, ge=1, le=8192, description="openai text-embedding-3 models only."
        )
        base_url: str | None = Field(
            default=None,
            max_length=2000,
            description="openai without a credential: a compatible server's /v1 URL.",
        )
        credential: CredentialRef | None = Field(
            default=None, description="openai: the API key (an OpenAI or compatible credential)."
        )

        @model_validator(mode="after")
        def _consistent(self) -> EmbeddingModel.Params:
            if self.provider == "openai" and self.credential is None and not self.base_url:
                raise ValueError(
                    "provider openai needs a credential (its API key), or the base_url of "
                    "a compatible server that takes no key"
                )
            if self.credential is not None and self.base_url:
                raise ValueError(BASE_URL_NEEDS_NO_CREDENTIAL)
            if self.provider == "local":
                if self.model not in (None, "", "all-MiniLM-L6-v2"):
                    raise ValueError("the local provider runs all-MiniLM-L6-v2 only")
                if self.dimensions not in (None, 384):
                    raise ValueError("all-MiniLM-L6-v2 has 384 dimensions")
            return self

    outputs = (Port("embeddings", PortType.EMBEDDINGS, title="Embeddings"),)

    async def run(
        self, ctx: NodeContext, inputs: Mapping[str, Any], params: EmbeddingModel.Params
    ) -> dict[str, Any]:
        import asyncio

        from graph_engine.providers import embeddings

        if params.provider == "local":
            await asyncio.to_thread(embeddings.load_minilm)  # load (once) off the event loop
            return {"embeddings": embeddings.LocalMiniLM()}
        secret, base_url = None, params.base_url
        if params.credential is not None:
            credential = await ctx.credential(
                params.credential, provider=("openai", "openai_compatible")
            )
            secret, base_url = credential.secret, credential.base_url
        model = embeddings.openai_embeddings(params.model, secret, base_url, params.dimensions)
        return {"embeddings": model}
