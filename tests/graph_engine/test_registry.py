from __future__ import annotations

import json

import pytest
from engine_testkit import TEST_REGISTRY

from graph_engine.errors import DuplicateNodeType, RegistryError, UnknownNodeType
from graph_engine.nodes.base import NodeParams, NodeType, Port, PortType
from graph_engine.registry import Registry, catalogue, default_registry

CORE_TYPES = {"io.input", "io.output", "data.text", "data.join", "prompt.template", "logic.router"}


def test_catalogue_lists_the_core_types_as_json():
    entries = catalogue()
    assert json.loads(json.dumps(entries)) == entries
    by_id = {entry["type_id"]: entry for entry in entries}
    assert set(by_id) >= CORE_TYPES
    assert not any(type_id.startswith(("test.", "bench.")) for type_id in by_id)
    prompt = by_id["prompt.template"]
    assert set(prompt) == {
        "type_id",
        "title",
        "category",
        "description",
        "params_schema",
        "inputs",
        "outputs",
        "dynamic_inputs_from",
        "dynamic_outputs_from",
    }
    assert prompt["dynamic_inputs_from"] == "template"
    assert prompt["params_schema"]["required"] == ["template"]
    assert prompt["outputs"] == [
        {
            "name": "prompt",
            "type": "text",
            "title": "Prompt",
            "required": True,
            "multiple": False,
            "description": "",
        }
    ]
    assert by_id["logic.router"]["dynamic_outputs_from"] == "rules"


def test_scoped_registry_sees_core_and_its_own_types():
    assert "test.sleep" in TEST_REGISTRY and "io.input" in TEST_REGISTRY
    assert "test.sleep" not in default_registry()
    assert "test.sleep" in {entry["type_id"] for entry in catalogue(TEST_REGISTRY)}


def test_duplicate_type_id_is_an_error():
    scope = Registry("dup", parent=default_registry())
    with pytest.raises(DuplicateNodeType, match=r"data\.text"):

        class Again(NodeType, registry=scope):
            type_id = "data.text"
            title = "Again"
            category = "Test"

            async def run(self, ctx, inputs, params):
                return {}


def test_declarations_are_checked():
    scope = Registry("checks")
    with pytest.raises(RegistryError, match="title"):

        class NoTitle(NodeType, registry=scope):
            type_id = "x.no_title"
            category = "Test"

            async def run(self, ctx, inputs, params):
                return {}

    with pytest.raises(RegistryError, match="run"):

        class NoRun(NodeType, registry=scope):
            type_id = "x.no_run"
            title = "No run"
            category = "Test"

    with pytest.raises(UnknownNodeType):
        scope.get("x.no_run")


def test_abstract_bases_are_not_registered():
    scope = Registry("abstract")

    class Base(NodeType, abstract=True):
        category = "Family"

        class Params(NodeParams):
            size: int = 1

    class Concrete(Base, registry=scope):
        type_id = "family.concrete"
        title = "Concrete"
        outputs = (Port("out", PortType.JSON),)

        async def run(self, ctx, inputs, params):
            return {"out": params.size}

    assert [t.type_id for t in scope] == ["family.concrete"]
    assert scope.get("family.concrete") is Concrete
