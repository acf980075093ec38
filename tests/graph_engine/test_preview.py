from __future__ import annotations

import json

from langchain_core.documents import Document

from graph_engine.preview import preview, scrub


def test_small_values_are_shown_as_they_are():
    assert preview({"text": "hi", "n": 1}, 4096) == ({"text": "hi", "n": 1}, False)


def test_documents_and_big_values_are_summarised_within_the_limit():
    docs = [Document(page_content="x" * 100, metadata={"i": i}) for i in range(200)]
    shown, truncated = preview({"documents": docs, "text": "é" * 10_000}, 4096)
    assert truncated
    assert len(json.dumps(shown, ensure_ascii=False).encode()) <= 4096 + 64


def test_scrub_replaces_secrets_everywhere():
    assert scrub({"m": ["key sk-1 here"]}, {"sk-1"}) == {"m": ["key *** here"]}
