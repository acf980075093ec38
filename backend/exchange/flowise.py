"""Converting a Flowise chatflow export into a Nodeloom document.

A chatflow export is ``{nodes, edges}`` in React Flow's shape: each node's ``data.name``
names the component (``chatOpenAI``, ``pinecone``…), ``data.inputs`` holds its settings,
and an edge's ``targetHandle`` reads ``<node>-input-<inputName>-<Type>``.

Flowise composes LangChain objects: a splitter is an *input* of a loader, embeddings an
input of a store, a model and a prompt inputs of a chain. Nodeloom passes data instead,
so a loader's splitter comes after it, and an LLM chain becomes its prompt feeding its
model. Keys never come across: a node's key (its ``credential`` id or an old
``openAIApiKey`` input) becomes a ``$credential`` reference named after the provider.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from backend.exchange.builder import (
    Conversion,
    DocumentBuilder,
    Placed,
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

_KEY_INPUTS = ("openAIApiKey", "anthropicApiKey", "pineconeApiKey", "apiKey")
_TEXT_DATA_URL = re.compile(r"data:[^;,]*;base64,([A-Za-z0-9+/=]+)")
_MAX_INLINE_CHARS = 1_000_000


@dataclass(frozen=True, slots=True)
class Component:
    """One Flowise node, as far as a converter may look at it."""

    id: str  # the Nodeloom node id it becomes
    kind: str  # Flowise's node name, e.g. "chatOpenAI"
    title: str
    position: dict[str, float]
    inputs: Mapping[str, Any]

    def value(self, *names: str) -> Any:
        for name in names:
            found = self.inputs.get(name)
            if found not in (None, "", []) and not _is_reference(found):
                return found
        return None


Converter = Callable[[Component, DocumentBuilder], Placed]


def convert(source: Mapping[str, Any]) -> Conversion:
    builder = DocumentBuilder("Flowise")
    placed: dict[str, Placed] = {}
    titles: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for index, node in enumerate(items(source.get("nodes"))):
        component = _component(node, index, builder)
        foreign_id = str(node.get("id", ""))
        titles[foreign_id], kinds[foreign_id] = component.title, component.kind
        converted = _place(component, builder)
        if converted is not None:
            placed[foreign_id] = converted
    ends = [_edge_ends(edge) for edge in items(source.get("edges"))]
    ends = _split_after_loaders(builder, ends, placed, kinds)
    ends = _bridge_llm_chains(builder, ends, placed, kinds, titles)
    for source_id, output, target_id, input_name in ends:
        builder.connect(placed, titles, (source_id, output), (target_id, input_name))
    name = source.get("name") or dig(source, "chatflow", "name")
    return builder.build(name, source.get("description"), source.get("viewport"), "Flowise flow")


def _component(node: Mapping[str, Any], index: int, builder: DocumentBuilder) -> Component:
    inputs = dig(node, "data", "inputs")
    kind = text(dig(node, "data", "name")) or text(node.get("type")) or "unknown"
    return Component(
        id=builder.claim_id(node.get("id"), f"flowise-{index + 1}"),
        kind=kind[:100],
        title=(text(dig(node, "data", "label")) or kind)[:100],
        position=read_position(node.get("position")),
        inputs=inputs if isinstance(inputs, Mapping) else {},
    )


def _place(component: Component, builder: DocumentBuilder) -> Placed | None:
    if component.kind == "stickyNote":
        builder.add_note(component.id, component.position, text(component.value("note")) or "")
        return None
    converter = COMPONENTS.get(component.kind)
    if converter is None:
        builder.add_unconverted(
            component.id, component.position, component.title, component.kind, "Its settings were"
        )
        return None
    return converter(component, builder)


def _edge_ends(edge: Mapping[str, Any]) -> tuple[str, str, str, str]:
    source, target = str(edge.get("source", "")), str(edge.get("target", ""))
    return (
        source,
        _anchor(edge.get("sourceHandle"), source, "output"),
        target,
        _anchor(edge.get("targetHandle"), target, "input"),
    )


def _anchor(handle: Any, node: str, side: str) -> str:
    # "<node>-input-<name>-<Type|Type>": the name is the part after the node and side.
    prefix = f"{node}-{side}-"
    if not isinstance(handle, str) or not handle.startswith(prefix):
        return ""
    return handle[len(prefix) :].split("-", 1)[0]


def _split_after_loaders(
    builder: DocumentBuilder,
    ends: list[tuple[str, str, str, str]],
    placed: dict[str, Placed],
    kinds: Mapping[str, str],
) -> list[tuple[str, str, str, str]]:
    """A loader's ``textSplitter`` input becomes loader → splitter; the chunks go on."""
    rest = []
    for end in ends:
        source_id, _, loader_id, input_name = end
        loader, splitter = placed.get(loader_id), placed.get(source_id)
        if input_name != "textSplitter" or kinds.get(loader_id) not in _LOADERS or not splitter:
            rest.append(end)
            continue
        if loader is None or loader.default_output is None or splitter.default_input is None:
            rest.append(end)
            continue
        builder.add_edge(*loader.default_output, *splitter.default_input)
        placed[loader_id] = Placed(default_output=splitter.default_output)
    return rest


def _bridge_llm_chains(
    builder: DocumentBuilder,
    ends: list[tuple[str, str, str, str]],
    placed: Mapping[str, Placed],
    kinds: Mapping[str, str],
    titles: Mapping[str, str],
) -> list[tuple[str, str, str, str]]:
    """An LLM chain (a prompt and a model) becomes its prompt feeding its model."""
    parts: dict[str, dict[str, str]] = {}
    for source_id, _, target_id, input_name in ends:
        if kinds.get(target_id) == "llmChain" and input_name in ("model", "prompt"):
            parts.setdefault(target_id, {})[input_name] = source_id
    rest = list(ends)
    for chain_id, found in parts.items():
        prompt, model = placed.get(found.get("prompt", "")), placed.get(found.get("model", ""))
        if not prompt or not model or not prompt.default_output or not model.default_input:
            continue
        builder.add_edge(*prompt.default_output, *model.default_input)
        builder.note(
            f"{quote(titles.get(chain_id, chain_id))} (llmChain): its prompt now feeds its model "
            "directly."
        )
        rest = [end for end in rest if end[2] != chain_id]
    return rest


def _api_key(component: Component, builder: DocumentBuilder, provider: str) -> dict[str, str]:
    if any(text(component.inputs.get(name)) for name in _KEY_INPUTS):
        builder.note_typed_key(component.title, provider)
    return credential(provider)


def _is_reference(value: Any) -> bool:
    # Flowise writes a connected input as "{{otherNode_0.data.instance}}".
    return isinstance(value, str) and value.strip().startswith("{{")


# --- one converter per node family -----------------------------------------------------


def _chat_model(provider: str) -> Converter:
    def convert(component: Component, builder: DocumentBuilder) -> Placed:
        base_url = text(component.value("basePath", "baseUrl"))
        if provider == "openai_compatible":
            base_url = openai_compatible_url(base_url)
        max_tokens = positive(component.value("maxTokens", "maxTokensToSample"))
        params = {
            "provider": provider,
            "model": text(component.value("modelName", "model")),
            "temperature": number(component.value("temperature")),
            "max_tokens": max_tokens,
            "base_url": base_url if provider == "openai_compatible" else None,
            "credential": None
            if provider == "openai_compatible"
            else _api_key(component, builder, provider),
        }
        if provider != "openai_compatible":
            builder.note_keyed_url(component.title, provider, base_url)
        builder.add_node(component.id, "model.chat", component.position, params, component.title)
        return Placed(default_input=(component.id, "prompt"), default_output=(component.id, "text"))

    return convert


def _prompt(component: Component, builder: DocumentBuilder) -> Placed:
    parts = [
        component.value(name) for name in ("template", "systemMessagePrompt", "humanMessagePrompt")
    ]
    template = "\n\n".join(part for part in parts if isinstance(part, str) and part.strip())
    builder.add_node(
        component.id, "prompt.template", component.position, {"template": template}, component.title
    )
    return Placed(default_output=(component.id, "prompt"))


def _embeddings(component: Component, builder: DocumentBuilder) -> Placed:
    dimensions = positive(component.value("dimensions"))
    params = {
        "provider": "openai",
        "model": text(component.value("modelName")),
        "dimensions": dimensions,
        "credential": _api_key(component, builder, "openai"),
    }
    builder.note_keyed_url(component.title, "openai", text(component.value("basePath")))
    builder.add_node(component.id, "model.embeddings", component.position, params, component.title)
    return Placed(default_output=(component.id, "embeddings"))


def _vector_store(store: str) -> Converter:
    def convert(component: Component, builder: DocumentBuilder) -> Placed:
        params: dict[str, Any] = {"store": store}
        if store == "pinecone":
            params["namespace"] = text(component.value("pineconeNamespace"))
            params["credential"] = _api_key(component, builder, "pinecone")
            builder.note(
                f"{quote(component.title)}: set index_host to the Pinecone index's host "
                "(Nodeloom addresses an index by its host, not its name)."
            )
        builder.add_node(component.id, "vector.upsert", component.position, params, component.title)
        return Placed(
            inputs={
                "document": (component.id, "documents"),
                "embeddings": (component.id, "embeddings"),
            },
            default_output=(component.id, "retriever"),
        )

    return convert


def _splitter(component: Component, builder: DocumentBuilder) -> Placed:
    params = {
        "chunk_size": integer(component.value("chunkSize")),
        "chunk_overlap": integer(component.value("chunkOverlap")),
    }
    builder.add_node(component.id, "data.splitter", component.position, params, component.title)
    port = (component.id, "documents")
    return Placed(default_input=port, default_output=port)


def _file_loader(component: Component, builder: DocumentBuilder) -> Placed:
    content = _text_file_content(component.value("txtFile"))
    params = {"content": content, "format": "text"} if content is not None else {}
    builder.add_node(component.id, "data.loader", component.position, params, component.title)
    if content is None:
        builder.note(f"{quote(component.title)}: its file was not imported; choose the file again.")
    return Placed(default_output=(component.id, "documents"))


def _plain_text(component: Component, builder: DocumentBuilder) -> Placed:
    content = component.value("text")
    params = {"content": content if isinstance(content, str) else "", "format": "text"}
    builder.add_node(component.id, "data.loader", component.position, params, component.title)
    return Placed(default_output=(component.id, "documents"))


def _text_file_content(value: Any) -> str | None:
    # Flowise embeds an uploaded text file as "data:text/plain;base64,…,filename:a.txt".
    found = _TEXT_DATA_URL.match(value) if isinstance(value, str) else None
    if found is None:
        return None
    try:
        content = base64.b64decode(found.group(1), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return content if len(content) <= _MAX_INLINE_CHARS else None


_LOADERS = {"pdfFile", "textFile", "csvFile", "jsonFile", "docxFile", "plainText"}

COMPONENTS: dict[str, Converter] = {
    "chatOpenAI": _chat_model("openai"),
    "chatAnthropic": _chat_model("anthropic"),
    "chatOllama": _chat_model("openai_compatible"),
    "promptTemplate": _prompt,
    "chatPromptTemplate": _prompt,
    "openAIEmbeddings": _embeddings,
    "pinecone": _vector_store("pinecone"),
    "memoryVectorStore": _vector_store("memory"),
    "recursiveCharacterTextSplitter": _splitter,
    "characterTextSplitter": _splitter,
    "pdfFile": _file_loader,
    "textFile": _file_loader,
    "csvFile": _file_loader,
    "jsonFile": _file_loader,
    "docxFile": _file_loader,
    "plainText": _plain_text,
}
