"""What the remote vector stores share: async-only LangChain ``VectorStore``s that embed
with the model they were given and score by cosine similarity.

A subclass implements ``aadd_documents`` and ``asimilarity_search_with_score_by_vector``.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore


class AsyncVectorStore(VectorStore):
    """See the module docstring."""

    _embedding: Embeddings

    @property
    def embeddings(self) -> Embeddings:
        return self._embedding

    async def aadd_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        texts = list(texts)
        metadatas = metadatas or [{} for _ in texts]
        documents = [
            Document(page_content=t, metadata=m) for t, m in zip(texts, metadatas, strict=True)
        ]
        return await self.aadd_documents(documents, ids=ids)

    async def asimilarity_search_with_score(
        self, query: str, k: int = 4, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        vector = await self._embedding.aembed_query(query)
        return await self.asimilarity_search_with_score_by_vector(vector, k)

    @abstractmethod
    async def asimilarity_search_with_score_by_vector(
        self, embedding: list[float], k: int = 4
    ) -> list[tuple[Document, float]]:
        """The ``k`` nearest documents to ``embedding`` with their cosine similarity."""

    async def asimilarity_search(self, query: str, k: int = 4, **kwargs: Any) -> list[Document]:
        return [doc for doc, _ in await self.asimilarity_search_with_score(query, k)]

    async def asimilarity_search_by_vector(
        self, embedding: list[float], k: int = 4, **kwargs: Any
    ) -> list[Document]:
        return [doc for doc, _ in await self.asimilarity_search_with_score_by_vector(embedding, k)]

    def _select_relevance_score_fn(self) -> Any:
        return lambda score: score  # the stores already return cosine similarity

    def similarity_search(self, query: str, k: int = 4, **kwargs: Any) -> list[Document]:
        raise NotImplementedError(
            f"{type(self).__name__} is async: use the a-prefixed methods (asimilarity_search…)."
        )

    @classmethod
    def from_texts(cls, *args: Any, **kwargs: Any) -> AsyncVectorStore:
        raise NotImplementedError(f"Build a {cls.__name__} with its constructor.")
