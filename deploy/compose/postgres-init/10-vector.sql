-- Runs once, when the postgres service creates its data volume: the pgvector extension
-- for `vector.upsert` / `vector.search` nodes whose store is this database.
CREATE EXTENSION IF NOT EXISTS vector;
