"""The secret scan: what it flags, where it says it is, and what it lets through."""

from __future__ import annotations

import pytest

from backend.exchange.secret_scan import classify, scan_document

# Fake, but shaped like the real thing.
SECRETS = {
    "openai_key": "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
    "anthropic_key": "sk-ant-api03-Zy9xWv8uTs7rQp6oNm5lKj4iHg3fEd2c",
    "pinecone_key": "pcsk_4Fh2K_9sLq7TzXv3BnMw8RcYd1PjEo6UaGi",
    "aws_access_key": "AKIAIOSFODNN7EXAMPLE",
    "github_token": "ghp_R2d2C3p0Bb8Yoda1Luke9Leia4Han5SoloChew",
    "slack_token": "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9",
    "bearer_token": "Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "private_key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
    "url_password": "postgresql://nodeloom:s3cr3t-pw@db.internal:5432/app",
}


def _document(*nodes: dict) -> dict:
    return {"nodes": list(nodes)}


def _node(node_id: str, **params: object) -> dict:
    return {"id": node_id, "type": "data.text", "position": {"x": 0, "y": 0}, "params": params}


@pytest.mark.parametrize(("kind", "secret"), sorted(SECRETS.items()))
def test_each_kind_is_found_inside_prose_with_its_pointer(kind: str, secret: str):
    text = f"Use this when calling the API:\n{secret}\nThanks!"
    document = _document(_node("a"), _node("prompt", template=text))

    findings = scan_document(document)

    assert [(f.node_id, f.pointer, f.kind) for f in findings] == [
        ("prompt", "/nodes/1/params/template", kind)
    ]
    assert secret not in repr(findings)


def test_nested_values_get_escaped_pointers_into_objects_and_lists():
    headers = {"X-Api/Key": SECRETS["openai_key"], "Authorization": [SECRETS["bearer_token"]]}
    document = _document(_node("http", headers=headers))

    pointers = {f.pointer for f in scan_document(document)}

    assert pointers == {
        "/nodes/0/params/headers/X-Api~1Key",
        "/nodes/0/params/headers/Authorization/0",
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("api_key", "3f1e9c2ab7d44e0f8c6b5a1d2e3f4a5b"),  # a Pinecone-style legacy key
        ("token", "Zq8mX2vN7rL4tP9wK3sJ6hG1dF5aB0cE"),
        ("pinecone_api_key", "5c2e8a8e-0d57-4e59-8a6c-3b1f9e7c2d11"),
        ("password", "hunter2hunter2"),
        ("client_secret", "correct-horse"),
    ],
)
def test_random_values_in_key_like_params_are_found(name: str, value: str):
    findings = scan_document(_document(_node("n", **{name: value})))

    assert [(f.pointer, f.kind) for f in findings] == [
        (f"/nodes/0/params/{name}", "key_like_value")
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"template": "Answer the question politely. Ask for the order number if it is missing."},
        {"template": "Sketch a task-force plan; ask-me-anything sessions start at 9."},
        {"session_id": "5c2e8a8e-0d57-4e59-8a6c-3b1f9e7c2d11"},
        {"base_url": "http://localhost:11434/v1"},
        {"base_url": "https://user@proxy.example.com/v1"},
        {"connection": "postgresql://nodeloom@db.internal:5432/app"},
        {"connection": "postgresql://nodeloom:${DB_PASSWORD}@db.internal/app"},
        {"connection": "postgresql://nodeloom:****@db.internal/app"},
        {"template": "Send the header Bearer <token> with each request."},
        {"template": "Bearer authentication is described in RFC 6750."},
        {"api_key": "OPENAI_API_KEY"},
        {"api_key": "${OPENAI_API_KEY}"},
        {"api_key": "{api_key}"},
        {"api_key": ""},
        {"token": "aaaaaaaaaaaaaaaaaaaaaaaa"},
        {"max_tokens": 256, "password": ""},
        {"credential": {"$credential": "openai"}},
        {"nested": [{"credential": {"$credential": "sk-proj-NamedLikeAKeyButItIsAName"}}]},
        {"model": "gpt-4o-mini", "stop": ["\n", "Human:"], "temperature": 0.2},
    ],
)
def test_ordinary_params_pass(params: dict):
    assert scan_document(_document(_node("n", **params))) == []


def test_classify_names_the_kind_without_a_param_name():
    assert classify(SECRETS["anthropic_key"]) == "anthropic_key"  # not mistaken for OpenAI
    assert classify("sk-ant-api03-Zy9xWv8uTs7rQp6oNm5lKj4iHg3fEd2c", "template") == "anthropic_key"
    assert classify("3f1e9c2ab7d44e0f8c6b5a1d2e3f4a5b") is None  # random, but not in a key param


def test_malformed_documents_are_scanned_as_far_as_they_go():
    document = {"nodes": ["not a node", {"params": "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"}]}

    findings = scan_document(document)

    assert [(f.node_id, f.pointer) for f in findings] == [("#2", "/nodes/1/params")]
    assert scan_document({"nodes": "many"}) == []
