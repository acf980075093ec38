"""Small workflow files for the CLI tests, built from the core node types."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from api_support import document, node


def link(
    edge_id: str,
    source: str,
    target: str,
    target_handle: str | None = None,
    source_handle: str | None = None,
) -> dict[str, Any]:
    return {
        "id": edge_id,
        "source": source,
        "sourceHandle": source_handle,
        "target": target,
        "targetHandle": target_handle,
    }


def greeting() -> dict[str, Any]:
    """io.input ``name`` → prompt.template → io.output ``greeting``."""
    return document(
        "Greeting",
        [
            node("q", "io.input", name="name"),
            node("tpl", "prompt.template", template="Hello, {who}!"),
            node("out", "io.output", name="greeting"),
        ],
        [link("e1", "q", "tpl", "who"), link("e2", "tpl", "out")],
    )


def routed() -> dict[str, Any]:
    """data.text → logic.router (``urgent`` when it contains "now") → two outputs."""
    return document(
        "Routed",
        [
            node("t", text="Call me now"),
            node(
                "r",
                "logic.router",
                rules=[{"route": "urgent", "kind": "contains", "value": "now"}],
            ),
            node("hot", "io.output", name="urgent"),
            node("cold", "io.output", name="later"),
        ],
        [
            link("e1", "t", "r"),
            link("e2", "r", "hot", source_handle="urgent"),
            link("e3", "r", "cold", source_handle="default"),
        ],
    )


def looping() -> dict[str, Any]:
    return document(
        "Loop",
        [
            node("a", "prompt.template", template="{x}"),
            node("b", "prompt.template", template="{x}"),
        ],
        [link("ab", "a", "b", "x"), link("ba", "b", "a", "x")],
    )


def chat(model: str) -> dict[str, Any]:
    """io.input → model.chat (OpenAI, credential ``openai``) → io.output. The credential
    carries the URL: ``NODELOOM_CREDENTIAL_OPENAI_BASE_URL`` (the fake server in tests)."""
    return document(
        "Chat",
        [
            node("q", "io.input", name="question"),
            node(
                "llm",
                "model.chat",
                provider="openai",
                model=model,
                credential={"$credential": "openai"},
            ),
            node("out", "io.output", name="answer"),
        ],
        [link("e1", "q", "llm"), link("e2", "llm", "out", source_handle="text")],
        credentials=[{"name": "openai", "provider": "openai"}],
    )


def write(path: Path, doc: Any) -> Path:
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path
