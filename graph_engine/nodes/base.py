"""The base class of every node type, and everything a node author imports.

A node type is one class in ``graph_engine/nodes/<family>.py``; defining it registers
it (a duplicate ``type_id`` raises ``DuplicateNodeType``). A complete example::

    from graph_engine.nodes.base import NodeContext, NodeParams, NodeType, Port, PortType

    class Shout(NodeType):
        type_id = "text.shout"                 # part of the export format: never reuse
        title = "Shout"
        category = "Text"
        description = "Upper-cases its input."

        class Params(NodeParams):              # pydantic; its JSON Schema drives the form
            suffix: str = "!"

        inputs = (Port("text", PortType.TEXT),)
        outputs = (Port("text", PortType.TEXT),)

        async def run(self, ctx: NodeContext, inputs, params: "Shout.Params"):
            return {"text": inputs["text"].upper() + params.suffix}

Rules of the road:

- ``run`` returns ``{output port name: value}`` with exactly the node's output ports.
  A port whose value is ``SKIP`` is "not taken": every edge from it is skipped (this is
  how ``logic.router`` leaves branches out).
- ``inputs`` holds connected inputs by port name. A ``multiple`` port always holds a
  list (maybe empty); an optional single port that nothing fed is absent.
- Ports may depend on params: override ``input_ports``/``output_ports`` and name the
  param in ``dynamic_inputs_from``/``dynamic_outputs_from`` so the canvas knows.
- Secrets: declare a ``CredentialRef`` param and call
  ``await ctx.resolve_credential(params.credential)`` inside ``run``.
- Raise any exception to fail the node; raise a ``NodeError`` subclass with
  ``retryable = False`` for faults that a retry cannot fix. Never put a secret in a
  message (the engine scrubs resolved credentials anyway).
- One instance is made per node when a workflow is compiled and may serve several
  runs: keep per-run state in locals, not on ``self``.
- Intermediate base classes pass ``abstract=True``; test or plugin types pass
  ``registry=<a Registry>`` to stay out of the core catalogue.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from graph_engine.context import NodeContext
from graph_engine.credentials import CredentialRef
from graph_engine.errors import NodeError, RegistryError
from graph_engine.ports import Port, PortType
from graph_engine.registry import CORE, Registry

__all__ = [
    "SKIP",
    "CredentialRef",
    "NodeContext",
    "NodeError",
    "NodeParams",
    "NodeType",
    "Port",
    "PortType",
]


class NodeParams(BaseModel):
    """Base for a node type's ``Params``: unknown keys are refused, so typos surface."""

    model_config = ConfigDict(extra="forbid")


class NoParams(NodeParams):
    pass


class _Skip:
    _instance: ClassVar[_Skip | None] = None

    def __new__(cls) -> _Skip:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SKIP"

    def __bool__(self) -> bool:
        return False


SKIP: Any = _Skip()
"""Return as an output's value to leave that branch out (its edges are skipped)."""


class NodeType(ABC):
    """Base of every node type; see the module docstring."""

    type_id: ClassVar[str]
    title: ClassVar[str]
    category: ClassVar[str]
    description: ClassVar[str] = ""
    Params: ClassVar[type[NodeParams]] = NoParams
    inputs: ClassVar[tuple[Port, ...]] = ()
    outputs: ClassVar[tuple[Port, ...]] = ()
    dynamic_inputs_from: ClassVar[str | None] = None
    dynamic_outputs_from: ClassVar[str | None] = None

    def __init_subclass__(
        cls, *, abstract: bool = False, registry: Registry | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if abstract:
            return
        _check_declaration(cls)
        (registry or CORE).add(cls)

    @classmethod
    def title_for(cls, params: Any) -> str:
        """How problems name a node of this type with these (valid) params, when the person
        gave it no title of their own; ``title`` unless a param says more."""
        return cls.title

    @classmethod
    def input_ports(cls, params: Any) -> tuple[Port, ...]:
        """The input ports for these (validated) params; ``inputs`` unless dynamic."""
        return cls.inputs

    @classmethod
    def output_ports(cls, params: Any) -> tuple[Port, ...]:
        """The output ports for these (validated) params; ``outputs`` unless dynamic."""
        return cls.outputs

    @abstractmethod
    async def run(self, ctx: NodeContext, inputs: Mapping[str, Any], params: Any) -> dict[str, Any]:
        """Do the node's work: ``{output port: value}`` for exactly its output ports."""

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """This type as JSON-able data for the palette and inspector."""
        return {
            "type_id": cls.type_id,
            "title": cls.title,
            "category": cls.category,
            "description": cls.description,
            "params_schema": cls.Params.model_json_schema(),
            "inputs": [port.as_dict() for port in cls.inputs],
            "outputs": [port.as_dict() for port in cls.outputs],
            "dynamic_inputs_from": cls.dynamic_inputs_from,
            "dynamic_outputs_from": cls.dynamic_outputs_from,
        }


def _check_declaration(cls: type[NodeType]) -> None:
    for attribute in ("type_id", "title", "category"):
        if not isinstance(getattr(cls, attribute, None), str):
            raise RegistryError(f"{cls.__qualname__} must set {attribute} (a string).")
    if not (isinstance(cls.Params, type) and issubclass(cls.Params, BaseModel)):
        raise RegistryError(f"{cls.__qualname__}.Params must be a pydantic model.")
    for side in ("inputs", "outputs"):
        names = [port.name for port in getattr(cls, side)]
        if len(names) != len(set(names)):
            raise RegistryError(f"{cls.__qualname__}.{side} repeats a port name.")
    if cls.run is NodeType.run:
        raise RegistryError(f"{cls.__qualname__} must define async def run(...).")
