"""``model.chat``: real streamed tokens from a local GGUF and from an OpenAI-compatible server.

The local tests run the Gemma 3 270M file in-process; the ``openai_compatible`` tests
talk to llama-cpp-python's own server over the real wire format. OpenAI and Anthropic
run only when their API keys are set. Gemma 270M is a small base model: the tests
assert on the stream and the bookkeeping, never on what it says.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from engine_testkit import Flow, assert_well_formed, run_flow

from graph_engine import validate
from graph_engine.credentials import Credential
from graph_engine.events import CallbackSink, ListSink
from graph_engine.providers.errors import ProviderError, provider_error
from graph_engine.providers.extras import MissingDependency, require
from graph_engine.registry import default_registry
from graph_engine.runner import run

SECRET = "sk-test-5f3c9a1d-not-a-real-key"


def chat_flow(**params: object) -> Flow:
    return (
        Flow()
        .node("q", "io.input", name="question")
        .node("llm", "model.chat", **params)
        .node("out", "io.output", name="answer")
        .wire("q.value", "llm.prompt")
        .wire("llm.text", "out.value")
    )


def assert_streamed(sink: ListSink, text: str) -> None:
    """Tokens arrived as node.token events and add up to the node's text output."""
    tokens = [event.data.text for event in sink.of("node.token", "llm")]
    assert tokens, "no node.token events"
    assert "".join(tokens) == text
    assert text.strip()
    (succeeded,) = sink.of("node.succeeded", "llm")
    assert succeeded.data.outputs["message"][0]["type"] == "ai"


def problems(**params: object) -> list[str]:
    document = chat_flow(**params).document()
    return [p.message for p in validate(document, default_registry()) if p.is_error]


# --- params ------------------------------------------------------------------------


def test_the_catalogue_offers_every_provider_and_a_credential_picker():
    (entry,) = [e for e in default_registry().catalogue() if e["type_id"] == "model.chat"]
    schema = entry["params_schema"]
    assert schema["properties"]["provider"]["enum"] == [
        "openai",
        "anthropic",
        "openai_compatible",
        "local",
    ]
    assert "x-nodeloom-credential" in str(schema["$defs"]["CredentialRef"])
    assert [p["name"] for p in entry["inputs"]] == ["prompt"]
    assert [(p["name"], p["type"]) for p in entry["outputs"]] == [
        ("text", "text"),
        ("message", "messages"),
    ]


def test_params_are_checked_per_provider():
    assert problems(provider="openai", credential={"$credential": "openai"}) == []
    assert any("needs a credential" in m for m in problems(provider="anthropic"))
    assert any("needs a base_url" in m for m in problems(provider="openai_compatible"))
    assert any("provider" in m for m in problems(provider="cohere"))
    assert problems(provider="local", max_tokens=8) == []


# --- local: the GGUF file in-process -----------------------------------------------


async def test_local_model_streams_tokens_and_reports_usage(gemma_path: str):
    flow = chat_flow(provider="local", max_tokens=12, temperature=0.0, seed=1)
    result, sink = await run_flow(flow, {"question": "The capital of France is"})
    assert result.status == "succeeded", result.error
    assert_well_formed(sink)
    assert_streamed(sink, result.outputs["answer"])
    usage = sink.of("node.succeeded", "llm")[0].data.usage
    assert usage is not None
    assert 0 < usage.output_tokens <= 12
    assert usage.input_tokens > 0


async def test_local_model_accepts_a_model_path_and_a_system_prompt(gemma_path: str):
    flow = chat_flow(
        provider="local", model_path=gemma_path, system_prompt="Answer briefly.", max_tokens=6
    )
    result, sink = await run_flow(flow, {"question": "Say hello."})
    assert result.status == "succeeded", result.error
    assert_streamed(sink, result.outputs["answer"])


async def test_a_missing_model_file_fails_without_retrying(tmp_path):
    flow = chat_flow(provider="local", model_path=str(tmp_path / "nope.gguf"))
    flow.nodes[1]["settings"] = {"max_attempts": 3}
    result, sink = await run_flow(flow, {"question": "hi"})
    assert result.status == "failed"
    assert "No GGUF model file" in result.error.message
    assert len(sink.of("node.started", "llm")) == 1  # not retryable


async def test_cancelling_stops_local_generation_and_frees_the_model(gemma_path: str):
    cancel = asyncio.Event()
    events: list = []

    def watch(event) -> None:
        events.append(event)
        if event.type == "node.token":
            cancel.set()

    flow = chat_flow(provider="local", max_tokens=400, temperature=1.0)
    result = await run(
        flow.document(), {"question": "Tell a long story."}, CallbackSink(watch), cancel=cancel
    )
    assert result.status == "cancelled"
    assert sum(event.type == "node.token" for event in events) < 100
    # The model's lock was released: the next run generates at once.
    again, _ = await asyncio.wait_for(
        run_flow(chat_flow(provider="local", max_tokens=4), {"question": "Hi"}), 60
    )
    assert again.status == "succeeded", again.error


# --- openai_compatible: llama-cpp-python's server over HTTP ------------------------


async def test_openai_compatible_server_streams_real_tokens(llama_server):
    flow = chat_flow(
        provider="openai_compatible",
        model="gemma",
        max_tokens=12,
        temperature=0.0,
        credential={"$credential": "local-key"},
    )
    key = Credential(SECRET, "openai_compatible", llama_server.base_url)
    result, sink = await run_flow(
        flow, {"question": "Name a colour."}, credentials={"local-key": key}
    )
    assert result.status == "succeeded", result.error
    assert_well_formed(sink)
    assert_streamed(sink, result.outputs["answer"])
    assert len(sink.of("node.token", "llm")) <= 12 + 1  # max_tokens reached the server


async def test_an_unreachable_server_fails_naming_the_model():
    flow = chat_flow(provider="openai_compatible", max_tokens=4, credential={"$credential": "k"})
    # The discard port: nobody listens.
    key = Credential(SECRET, "openai_compatible", "http://127.0.0.1:9/v1")
    result, sink = await run_flow(flow, {"question": "hi"}, credentials={"k": key})
    assert result.status == "failed"
    assert result.error.type == "ProviderError"
    assert "openai_compatible chat model" in result.error.message
    assert all(SECRET not in event.model_dump_json() for event in sink.events)


def test_provider_errors_are_scrubbed_and_classified():
    class Refused(Exception):
        status_code = 401

    error = provider_error("openai", Refused(f"Incorrect API key provided: {SECRET}"), [SECRET])
    assert isinstance(error, ProviderError)
    assert SECRET not in str(error) and "***" in str(error)
    assert error.retryable is False
    assert provider_error("openai", ConnectionError("reset"), []).retryable is True


def test_a_missing_extra_names_the_install_command():
    with pytest.raises(MissingDependency, match=r"pip install 'nodeloom\[local-models\]'"):
        require("no_such_module_xyz", feature="X", package="no-such", extra="local-models")


_WITHOUT = """
import asyncio, json, sys
sys.modules[sys.argv[1]] = None  # as if the package were not installed
from graph_engine.events import ListSink
from graph_engine.runner import run
sink = ListSink()
result = asyncio.run(run(json.loads(sys.argv[2]), {"question": "hi"}, sink))
print(json.dumps({"status": result.status, "error": result.error.model_dump()}))
"""


@pytest.mark.parametrize(
    ("blocked", "node"),
    [
        ("llama_cpp", {"type": "model.chat", "params": {"provider": "local"}}),
        ("sentence_transformers", {"type": "model.embeddings", "params": {"provider": "local"}}),
    ],
)
def test_a_node_without_its_extra_says_what_to_install(blocked: str, node: dict):
    document = (
        Flow().node("q", "io.input", name="question").node("n", node["type"], **node["params"])
    ).data()
    if node["type"] == "model.chat":
        document["edges"] = [Flow().wire("q.value", "n.prompt").edges[0]]
    root = Path(__file__).resolve().parents[3]
    completed = subprocess.run(
        [sys.executable, "-c", _WITHOUT, blocked, json.dumps(document)],
        capture_output=True, text=True, cwd=root, timeout=120, check=True,
    )  # fmt: skip
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    assert outcome["status"] == "failed"
    assert outcome["error"]["type"] == "MissingDependency"
    assert "pip install 'nodeloom[local-models]'" in outcome["error"]["message"]


# --- hosted providers: only with real keys -----------------------------------------


@pytest.mark.parametrize(
    ("provider", "variable"), [("openai", "OPENAI_API_KEY"), ("anthropic", "ANTHROPIC_API_KEY")]
)
async def test_hosted_provider_streams(provider: str, variable: str):
    key = os.environ.get(variable)
    if not key:
        pytest.skip(f"{variable} is not set: the real {provider} test needs an API key")
    flow = chat_flow(provider=provider, max_tokens=16, credential={"$credential": "key"})
    result, sink = await run_flow(flow, {"question": "Say OK."}, credentials={"key": key})
    assert result.status == "succeeded", result.error
    assert_streamed(sink, result.outputs["answer"])
    usage = sink.of("node.succeeded", "llm")[0].data.usage
    assert usage is not None and usage.output_tokens > 0
    assert all(key not in event.model_dump_json() for event in sink.events)
