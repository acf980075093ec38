"""The node-type registry: a node type registers itself by being defined.

Defining a subclass of ``graph_engine.nodes.base.NodeType`` with a ``type_id`` adds it
to ``CORE`` — the one registry made by class definition. Importing
``graph_engine.nodes`` imports every family module in that package and so registers
the core catalogue; ``default_registry()`` does that import for you.

A class may name another registry instead (``class Sleep(NodeType, registry=scope)``):
tests and plugins use a ``Registry(parent=default_registry())`` so that their types
are visible only where that registry is passed (``validate(doc, registry=scope)``)
and never leak into ``catalogue()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from graph_engine.errors import DuplicateNodeType, UnknownNodeType

if TYPE_CHECKING:
    from graph_engine.nodes.base import NodeType


class Registry:
    """Node types by ``type_id``; lookups fall back to ``parent``."""

    def __init__(self, name: str, parent: Registry | None = None) -> None:
        self.name = name
        self.parent = parent
        self._types: dict[str, type[NodeType]] = {}

    def add(self, node_type: type[NodeType]) -> None:
        type_id = node_type.type_id
        existing = self.find(type_id)
        if existing is not None:
            raise DuplicateNodeType(
                f"Node type {type_id!r} is defined twice: by "
                f"{_qualname(existing)} and by {_qualname(node_type)}."
            )
        self._types[type_id] = node_type

    def find(self, type_id: str) -> type[NodeType] | None:
        found = self._types.get(type_id)
        if found is None and self.parent is not None:
            return self.parent.find(type_id)
        return found

    def get(self, type_id: str) -> type[NodeType]:
        found = self.find(type_id)
        if found is None:
            raise UnknownNodeType(f"Unknown node type {type_id!r}.")
        return found

    def __contains__(self, type_id: object) -> bool:
        return isinstance(type_id, str) and self.find(type_id) is not None

    def __iter__(self) -> Iterator[type[NodeType]]:
        """Every visible type, parent's first, each group sorted by ``type_id``."""
        if self.parent is not None:
            yield from (t for t in self.parent if t.type_id not in self._types)
        yield from (self._types[key] for key in sorted(self._types))

    def catalogue(self) -> list[dict[str, Any]]:
        return [node_type.describe() for node_type in self]


CORE = Registry("core")


def default_registry() -> Registry:
    """``CORE`` with the core catalogue (every module of ``graph_engine.nodes``) loaded."""
    import graph_engine.nodes  # noqa: F401  (registers by import)

    return CORE


def catalogue(registry: Registry | None = None) -> list[dict[str, Any]]:
    """Every node type as plain JSON-able data, served at ``GET /api/v1/node-types``.

    Each entry is ``NodeType.describe()``: ``type_id``, ``title``, ``category``,
    ``description``, ``params_schema`` (JSON Schema), ``inputs``/``outputs`` (port dicts)
    and ``dynamic_inputs_from``/``dynamic_outputs_from`` (the param that derives extra
    ports, or ``None``). Which port types connect is ``ports.compatibility_table()``.
    """
    return (registry or default_registry()).catalogue()


def _qualname(node_type: type) -> str:
    return f"{node_type.__module__}.{node_type.__qualname__}"
