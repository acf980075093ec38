"""Building a Nodeloom document out of another tool's export, shared by the converters.

A converter reads the foreign file defensively (any field may be missing or of the
wrong type: it is someone else's format) through the small readers here, and adds
nodes, notes and edges to a ``DocumentBuilder``; what it could not carry over it says
in ``notes``. The builder's output is a plain JSON object that still goes through
``parse_document`` and ``graph_engine.validate`` like any other import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backend.exchange.secret_scan import CREDENTIAL_KEY
from graph_engine.document import FORMAT, MAX_DESCRIPTION_LENGTH, MAX_ID_LENGTH, MAX_NAME_LENGTH
from graph_engine.document import VERSION as DOCUMENT_VERSION

NOTE_TYPE = "ui.note"  # the canvas's sticky note (frontend/src/canvas/notes.ts)
_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9_\- ]+")


@dataclass(slots=True)
class Conversion:
    """A converted file: the document as a JSON object, and what a person should know."""

    document: dict[str, Any]
    notes: list[str]


Port = tuple[str, str]  # (Nodeloom node id, handle)


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a converted component's connections land: its foreign port names → ours."""

    inputs: Mapping[str, Port] = field(default_factory=dict)
    outputs: Mapping[str, Port] = field(default_factory=dict)
    default_input: Port | None = None
    default_output: Port | None = None


@dataclass(slots=True)
class DocumentBuilder:
    tool: str  # "Langflow" or "Flowise", for notes
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _names: set[tuple[str, str]] = field(default_factory=set)
    _edges_seen: set[tuple[str, str, str, str]] = field(default_factory=set)
    _ids: set[str] = field(default_factory=set)

    def claim_id(self, wanted: Any, fallback: str) -> str:
        """The foreign id when it can be ours (a short, unused string), else ``fallback``…"""
        if isinstance(wanted, str) and 0 < len(wanted) <= MAX_ID_LENGTH - 20:
            candidate = wanted
        else:
            candidate = fallback
        unique, count = candidate, 1
        while unique in self._ids:
            count += 1
            unique = f"{candidate}-{count}"
        self._ids.add(unique)
        return unique

    def add_node(
        self,
        node_id: str,
        node_type: str,
        position: dict[str, float],
        params: dict[str, Any],
        label: str | None = None,
    ) -> str:
        node: dict[str, Any] = {"id": node_id, "type": node_type, "position": position}
        if label:
            node["label"] = label[:MAX_NAME_LENGTH]
        node["params"] = {key: value for key, value in params.items() if value is not None}
        self.nodes.append(node)
        return node_id

    def add_note(
        self, node_id: str, position: dict[str, float], text: str, label: str | None = None
    ) -> str:
        return self.add_node(node_id, NOTE_TYPE, position, {"text": text}, label)

    def add_unconverted(
        self, node_id: str, position: dict[str, float], title: str, kind: str, left_behind: str
    ) -> None:
        """A sticky note in place of a component Nodeloom has no counterpart for."""
        text = (
            f"**{title}**\n\n{self.tool} component `{kind}`, not converted: Nodeloom has no "
            f"counterpart. {left_behind} not imported."
        )
        self.add_note(node_id, position, text, title)
        self.note(f"{quote(title)} ({kind}) has no Nodeloom counterpart: it became a sticky note.")

    def add_edge(self, source: str, source_handle: str, target: str, target_handle: str) -> None:
        key = (source, source_handle, target, target_handle)
        if key in self._edges_seen:
            return
        self._edges_seen.add(key)
        self.edges.append(
            {
                "id": f"e{len(self.edges) + 1}",
                "source": source,
                "sourceHandle": source_handle,
                "target": target,
                "targetHandle": target_handle,
            }
        )

    def connect(
        self,
        placed: Mapping[str, Placed],
        titles: Mapping[str, str],
        start: tuple[str, str],
        end: tuple[str, str],
    ) -> None:
        """Carry over a foreign edge ``(node, output) → (node, input)``, or say why not."""
        source, target = placed.get(start[0]), placed.get(end[0])
        names = quote(titles.get(start[0], start[0])), quote(titles.get(end[0], end[0]))
        if source is None or target is None:
            missing = names[0] if source is None else names[1]
            self.note(
                f"Dropped the connection from {names[0]} to {names[1]}: {missing} was not "
                "converted."
            )
            return
        out = source.outputs.get(start[1]) or source.default_output
        into = target.inputs.get(end[1]) or target.default_input
        if out is None or into is None:
            self.note(
                f"Dropped the connection from {names[0]} ({start[1]}) to {names[1]} "
                f"({end[1]}): Nodeloom has no matching port."
            )
            return
        self.add_edge(out[0], out[1], into[0], into[1])

    def unique_name(self, kind: str, wanted: str, fallback: str) -> str:
        """A workflow input/output name: letters, digits, _ - and spaces; unique per kind."""
        base = _NAME_CHARACTERS.sub("_", wanted).strip(" _-")[:90] or fallback
        if not (base[0].isalpha() or base[0] == "_"):
            base = f"_{base}"
        name, count = base, 1
        while (kind, name) in self._names:
            count += 1
            name = f"{base}_{count}"
        self._names.add((kind, name))
        return name

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def note_typed_key(self, title: str, provider: str) -> None:
        self.note(
            f"{quote(title)}: the API key typed into it was not imported; "
            f"map a credential for {provider} instead."
        )

    def note_keyed_url(self, title: str, provider: str, base_url: str | None) -> None:
        """A node that uses a credential cannot keep a base URL (a key goes only to its
        credential's own endpoint): say where the URL belongs."""
        if base_url:
            self.note(
                f"{quote(title)}: its base URL {base_url[:200]} belongs on the {provider} "
                "credential you map, not on the node; set it there."
            )

    def build(self, name: Any, description: Any, viewport: Any, fallback_name: str) -> Conversion:
        document = {
            "format": FORMAT,
            "version": DOCUMENT_VERSION,
            "name": (text(name) or fallback_name)[:MAX_NAME_LENGTH],
            "description": (text(description) or "")[:MAX_DESCRIPTION_LENGTH],
            "nodes": self.nodes,
            "edges": self.edges,
            "viewport": read_viewport(viewport),
        }
        return Conversion(document, self.notes)


def quote(title: str) -> str:
    """A foreign name for a note, quoted and cut short."""
    return repr(title[:80])


def credential(name: str) -> dict[str, str]:
    return {CREDENTIAL_KEY: name}


def dig(value: Any, *keys: str) -> Any:
    """``value[k1][k2]…``, or None where a step is missing or not an object."""
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def items(value: Any) -> list[Mapping[str, Any]]:
    """The objects in a list (anything else: none)."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def text(value: Any) -> str | None:
    """A non-blank string, or None."""
    return value if isinstance(value, str) and value.strip() else None


def number(value: Any) -> float | None:
    """A finite number, also from a numeric string (Flowise stores numbers as text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def integer(value: Any) -> int | None:
    found = number(value)
    return int(found) if found is not None and found.is_integer() else None


def positive(value: Any) -> int | None:
    """A whole number above zero (foreign files use 0 or "" for "not set")."""
    found = integer(value)
    return found if found is not None and found > 0 else None


def openai_compatible_url(url: str | None) -> str | None:
    """Ollama's server URL as its OpenAI-compatible API (``…/v1``)."""
    if url is None or url.rstrip("/").endswith("/v1"):
        return url
    return url.rstrip("/") + "/v1"


def read_position(value: Any) -> dict[str, float]:
    return {"x": number(dig(value, "x")) or 0.0, "y": number(dig(value, "y")) or 0.0}


def read_viewport(value: Any) -> dict[str, float]:
    zoom = number(dig(value, "zoom"))
    return {
        "x": number(dig(value, "x")) or 0.0,
        "y": number(dig(value, "y")) or 0.0,
        "zoom": zoom if zoom is not None and zoom > 0 else 1.0,
    }
