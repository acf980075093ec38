"""What a node sees of the run: ``NodeContext`` (``ctx`` in ``NodeType.run``).

``ctx`` is the whole API a node has to the engine::

    ctx.node_id, ctx.node_type, ctx.run_id, ctx.workflow_id, ctx.attempt
    ctx.logger                       a logger whose records carry run_id and node_id
    ctx.workflow_inputs              the run's inputs by ``io.input`` name (read-only)
    ctx.emit_token(text)             stream a token: one ``node.token`` event
    ctx.report_usage(input_tokens=, output_tokens=)   summed into ``node.succeeded``
    ctx.cancelled / ctx.check_cancelled()   cooperative cancellation
    await ctx.credential(ref, provider=…)   the ``Credential`` behind ``{"$credential": NAME}``
    await ctx.resolve_credential(ref)       just its secret (plugin nodes)

Long loops inside a node should call ``ctx.check_cancelled()`` now and then; awaiting
anything is a cancellation point anyway (the engine cancels the node's task).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graph_engine.credentials import Credential, CredentialRef, CredentialResolver, as_credential
from graph_engine.emitter import Emitter
from graph_engine.errors import NodeCancelled
from graph_engine.events import NodeToken, NodeTokenData, TokenUsage

_logger = logging.getLogger("graph_engine.node")


@dataclass(slots=True)
class RunScope:
    """Everything one run shares between its nodes. Made by the runner, not by nodes."""

    run_id: str
    workflow_id: str | None
    emitter: Emitter
    credentials: CredentialResolver
    cancel: asyncio.Event
    inputs: Mapping[str, Any]  # read-only (the runner passes a MappingProxyType)
    attempts: dict[str, int] = field(default_factory=dict)
    last_errors: dict[str, Any] = field(default_factory=dict)
    running: set[str] = field(default_factory=set)


class NodeContext:
    """The run as one node sees it. See the module docstring for the API."""

    __slots__ = ("_logger", "_scope", "_usage", "attempt", "node_id", "node_type")

    def __init__(self, scope: RunScope, node_id: str, node_type: str, attempt: int = 1) -> None:
        self._scope = scope
        self.node_id = node_id
        self.node_type = node_type
        self.attempt = attempt
        self._usage: TokenUsage | None = None
        self._logger: logging.LoggerAdapter[logging.Logger] | None = None

    @property
    def run_id(self) -> str:
        return self._scope.run_id

    @property
    def workflow_id(self) -> str | None:
        return self._scope.workflow_id

    @property
    def workflow_inputs(self) -> Mapping[str, Any]:
        return self._scope.inputs

    @property
    def logger(self) -> logging.LoggerAdapter[logging.Logger]:
        if self._logger is None:
            extra = {"run_id": self.run_id, "node_id": self.node_id}
            self._logger = logging.LoggerAdapter(_logger, extra)
        return self._logger

    def emit_token(self, text: str) -> None:
        """Stream one token (or chunk) of this node's output as a ``node.token`` event."""
        self._scope.emitter.emit(NodeToken, NodeTokenData(text=text), self.node_id)

    def report_usage(self, *, input_tokens: int = 0, output_tokens: int = 0) -> None:
        """Add model token usage; the sum is reported in ``node.succeeded``."""
        old = self._usage or TokenUsage()
        inputs, outputs = old.input_tokens + input_tokens, old.output_tokens + output_tokens
        self._usage = TokenUsage(
            input_tokens=inputs, output_tokens=outputs, total_tokens=inputs + outputs
        )

    @property
    def usage(self) -> TokenUsage | None:
        return self._usage

    @property
    def cancelled(self) -> bool:
        return self._scope.cancel.is_set()

    def check_cancelled(self) -> None:
        """Raise ``NodeCancelled`` if the run has been cancelled."""
        if self._scope.cancel.is_set():
            raise NodeCancelled("The run was cancelled.")

    async def credential(
        self, ref: CredentialRef | str, *, provider: str | tuple[str, ...]
    ) -> Credential:
        """The credential behind a reference, refused unless it is for ``provider``. Send
        its secret to ``credential.base_url`` (the provider's own host when ``None``) only."""
        name = ref.name if isinstance(ref, CredentialRef) else ref
        credential = await self._resolve(name)
        credential.check_provider(name, provider if isinstance(provider, tuple) else (provider,))
        return credential

    async def resolve_credential(self, ref: CredentialRef | str) -> str:
        """The secret behind a credential reference; scrubbed from every later event."""
        return (await self._resolve(ref.name if isinstance(ref, CredentialRef) else ref)).secret

    async def _resolve(self, name: str) -> Credential:
        credential = as_credential(await self._scope.credentials.resolve(name))
        self._scope.emitter.secrets.add(credential.secret)  # scrubbed from every later event
        return credential
