"""Workflows built the way people build them: any shape, in any order — for property tests.

``valid_workflows()`` draws documents from the node catalogue's model-free types (chains,
diamonds, wide fan-in and fan-out, several inputs and outputs, routers whose branches
get skipped, disconnected parts), with the nodes and edges listed in a random order and
names in several scripts. ``invalid_workflows()`` breaks one of them in a way a person
does (a loop, a connection between ports that do not fit, an input left unconnected, a
nameless input) and says which problem code ``validate`` must report and for which node
or edge.

``reference_run`` is the differential oracle: a plain topological evaluation with
networkx, written from the engine's documented rules (node_runner: skipping; compile:
reading order of a ``multiple`` input), no LangGraph and no compiler.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from hypothesis import strategies as st

from graph_engine.nodes.documents import Loader, Splitter

# Every model-free type the catalogue has is drawn here; test_generated_graphs checks that
# a type added later is either drawn or listed as needing a model or a service.
GENERATED_TYPES = (
    "io.input",
    "io.output",
    "data.text",
    "prompt.template",
    "data.join",
    "logic.router",
    "data.loader",
    "data.splitter",
)
NEEDS_A_MODEL_OR_SERVICE = ("model.chat", "model.embeddings", "vector.search", "vector.upsert")

SKIP = object()  # the reference's own "branch not taken"
TEXT, DOCUMENTS = "text", "documents"

# Names in several scripts, with composed and decomposed accents: the engine compares
# names in NFC, so a template's {données} is fed by a port typed either way.
_NAMES = ("q", "имя", "結果", "données", "donne\u0301es", "x_1", "नाम", "Ωmega")
_IDS = ("n", "node:", "步骤-", "a/b.", "😀")
_WORDS = ("alpha", "beta", "gamma", "{{", "}}", "é", "日本", " ", "\n")


@dataclass
class Generated:
    """A workflow document and the inputs a run gives it."""

    data: dict[str, Any]
    inputs: dict[str, str] = field(default_factory=dict)

    def shuffled(self, nodes: list[int], edges: list[int]) -> Generated:
        data = copy.deepcopy(self.data)
        data["nodes"] = [data["nodes"][index] for index in nodes]
        data["edges"] = [data["edges"][index] for index in edges]
        return Generated(data, dict(self.inputs))


@dataclass
class _Output:
    node_id: str
    port: str
    declared: str  # the port's type
    actual: str  # what flows at run time: a router passes on what it is given


class _Builder:
    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []
        self.outputs: list[_Output] = []
        self.inputs: dict[str, str] = {}
        self.input_names: set[str] = set()
        self.output_names: set[str] = set()

    def add_node(self, type_id: str, params: dict[str, Any]) -> str:
        prefix = self.draw(st.sampled_from(_IDS))
        node_id = f"{prefix}{len(self.nodes)}"
        x = self.draw(st.integers(0, 4)) * 200.0
        y = self.draw(st.integers(0, 4)) * 120.0  # ties happen: the id breaks them
        self.nodes.append(
            {"id": node_id, "type": type_id, "position": {"x": x, "y": y}, "params": params}
        )
        return node_id

    def wire(self, source: _Output, target: str, handle: str | None) -> None:
        edge_id = f"e{len(self.edges)}-{self.draw(st.integers(0, 99))}"
        self.edges.append(
            {
                "id": edge_id,
                "source": source.node_id,
                "sourceHandle": source.port,
                "target": target,
                "targetHandle": handle,
            }
        )

    def sources(self, actual: str) -> list[_Output]:
        return [output for output in self.outputs if output.actual == actual]

    def unique_name(self, taken: set[str]) -> str:
        base = self.draw(st.sampled_from(_NAMES))
        name = base
        while unicodedata.normalize("NFC", name) in taken:
            name = f"{base} {len(taken)}"
        taken.add(unicodedata.normalize("NFC", name))
        return name

    def text(self, max_size: int = 4) -> str:
        return "".join(self.draw(st.lists(st.sampled_from(_WORDS), max_size=max_size)))


def _add_input(builder: _Builder) -> None:
    name = builder.unique_name(builder.input_names)
    params: dict[str, Any] = {"name": name}
    has_default = builder.draw(st.booleans())
    if has_default:
        params["default"] = builder.text()
    if not has_default or builder.draw(st.booleans()):
        builder.inputs[name] = builder.draw(st.sampled_from(("yes", "no", "maybe", "", "日本")))
    node_id = builder.add_node("io.input", params)
    builder.outputs.append(_Output(node_id, "value", TEXT, TEXT))


def _add_text(builder: _Builder) -> None:
    node_id = builder.add_node("data.text", {"text": builder.text()})
    builder.outputs.append(_Output(node_id, "text", TEXT, TEXT))


def _add_template(builder: _Builder) -> bool:
    feeders = builder.sources(TEXT)
    if not feeders:
        return False
    names = builder.draw(st.lists(st.sampled_from(_NAMES[:6]), min_size=1, max_size=3))
    distinct = list(dict.fromkeys(unicodedata.normalize("NFC", name) for name in names))
    literal = builder.text(2).replace("{", "{{").replace("}", "}}")
    template = literal + " ".join(f"{{{name}}}" for name in names) + " {{done}}"
    node_id = builder.add_node("prompt.template", {"template": template})
    for name in distinct:
        handle = builder.draw(st.sampled_from((name, unicodedata.normalize("NFD", name))))
        builder.wire(builder.draw(st.sampled_from(feeders)), node_id, handle)
    builder.outputs.append(_Output(node_id, "prompt", TEXT, TEXT))
    return True


def _add_router(builder: _Builder) -> bool:
    if not builder.outputs:
        return False
    feeder = builder.draw(st.sampled_from(builder.outputs))
    rules = []
    if feeder.actual == TEXT:  # rules read text; documents always take the default route
        for index in range(builder.draw(st.integers(0, 3))):
            word = builder.draw(st.sampled_from(("y", "e", "a", "日", "maybe", "zz")))
            route = builder.draw(st.sampled_from((f"r{index}", "r0")))
            rules.append({"route": route, "kind": "contains", "value": word})
    mode = builder.draw(st.sampled_from(("first", "all")))
    node_id = builder.add_node("logic.router", {"rules": rules, "mode": mode})
    builder.wire(feeder, node_id, "value")
    for route in dict.fromkeys([*(rule["route"] for rule in rules), "default"]):
        builder.outputs.append(_Output(node_id, route, "any", feeder.actual))
    return True


def _add_loader(builder: _Builder) -> None:
    content = builder.text(6) or "empty"
    node_id = builder.add_node("data.loader", {"content": content, "format": "text"})
    builder.outputs.append(_Output(node_id, "documents", DOCUMENTS, DOCUMENTS))


def _add_splitter(builder: _Builder) -> bool:
    feeders = builder.sources(DOCUMENTS)
    if not feeders:
        return False
    size = builder.draw(st.integers(3, 20))
    params = {"chunk_size": size, "chunk_overlap": builder.draw(st.integers(0, size - 1))}
    node_id = builder.add_node("data.splitter", params)
    builder.wire(builder.draw(st.sampled_from(feeders)), node_id, "documents")
    builder.outputs.append(_Output(node_id, "documents", DOCUMENTS, DOCUMENTS))
    return True


def _add_join(builder: _Builder) -> bool:
    feeders = builder.sources(DOCUMENTS)
    if not feeders:
        return False
    template = builder.draw(st.sampled_from(("{page_content}", "<{page_content}>")))
    node_id = builder.add_node("data.join", {"template": template, "separator": "|"})
    chosen = builder.draw(st.lists(st.sampled_from(feeders), min_size=1, max_size=4))
    for feeder in chosen:  # the same source twice is two edges, two values
        builder.wire(feeder, node_id, "documents")
    builder.outputs.append(_Output(node_id, "text", TEXT, TEXT))
    return True


def _add_output(builder: _Builder) -> bool:
    if not builder.outputs:
        return False
    feeder = builder.draw(st.sampled_from(builder.outputs))
    node_id = builder.add_node("io.output", {"name": builder.unique_name(builder.output_names)})
    builder.wire(feeder, node_id, "value")
    return True


_ADDERS = {
    "io.input": _add_input,
    "data.text": _add_text,
    "prompt.template": _add_template,
    "logic.router": _add_router,
    "data.loader": _add_loader,
    "data.splitter": _add_splitter,
    "data.join": _add_join,
    "io.output": _add_output,
}
assert set(_ADDERS) == set(GENERATED_TYPES)


@st.composite
def valid_workflows(draw: Any, max_nodes: int = 16) -> Generated:
    """A valid document (no error from ``validate``) and inputs that match it, nodes and
    edges in a random order."""
    builder = _Builder(draw)
    kinds = draw(st.lists(st.sampled_from(GENERATED_TYPES), min_size=1, max_size=max_nodes))
    for kind in kinds:
        if _ADDERS[kind](builder) is False:  # nothing yet to feed it: a source instead
            draw(st.sampled_from((_add_input, _add_text, _add_loader)))(builder)
    if draw(st.booleans()):
        _add_output(builder)  # most workflows end in an output
    data = {
        "format": "nodeloom.workflow",
        "version": 1,
        "name": draw(st.sampled_from(("Generated", "Flujo ñ", "流程", "Données clés"))),
        "nodes": builder.nodes,
        "edges": builder.edges,
    }
    generated = Generated(data, builder.inputs)
    node_order = draw(st.permutations(range(len(builder.nodes))))
    edge_order = draw(st.permutations(range(len(builder.edges))))
    return generated.shuffled(list(node_order), list(edge_order))


@dataclass
class Broken:
    """A workflow with one fault a person makes, and where ``validate`` must say it is."""

    generated: Generated
    code: str
    node_id: str | None = None
    edge_id: str | None = None


def _node(data: dict[str, Any], type_id: str) -> list[dict[str, Any]]:
    return [node for node in data["nodes"] if node["type"] == type_id]


@st.composite
def invalid_workflows(draw: Any) -> Broken:
    generated = draw(valid_workflows())
    data = copy.deepcopy(generated.data)
    faults = ["missing_required_input", "incompatible_ports", "invalid_params"]
    if _node(data, "prompt.template"):
        faults.append("cycle")
    fault = draw(st.sampled_from(faults))
    broken = Generated(data, dict(generated.inputs))
    if fault == "cycle":  # a template reads its own output, or a node downstream of it
        template = draw(st.sampled_from(_node(data, "prompt.template")))
        graph = _graph(data)
        later = [template["id"], *nx.descendants(graph, template["id"])]
        texts = [
            node
            for node in data["nodes"]
            if node["id"] in later and node["type"] in ("prompt.template", "data.join")
        ]
        source = draw(st.sampled_from(texts))
        template["params"]["template"] += " {loop_back}"
        port = "prompt" if source["type"] == "prompt.template" else "text"
        data["edges"].append(_edge("loop", source["id"], port, template["id"], "loop_back"))
        return Broken(broken, "cycle")
    if fault == "incompatible_ports":  # documents wired into a text input
        loader = _new_node(data, "data.loader", {"content": "x", "format": "text"})
        template = _new_node(data, "prompt.template", {"template": "{v}"})
        data["edges"].append(_edge("bad", loader, "documents", template, "v"))
        return Broken(broken, "incompatible_ports", edge_id="bad")
    if fault == "missing_required_input":  # a variable typed but never connected
        template = _new_node(data, "prompt.template", {"template": "{never_wired}"})
        return Broken(broken, "missing_required_input", node_id=template)
    inputs = _node(data, "io.input")
    if inputs:
        target = draw(st.sampled_from(inputs))
        target["params"]["name"] = ""  # cleared the name field
        broken.inputs.pop(str(_original_name(generated, target["id"])), None)
        return Broken(broken, "invalid_params", node_id=target["id"])
    node_id = _new_node(data, "io.input", {"name": ""})
    return Broken(broken, "invalid_params", node_id=node_id)


def _original_name(generated: Generated, node_id: str) -> str | None:
    for node in generated.data["nodes"]:
        if node["id"] == node_id:
            return node["params"].get("name")
    return None


def _new_node(data: dict[str, Any], type_id: str, params: dict[str, Any]) -> str:
    node_id = f"added-{len(data['nodes'])}"
    position = {"x": 0.0, "y": 0.0}
    data["nodes"].append({"id": node_id, "type": type_id, "position": position, "params": params})
    return node_id


def _edge(edge_id: str, source: str, port: str, target: str, handle: str) -> dict[str, Any]:
    return {
        "id": edge_id,
        "source": source,
        "sourceHandle": port,
        "target": target,
        "targetHandle": handle,
    }


def _graph(data: dict[str, Any]) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(node["id"] for node in data["nodes"])
    for edge in data["edges"]:
        graph.add_edge(edge["source"], edge["target"], key=edge["id"], **edge)
    return graph


# --- the reference evaluator ---------------------------------------------------------


@dataclass
class ReferenceRun:
    outputs: dict[str, Any]
    skipped: set[str]  # node ids the engine must report as node.skipped
    ran: set[str]  # node ids the engine must report as started and succeeded


_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_MULTIPLE = {("data.join", "documents")}
_REQUIRED_BY_TYPE = {
    "io.output": ("value",),
    "logic.router": ("value",),
    "data.splitter": ("documents",),
    "data.join": ("documents",),
}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


async def reference_run(generated: Generated) -> ReferenceRun:
    data = generated.data
    graph = _graph(data)
    nodes = {node["id"]: node for node in data["nodes"]}
    given = {_nfc(name): value for name, value in generated.inputs.items()}
    values: dict[str, dict[str, Any]] = {}
    run = ReferenceRun({}, set(), set())
    for node_id in nx.topological_sort(graph):
        node = nodes[node_id]
        edges = [edge for _, _, edge in graph.in_edges(node_id, data=True)]
        live: dict[str, list[tuple[tuple[Any, ...], Any]]] = {}
        skipped = 0
        for edge in edges:
            value = values[edge["source"]][edge["sourceHandle"]]
            if value is SKIP:
                skipped += 1
                continue
            position = nodes[edge["source"]]["position"]
            order = (position["y"], position["x"], edge["source"], edge["sourceHandle"], edge["id"])
            live.setdefault(_nfc(edge["targetHandle"]), []).append((order, value))
        required = _required(node)
        if (edges and skipped == len(edges)) or (
            skipped and any(port not in live for port in required)
        ):
            values[node_id] = dict.fromkeys(_output_ports(node), SKIP)
            run.skipped.add(node_id)
            continue
        inputs = {
            port: [value for _, value in sorted(items, key=lambda item: item[0])]
            if (node["type"], port) in _MULTIPLE
            else items[-1][1]
            for port, items in live.items()
        }
        values[node_id] = await _evaluate(node, inputs, given)
        run.ran.add(node_id)
        if node["type"] == "io.output" and "value" in inputs:
            run.outputs[node["params"]["name"]] = inputs["value"]  # as written
    return run


def _required(node: dict[str, Any]) -> tuple[str, ...]:
    if node["type"] == "prompt.template":
        return tuple(_variables(node["params"]["template"]))
    return _REQUIRED_BY_TYPE.get(node["type"], ())


def _output_ports(node: dict[str, Any]) -> list[str]:
    params = node["params"]
    return {
        "io.input": ["value"],
        "data.text": ["text"],
        "prompt.template": ["prompt"],
        "data.join": ["text"],
        "data.loader": ["documents"],
        "data.splitter": ["documents"],
        "io.output": [],
        "logic.router": list(
            dict.fromkeys([*(rule["route"] for rule in params.get("rules", [])), "default"])
        ),
    }[node["type"]]


def _variables(template: str) -> list[str]:
    found = (match.group(1) for match in _TOKEN.finditer(template) if match.group(1))
    return list(dict.fromkeys(_nfc(name) for name in found))


async def _evaluate(
    node: dict[str, Any], inputs: dict[str, Any], given: dict[str, str]
) -> dict[str, Any]:
    params, kind = node["params"], node["type"]
    if kind == "io.input":
        return {"value": given.get(_nfc(params["name"]), params.get("default"))}
    if kind == "data.text":
        return {"text": params["text"]}
    if kind == "prompt.template":
        return {"prompt": _fill(params["template"], inputs)}
    if kind == "logic.router":
        return _route(params, inputs["value"])
    if kind == "data.join":
        documents = [document for batch in inputs.get("documents", []) for document in batch]
        rendered = (params["template"].replace("{page_content}", d.page_content) for d in documents)
        return {"text": params["separator"].join(rendered)}
    if kind == "data.loader":  # the node itself: loading a text is not what is under test
        return await Loader().run(None, {}, Loader.Params(**params))  # type: ignore[arg-type]
    if kind == "data.splitter":
        return await Splitter().run(None, inputs, Splitter.Params(**params))  # type: ignore[arg-type]
    return {}  # io.output


def _fill(template: str, inputs: dict[str, Any]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(0)[0]
        return str(inputs[_nfc(match.group(1))])

    return _TOKEN.sub(replace, template)


def _route(params: dict[str, Any], value: Any) -> dict[str, Any]:
    taken: list[str] = []
    for rule in params.get("rules", []):
        if rule["value"] in value and rule["route"] not in taken:
            taken.append(rule["route"])
            if params.get("mode", "first") == "first":
                break
    taken = taken or ["default"]
    routes = dict.fromkeys([*(rule["route"] for rule in params.get("rules", [])), "default"])
    return {route: value if route in taken else SKIP for route in routes}


def describe(generated: Generated) -> str:
    """The document, for a failing example's report."""
    return json.dumps({"document": generated.data, "inputs": generated.inputs}, indent=1)
