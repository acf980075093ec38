"""The workflow of the report that started the generated-graph tests: a Prompt template
dropped first, then the two Inputs that feed it and the Output — so the document lists
the template before its feeders. It failed in under 1 ms with LangGraph's "Need to
add_node `n1` first". Names in several scripts, as people write them."""

from __future__ import annotations

from typing import Any


def template_before_its_feeders() -> dict[str, Any]:
    def node(node_id: str, node_type: str, x: float, **params: Any) -> dict[str, Any]:
        return {"id": node_id, "type": node_type, "position": {"x": x, "y": 0}, "params": params}

    def edge(source: str, port: str, target: str, handle: str) -> dict[str, Any]:
        return {
            "id": f"{source}-{target}-{handle}",
            "source": source,
            "sourceHandle": port,
            "target": target,
            "targetHandle": handle,
        }

    return {
        "format": "nodeloom.workflow",
        "version": 1,
        "name": "Données clés — 流程",
        "nodes": [
            node("prompt_template_1", "prompt.template", 300, template="{a} and {имя}"),
            node("io_input_1", "io.input", 0, name="a"),
            node("io_input_2", "io.input", 0, name="имя"),
            node("io_output_1", "io.output", 600, name="結果"),
        ],
        "edges": [
            edge("io_input_1", "value", "prompt_template_1", "a"),
            edge("io_input_2", "value", "prompt_template_1", "имя"),
            edge("prompt_template_1", "prompt", "io_output_1", "value"),
        ],
    }


REPRO_INPUTS = {"a": "salt", "имя": "pepper"}
REPRO_OUTPUTS = {"結果": "salt and pepper"}
