"""Vector stores behind ``vector.upsert`` and ``vector.search``, as LangChain ``VectorStore``s.

``memory`` is langchain-core's ``InMemoryVectorStore``; ``pgvector`` (``PgVectorStore``)
and ``pinecone`` (``PineconeVectorStore``) are small async stores over asyncpg + pgvector
and the official Pinecone SDK. All three score by cosine similarity (higher is closer),
so one ``score_threshold`` means the same on each. ``records`` holds what they share:
stable ids (re-running an upsert overwrites instead of duplicating) and metadata
flattening.
"""
