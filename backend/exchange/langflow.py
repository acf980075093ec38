"""Converting a Langflow flow export into a Nodeloom document.

A Langflow export is ``{name, description, data: {nodes, edges, viewport}}``. Each node
is a React Flow node of type ``genericNode`` whose ``data.type`` names the component
(``OpenAIModel``, ``Prompt``…) and whose ``data.node.template`` holds its fields as
``{field: {value, …}}``; an edge names its ends in ``data.sourceHandle.name`` (an output)
and ``data.targetHandle.fieldName`` (an input field).

Only the fields named below are read. Every component also carries its Python source
in ``template.code``: that is never read, run or kept. API keys never come across as
text: a model's or store's key field becomes a ``$credential`` reference.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from backend.exchange.builder import (
    Conversion,
    DocumentBuilder,
    Placed,
    Port,
    credential,
    dig,
    integer,
    items,
    number,
    openai_compatible_url,
    positive,
    quote,
    read_position,
    text,
)

CODE_FIELD = "code"


@dataclass(frozen=True, slots=True)
class Component:
    """One Langflow component, as far as a converter may look at it."""

    id: str  # the Nodeloom node id it becomes
    kind: str  # Langflow's component type, e.g. "OpenAIModel"
    title: str
    position: dict[str, float]
    fields: Mapping[str, Any]  # template fields, never "code"
    connected_inputs: frozenset[str] = frozenset()
    connected_outputs: frozenset[str] = frozenset()

    def value(self, *names: str) -> Any:
        """The value of the first of ``names`` that has one."""
        for name in names:
            found = dig(self.fields, name, "value")
            if found not in (None, "", []):
                return found
        return None

    def typed_secret(self, *names: str) -> bool:
        """True when a key field holds typed text (not the name of a Langflow variable)."""
        return any(
            text(dig(self.fields, name, "value")) and not dig(self.fields, name, "load_from_db")
            for name in names
        )


Converter = Callable[[Component, DocumentBuilder], Placed]


def convert(source: Mapping[str, Any]) -> Conversion:
    graph = source.get("data") if isinstance(source.get("data"), Mapping) else source
    builder = DocumentBuilder("Langflow")
    nodes, edges = items(dig(graph, "nodes")), items(dig(graph, "edges"))
    ends = [_edge_ends(edge) for edge in edges]
    placed: dict[str, Placed] = {}
    titles: dict[str, str] = {}
    for index, node in enumerate(nodes):
        foreign_id = str(node.get("id", ""))
        component = _component(node, index, builder, ends)
        titles[foreign_id] = component.title
        converted = _place(node, component, builder)
        if converted is not None:
            placed[foreign_id] = converted
    for source_id, output, target_id, input_field in ends:
        builder.connect(placed, titles, (source_id, output), (target_id, input_field))
    return builder.build(
        source.get("name"), source.get("description"), dig(graph, "viewport"), "Langflow flow"
    )


def _place(
    node: Mapping[str, Any], component: Component, builder: DocumentBuilder
) -> Placed | None:
    if node.get("type") == "noteNode":
        note = text(dig(node, "data", "node", "description")) or ""
        builder.add_note(component.id, component.position, note)
        return None
    converter = COMPONENTS.get(component.kind)
    if converter is None:
        builder.add_unconverted(
            component.id,
            component.position,
            component.title,
            component.kind,
            "Its settings and code were",
        )
        return None
    return converter(component, builder)


def _component(
    node: Mapping[str, Any],
    index: int,
    builder: DocumentBuilder,
    ends: list[tuple[str, str, str, str]],
) -> Component:
    foreign_id = str(node.get("id", ""))
    template = dig(node, "data", "node", "template")
    fields = {
        name: value
        for name, value in (template.items() if isinstance(template, Mapping) else ())
        if name != CODE_FIELD and isinstance(value, Mapping)
    }
    kind = text(dig(node, "data", "type")) or text(node.get("type")) or "unknown"
    title = (
        text(dig(node, "data", "node", "display_name"))
        or text(dig(node, "data", "display_name"))
        or kind
    )
    return Component(
        id=builder.claim_id(node.get("id"), f"langflow-{index + 1}"),
        kind=kind[:100],
        title=title[:100],
        position=read_position(node.get("position")),
        fields=fields,
        connected_inputs=frozenset(end[3] for end in ends if end[2] == foreign_id),
        connected_outputs=frozenset(end[1] for end in ends if end[0] == foreign_id),
    )


def _edge_ends(edge: Mapping[str, Any]) -> tuple[str, str, str, str]:
    output = dig(edge, "data", "sourceHandle", "name") or _handle(edge.get("sourceHandle"), "name")
    input_field = dig(edge, "data", "targetHandle", "fieldName") or _handle(
        edge.get("targetHandle"), "fieldName"
    )
    return (
        str(edge.get("source", "")),
        output if isinstance(output, str) else "",
        str(edge.get("target", "")),
        input_field if isinstance(input_field, str) else "",
    )


def _handle(encoded: Any, key: str) -> Any:
    # Langflow writes a handle as JSON with every quote replaced by "œ".
    if not isinstance(encoded, str):
        return None
    try:
        return dig(json.loads(encoded.replace("œ", '"')), key)
    except ValueError:
        return None


def _api_key(component: Component, builder: DocumentBuilder, provider: str, *names: str) -> Any:
    if component.typed_secret(*names):
        builder.note_typed_key(component.title, provider)
    return credential(provider)


# --- one converter per component family -------------------------------------------------


def _chat_model(provider: str) -> Converter:
    def convert(component: Component, builder: DocumentBuilder) -> Placed:
        base_url = text(component.value("openai_api_base", "base_url", "anthropic_api_url"))
        if provider == "openai_compatible":
            base_url = openai_compatible_url(base_url)
        max_tokens = positive(component.value("max_tokens"))
        key_fields = ("api_key", "openai_api_key", "anthropic_api_key")
        params = {
            "provider": provider,
            "model": text(component.value("model_name", "model")),
            "temperature": number(component.value("temperature")),
            "max_tokens": max_tokens,
            "system_prompt": text(component.value("system_message")),
            "base_url": base_url if provider == "openai_compatible" else None,
            "credential": None
            if provider == "openai_compatible"
            else _api_key(component, builder, provider, *key_fields),
        }
        if provider != "openai_compatible":
            builder.note_keyed_url(component.title, provider, base_url)
        builder.add_node(component.id, "model.chat", component.position, params, component.title)
        answer = (component.id, "text")
        return Placed(
            inputs={"input_value": (component.id, "prompt")},
            outputs={"text_output": answer, "text": answer},
        )

    return convert


def _chat_input(component: Component, builder: DocumentBuilder) -> Placed:
    params = {
        "name": builder.unique_name("input", component.title, "input"),
        "default": text(component.value("input_value")),
    }
    builder.add_node(component.id, "io.input", component.position, params)
    return Placed(default_output=(component.id, "value"))


def _output(component: Component, builder: DocumentBuilder) -> Placed:
    params = {"name": builder.unique_name("output", component.title, "output")}
    builder.add_node(component.id, "io.output", component.position, params)
    return Placed(default_input=(component.id, "value"))


def _prompt(component: Component, builder: DocumentBuilder) -> Placed:
    # Langflow's {variables} are ours; each variable is an input field named after it.
    template = component.value("template")
    params = {"template": template if isinstance(template, str) else ""}
    builder.add_node(component.id, "prompt.template", component.position, params, component.title)
    inputs = {name: (component.id, name) for name in component.connected_inputs}
    return Placed(inputs=inputs, default_output=(component.id, "prompt"))


def _embeddings(component: Component, builder: DocumentBuilder) -> Placed:
    dimensions = positive(component.value("dimensions"))
    params = {
        "provider": "openai",
        "model": text(component.value("model")),
        "dimensions": dimensions,
        "credential": _api_key(component, builder, "openai", "openai_api_key", "api_key"),
    }
    builder.note_keyed_url(component.title, "openai", text(component.value("openai_api_base")))
    builder.add_node(component.id, "model.embeddings", component.position, params, component.title)
    return Placed(default_output=(component.id, "embeddings"))


def _vector_store(store: str) -> Converter:
    def convert(component: Component, builder: DocumentBuilder) -> Placed:
        params: dict[str, Any] = {"store": store}
        if store == "pinecone":
            params["namespace"] = text(component.value("namespace"))
            params["credential"] = _api_key(
                component, builder, "pinecone", "pinecone_api_key", "api_key"
            )
            builder.note(
                f"{quote(component.title)}: set index_host to the Pinecone index's host "
                "(Nodeloom addresses an index by its host, not its name)."
            )
        elif store == "pgvector":
            params["collection"] = text(component.value("collection_name"))
            params["credential"] = _api_key(component, builder, "postgres", "pg_server_url")
        elif component.kind != "InMemoryVectorStore":
            builder.note(
                f"{quote(component.title)}: Nodeloom has no {component.kind} store; it became "
                "the in-memory store, which lives for one run."
            )
        builder.add_node(component.id, "vector.upsert", component.position, params, component.title)
        inputs = {
            "ingest_data": (component.id, "documents"),
            "embedding": (component.id, "embeddings"),
        }
        if "search_query" not in component.connected_inputs and not component.connected_outputs:
            return Placed(inputs=inputs)
        return _with_search(component, builder, inputs)

    return convert


def _with_search(component: Component, builder: DocumentBuilder, inputs: dict[str, Port]) -> Placed:
    # A Langflow store both ingests and searches; Nodeloom splits that into two nodes.
    search_id = builder.claim_id(f"{component.id}-search", f"{component.id}-search")
    top_k = positive(component.value("number_of_results"))
    position = {"x": component.position["x"], "y": component.position["y"] + 260}
    params = {"top_k": top_k}
    builder.add_node(search_id, "vector.search", position, params, f"{component.title} search")
    builder.add_edge(component.id, "retriever", search_id, "retriever")
    return Placed(
        inputs={**inputs, "search_query": (search_id, "query")},
        default_output=(search_id, "documents"),
    )


def _file(component: Component, builder: DocumentBuilder) -> Placed:
    # A path on the Langflow server means nothing here (and must not name a file of ours).
    builder.add_node(component.id, "data.loader", component.position, {}, component.title)
    builder.note(f"{quote(component.title)}: its file was not imported; choose the file again.")
    return Placed(default_output=(component.id, "documents"))


def _splitter(component: Component, builder: DocumentBuilder) -> Placed:
    separators = component.value("separators")
    separator = text(component.value("separator"))
    if isinstance(separators, str):
        separators = [separators]
    params = {
        "chunk_size": integer(component.value("chunk_size")),
        "chunk_overlap": integer(component.value("chunk_overlap")),
        "separators": separators
        if isinstance(separators, list)
        else ([separator] if separator else None),
    }
    builder.add_node(component.id, "data.splitter", component.position, params, component.title)
    port = (component.id, "documents")
    return Placed(default_input=port, default_output=port)


def _join(component: Component, builder: DocumentBuilder) -> Placed:
    template = text(component.value("template", "pattern"))
    params = {
        "template": template.replace("{text}", "{page_content}") if template else None,
        "separator": component.value("sep") if isinstance(component.value("sep"), str) else None,
    }
    builder.add_node(component.id, "data.join", component.position, params, component.title)
    return Placed(default_input=(component.id, "documents"), default_output=(component.id, "text"))


COMPONENTS: dict[str, Converter] = {
    "ChatInput": _chat_input,
    "TextInput": _chat_input,
    "ChatOutput": _output,
    "TextOutput": _output,
    "Prompt": _prompt,
    "OpenAIModel": _chat_model("openai"),
    "AnthropicModel": _chat_model("anthropic"),
    "OllamaModel": _chat_model("openai_compatible"),
    "ChatOllamaModel": _chat_model("openai_compatible"),
    "OpenAIEmbeddings": _embeddings,
    "Chroma": _vector_store("memory"),
    "InMemoryVectorStore": _vector_store("memory"),
    "Pinecone": _vector_store("pinecone"),
    "pgvector": _vector_store("pgvector"),
    "PGVector": _vector_store("pgvector"),
    "File": _file,
    "RecursiveCharacterTextSplitter": _splitter,
    "CharacterTextSplitter": _splitter,
    "SplitText": _splitter,
    "ParseData": _join,
    "ParserComponent": _join,
    "parser": _join,
}
