"""A credential's secret goes only to that credential's own endpoint.

A stored credential is bound to its provider and, if its owner set one, its base URL; a
node's ``base_url`` is only for calls without a credential. Each test has a listener that
must receive nothing, beside a positive control showing the same secret does reach the
endpoint it belongs to.
"""

from __future__ import annotations

import pytest
from engine_testkit import Flow, run_flow
from fakes.openai_server import fake_openai
from fakes.pinecone_server import FakePinecone
from test_models import chat_flow, problems
from test_vectors import search_flow

from graph_engine import validate
from graph_engine.credentials import BASE_URL_NEEDS_NO_CREDENTIAL, Credential
from graph_engine.registry import default_registry

SECRET = "sk-owner-9c1f27d4e8a3b5f60217"
KEY = {"$credential": "key"}


def embeddings_problems(**params: object) -> list[str]:
    document = Flow().node("emb", "model.embeddings", **params).document()
    return [p.message for p in validate(document, default_registry()) if p.is_error]


@pytest.mark.parametrize("provider", ["openai", "anthropic", "openai_compatible"])
def test_a_node_base_url_never_goes_with_a_credential(provider: str):
    assert problems(provider=provider, credential=KEY, base_url="http://evil.example/v1") == [
        f"Chat model: {BASE_URL_NEEDS_NO_CREDENTIAL}"
    ]
    assert problems(provider=provider, credential=KEY) == []


def test_embeddings_base_url_is_for_key_less_servers_only():
    assert embeddings_problems(provider="openai", credential=KEY, base_url="http://x/v1") == [
        f"Embeddings: {BASE_URL_NEEDS_NO_CREDENTIAL}"
    ]
    assert embeddings_problems(provider="openai", base_url="http://localhost:8080/v1") == []
    assert embeddings_problems(provider="openai") == [
        "Embeddings: provider openai needs a credential (its API key), or the base_url of a "
        "compatible server that takes no key"
    ]


def test_openai_compatible_needs_a_url_from_the_node_or_the_credential():
    assert problems(provider="openai_compatible") == [
        "Chat model: provider openai_compatible needs a base_url, or a credential that has one"
    ]


@pytest.mark.parametrize(
    "provider",
    ["openai_compatible", "openai"],  # its server; OpenAI behind its owner's proxy
)
async def test_a_bound_key_reaches_its_own_endpoint(provider: str):
    own: list[str] = []
    with fake_openai(own) as own_url:
        key = Credential(SECRET, provider, own_url)
        flow = chat_flow(provider=provider, model="echo", credential=KEY)
        result, sink = await run_flow(flow, {"question": "hi"}, credentials={"key": key})
    assert result.status == "succeeded", result.error
    assert len(own) == 1 and f"Bearer {SECRET}" in own[0]  # the control: it does arrive
    assert all(SECRET not in event.model_dump_json() for event in sink.events)


@pytest.mark.parametrize(
    ("node_provider", "credential_provider", "message"),
    [
        (
            "openai_compatible",
            "openai",
            "Credential 'key' is an OpenAI key, and this node calls an OpenAI-compatible "
            "server's key: pick a credential for that provider.",
        ),
        (
            "openai",
            "anthropic",
            "Credential 'key' is an Anthropic key, and this node calls an OpenAI key: pick a "
            "credential for that provider.",
        ),
        (
            "anthropic",
            "openai_compatible",
            "Credential 'key' is an OpenAI-compatible server's key, and this node calls an "
            "Anthropic key: pick a credential for that provider.",
        ),
    ],
)
async def test_a_credential_of_another_provider_is_refused_before_any_call(
    node_provider: str, credential_provider: str, message: str
):
    listener: list[str] = []
    with fake_openai(listener) as url:
        key = Credential(SECRET, credential_provider, url)
        flow = chat_flow(provider=node_provider, model="echo", credential=KEY)
        result, sink = await run_flow(flow, {"question": "hi"}, credentials={"key": key})
    assert result.status == "failed"
    assert (result.error.type, result.error.message) == ("CredentialMismatch", message)
    assert listener == []
    assert all(SECRET not in event.model_dump_json() for event in sink.events)


async def test_an_openai_compatible_credential_without_a_url_is_refused():
    flow = chat_flow(provider="openai_compatible", credential=KEY)
    result, _ = await run_flow(
        flow, {"question": "hi"}, credentials={"key": Credential(SECRET, "openai_compatible")}
    )
    assert result.status == "failed"
    assert result.error.message == (
        "Credential 'key' has no base URL: set the server's /v1 URL on the credential."
    )


def pinecone_params(host: str) -> dict[str, object]:
    return {"store": "pinecone", "index_host": host, "credential": {"$credential": "pc"}}


async def test_a_pinecone_key_goes_only_to_pinecone_or_the_host_its_owner_set():
    with FakePinecone(api_key=SECRET, dimension=384) as own, FakePinecone() as visitor:
        # Bound without a base URL: only *.pinecone.io — the visitor's host gets nothing.
        bound = Credential(SECRET, "pinecone")
        result, _ = await run_flow(
            search_flow(pinecone_params(visitor.host)), {"question": "x"}, credentials={"pc": bound}
        )
        assert result.status == "failed"
        assert result.error.message == (
            "Credential 'pc' is sent only to Pinecone's own hosts (*.pinecone.io), not to "
            "index_host 127.0.0.1."
        )
        # Bound to the owner's host: the key reaches it, and a swap to another host fails.
        pinned = Credential(SECRET, "pinecone", own.host)
        result, _ = await run_flow(
            search_flow(pinecone_params(own.host)), {"question": "x"}, credentials={"pc": pinned}
        )
        assert result.status == "succeeded", result.error
        result, _ = await run_flow(
            search_flow(pinecone_params(visitor.host)),
            {"question": "x"},
            credentials={"pc": pinned},
        )
        assert result.status == "failed" and "not to index_host" in result.error.message
    assert own.requests and all(seen.headers["Api-Key"] == SECRET for seen in own.requests)
    assert visitor.requests == []


async def test_a_pgvector_store_takes_a_postgres_credential_only():
    flow = search_flow({"store": "pgvector", "credential": {"$credential": "db"}})
    result, _ = await run_flow(
        flow, {"question": "x"}, credentials={"db": Credential(SECRET, "openai")}
    )
    assert result.status == "failed" and result.error.type == "CredentialMismatch"
