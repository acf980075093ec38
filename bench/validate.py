"""Validation time of a valid 1,000-node workflow (target: < 200 ms), plus compile time.

The document is a chain of prompt templates fed by one text node, with one output:
every node's params are validated, every edge's handles and types checked, and the
graph searched for cycles.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from graph_engine import validate
from graph_engine.compile import compile_workflow
from graph_engine.document import parse_document

NODES = 1000
ROUNDS = 7


def document(n: int) -> dict[str, Any]:
    nodes = [{"id": "n0", "type": "data.text", "position": {"x": 0, "y": 0}, "params": {}}]
    nodes += [
        {
            "id": f"n{i}",
            "type": "prompt.template",
            "position": {"x": i, "y": 0},
            "params": {"template": "Step {x}"},
        }
        for i in range(1, n - 1)
    ]
    nodes.append(
        {
            "id": f"n{n - 1}",
            "type": "io.output",
            "position": {"x": n, "y": 0},
            "params": {"name": "o"},
        }
    )
    edges = [
        {
            "id": f"e{i}",
            "source": f"n{i}",
            "sourceHandle": None,
            "target": f"n{i + 1}",
            "targetHandle": None if i == n - 2 else "x",
        }
        for i in range(n - 1)
    ]
    return {
        "format": "nodeloom.workflow",
        "version": 1,
        "name": "big",
        "nodes": nodes,
        "edges": edges,
    }


def main() -> None:
    parsed = parse_document(document(NODES))
    timings = []
    for round_ in range(ROUNDS):
        print(f"  round {round_ + 1}/{ROUNDS}…", end="\r", file=sys.stderr, flush=True)
        began = time.perf_counter()
        problems = validate(parsed)
        timings.append((time.perf_counter() - began) * 1000)
        assert problems == [], problems
    began = time.perf_counter()
    compile_workflow(parsed)
    compile_ms = (time.perf_counter() - began) * 1000
    best, median = min(timings), statistics.median(timings)
    verdict = "ok" if median < 200 else "OVER TARGET"
    print(
        f"validate {NODES} nodes: best {best:.1f} ms, median {median:.1f} ms "
        f"(target < 200 ms: {verdict})"
    )
    print(f"validate + compile (LangGraph StateGraph) {NODES} nodes: {compile_ms:.1f} ms")


if __name__ == "__main__":
    main()
