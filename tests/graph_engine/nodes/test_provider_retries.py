"""The node's ``max_attempts`` is the only retry: provider SDKs send each attempt once.

LangGraph's ``RetryPolicy`` retries a failed node; an SDK retrying inside each attempt
too would multiply the two. The fake server answers model ``busy`` with a 503, which
every SDK retries by default, and counts the requests that reach it.
"""

from __future__ import annotations

import pytest
from engine_testkit import Flow, run_flow
from fakes.openai_server import fake_openai

from graph_engine.credentials import Credential
from graph_engine.providers.embeddings import openai_embeddings

SECRET = "sk-test-retries-not-a-real-key"


def busy_chat_flow(provider: str, max_attempts: int) -> Flow:
    return (
        Flow()
        .node("q", "io.input", name="question")
        .node(
            "llm",
            "model.chat",
            settings={"max_attempts": max_attempts},
            provider=provider,
            model="busy",
            credential={"$credential": "key"},
        )
        .node("out", "io.output", name="answer")
        .wire("q.value", "llm.prompt")
        .wire("llm.text", "out.value")
    )


@pytest.mark.parametrize("provider", ["openai_compatible", "anthropic"])
@pytest.mark.parametrize("max_attempts", [1, 3])
async def test_a_chat_node_sends_one_request_per_attempt(provider: str, max_attempts: int):
    received: list[str] = []
    with fake_openai(received) as base_url:
        url = base_url if provider == "openai_compatible" else base_url.removesuffix("/v1")
        credentials = {"key": Credential(SECRET, provider, url)}
        flow = busy_chat_flow(provider, max_attempts)
        result, sink = await run_flow(flow, {"question": "hi"}, credentials=credentials)
    assert result.status == "failed"
    assert "503" in result.error.message or "busy" in result.error.message
    (failed,) = sink.of("node.failed", "llm")
    assert failed.data.attempt == max_attempts
    assert len(received) == max_attempts


async def test_openai_embeddings_send_one_request_per_call():
    received: list[str] = []
    with fake_openai(received) as base_url:
        embeddings = openai_embeddings("busy", SECRET, base_url, None)
        with pytest.raises(Exception, match="busy"):
            await embeddings.aembed_query("hello")
    assert len(received) == 1
