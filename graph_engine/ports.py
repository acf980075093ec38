"""Port types and which of them may be wired together.

A port is a named handle on a node. Its type decides which edges the canvas and the
backend accept, and what value a node receives at run time:

========== =========================================================================
type       value at run time
========== =========================================================================
text       ``str``
messages   ``list[langchain_core.messages.BaseMessage]``
documents  ``list[langchain_core.documents.Document]``
embeddings a ``langchain_core.embeddings.Embeddings`` model (embeds documents and queries)
retriever  a ``langchain_core`` retriever / vector store handle
json       any JSON-able value (dict, list, str, number, bool, None)
any        whatever the source produced
========== =========================================================================

Compatibility (source → target), decided once here:

- a type always connects to itself;
- anything connects to ``any`` (the target promises to cope);
- ``any`` connects to anything: ``any`` sources (a router passing its value on, say)
  are checked by the receiving node, not by the validator, so a router can sit in
  front of any node;
- ``text`` → ``messages``: the engine wraps the text as one ``HumanMessage``;
- ``text`` → ``json``: a string is a JSON value.

Everything else is refused (use a node to convert, e.g. ``data.join`` for documents →
text).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class PortType(StrEnum):
    TEXT = "text"
    MESSAGES = "messages"
    DOCUMENTS = "documents"
    EMBEDDINGS = "embeddings"
    RETRIEVER = "retriever"
    JSON = "json"
    ANY = "any"


_EXTRA_TARGETS: dict[PortType, frozenset[PortType]] = {
    PortType.TEXT: frozenset({PortType.MESSAGES, PortType.JSON}),
}


def can_connect(source: PortType, target: PortType) -> bool:
    """Whether an output of type ``source`` may feed an input of type ``target``."""
    if source == target or PortType.ANY in (source, target):
        return True
    return target in _EXTRA_TARGETS.get(source, frozenset())


def compatibility_table() -> dict[str, list[str]]:
    """Every source type → the target types it may feed (served with the catalogue)."""
    return {
        source.value: [target.value for target in PortType if can_connect(source, target)]
        for source in PortType
    }


def coerce(value: Any, source: PortType, target: PortType) -> Any:
    """Convert a value crossing an edge; only ``text`` → ``messages`` changes anything."""
    if source is PortType.TEXT and target is PortType.MESSAGES and isinstance(value, str):
        from langchain_core.messages import HumanMessage

        return [HumanMessage(content=value)]
    return value


def needs_coercion(source: PortType, target: PortType) -> bool:
    return source is PortType.TEXT and target is PortType.MESSAGES


@dataclass(frozen=True, slots=True)
class Port:
    """A named input or output of a node type.

    ``required`` (inputs only): the workflow is invalid while it is unconnected.
    ``multiple`` (inputs only): several edges may feed it; the node receives a list in
    the reading order of their sources on the canvas, top to bottom then left to right
    (``compile``; an empty list when nothing arrived).
    """

    name: str
    type: PortType
    title: str = ""
    required: bool = True
    multiple: bool = False
    description: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type.value,
            "title": self.title or self.name.replace("_", " ").capitalize(),
            "required": self.required,
            "multiple": self.multiple,
            "description": self.description,
        }
