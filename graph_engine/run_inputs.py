"""The values a run is given for a workflow's ``io.input`` nodes, checked in one place.

The run API, ``nodeloom run`` and the engine all refuse a run whose inputs do not match
the workflow (a required input missing, or a value for an input it does not have) with
these problems, before anything is queued or started. Names match in NFC form
(``graph_engine.names``): an accent typed composed or decomposed names the same input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graph_engine.document import pointer
from graph_engine.errors import Problem
from graph_engine.names import name_key

INPUT_TYPE = "io.input"


@dataclass(frozen=True, slots=True)
class DeclaredInput:
    name: str
    default: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None


def declared_inputs(nodes: Iterable[Any]) -> list[DeclaredInput]:
    """The ``io.input`` nodes among ``nodes`` (document nodes, or their stored dicts)."""
    declared = []
    for node in nodes:
        node_type, params = (
            (node.get("type"), node.get("params"))
            if isinstance(node, Mapping)
            else (node.type, node.params)
        )
        if node_type == INPUT_TYPE and isinstance(params, Mapping):
            name, default = params.get("name"), params.get("default")
            if isinstance(name, str):
                declared.append(DeclaredInput(name, default if isinstance(default, str) else None))
    return declared


def input_problems(declared: list[DeclaredInput], given: Mapping[str, Any]) -> list[Problem]:
    """Every input the run lacks, then every input the workflow does not have."""
    known = {name_key(item.name) for item in declared}
    offered: dict[str, list[str]] = {}
    for name in given:
        offered.setdefault(name_key(name), []).append(name)
    listed = ", ".join(repr(item.name) for item in declared) or "none"
    problems = [
        Problem(pointer("inputs"), "missing_input", f"The workflow needs input {item.name!r}.")
        for item in declared
        if item.required and name_key(item.name) not in offered
    ]
    for name in sorted(given):
        if name_key(name) not in known:
            message = f"The workflow has no input {name!r}; its inputs are: {listed}."
            problems.append(Problem(pointer("inputs", name), "unknown_input", message))
        elif offered[name_key(name)][0] != name:
            message = f"Input {name!r} is given twice, spelt two ways; give it once."
            problems.append(Problem(pointer("inputs", name), "duplicate_input", message))
    return problems


def keyed_by_name(given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` with its names in the form ``io.input`` nodes look them up in (NFC)."""
    return {name_key(name): value for name, value in given.items()}
