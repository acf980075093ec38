"""The example workflows under ``examples/``: canonical, valid, and they run offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from engine_testkit import assert_well_formed, run_flow

from graph_engine import validate
from graph_engine.document import export_bytes, parse_document
from graph_engine.registry import default_registry

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
NAMES = ["prompt-chat", "rag", "router"]


def example(name: str):
    return parse_document(json.loads((EXAMPLES / f"{name}.nodeloom.json").read_bytes()))


def test_every_example_is_listed():
    assert sorted(path.name for path in EXAMPLES.glob("*.nodeloom.json")) == sorted(
        f"{name}.nodeloom.json" for name in NAMES
    )


@pytest.mark.parametrize("name", NAMES)
def test_example_is_canonical_and_valid(name: str):
    raw = (EXAMPLES / f"{name}.nodeloom.json").read_bytes()
    document = example(name)
    assert export_bytes(document) == raw  # export → import → export is stable
    assert [p for p in validate(document, default_registry()) if p.is_error] == []
    assert document.credentials == []  # runs offline: no secret needed


async def test_prompt_chat_runs_on_the_local_model(gemma_path: str):
    result, sink = await run_flow(example("prompt-chat"), {})
    assert result.status == "succeeded", result.error
    assert_well_formed(sink)
    assert isinstance(result.outputs["answer"], str)
    assert sink.of("node.token", "llm")


async def test_rag_retrieves_the_passage_that_answers(gemma_path: str):
    result, sink = await run_flow(example("rag"), {"question": "How long does a refund take?"})
    assert result.status == "succeeded", result.error
    assert_well_formed(sink)
    assert "within 30 days" in result.outputs["sources"][0].page_content
    assert isinstance(result.outputs["answer"], str)
    (prompt,) = sink.of("node.succeeded", "prompt")
    assert "within 30 days" in prompt.data.outputs["prompt"]


@pytest.mark.parametrize(
    ("message", "taken"),
    [
        ("I would like a refund for my order.", "billing_answer"),
        ("I forgot my password", "account_answer"),
        ("Do you sell gift cards?", "general_answer"),
    ],
)
async def test_router_takes_one_branch(gemma_path: str, message: str, taken: str):
    result, sink = await run_flow(example("router"), {"message": message})
    assert result.status == "succeeded", result.error
    assert list(result.outputs) == [taken]
    ran_model = bool(sink.of("node.started", "billing_llm"))
    assert ran_model == (taken == "billing_answer")
