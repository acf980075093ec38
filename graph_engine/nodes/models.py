"""``model.chat``: a chat model — OpenAI, Anthropic, any OpenAI-compatible server, or a
local GGUF file — that streams its answer token by token.

Every provider is a LangChain chat model (``graph_engine.providers.chat``): the node
calls ``astream``, emits each chunk as a ``node.token`` event, and reports the
``usage_metadata`` the provider returns. The API key comes from a ``{"$credential":
NAME}`` param, resolved only while the node runs, and goes only to the credential's own
endpoint: the node's ``base_url`` is for key-less servers (``graph_engine.credentials``).
Provider errors are re-raised with the key scrubbed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from graph_engine.credentials import BASE_URL_NEEDS_NO_CREDENTIAL
from graph_engine.errors import CredentialMismatch, NodeError
from graph_engine.nodes.base import CredentialRef, NodeContext, NodeParams, NodeType, Port, PortType

_NEEDS_KEY = ("openai", "anthropic")


class ChatModel(NodeType):
    type_id = "model.chat"
    title = "Chat model"
    category = "Models"
    description = (
        "A chat model: OpenAI, Anthropic, an OpenAI-compatible server (Ollama, vLLM, "
        "llama.cpp) or a local GGUF file. Streams its answer; `prompt` takes text or messages."
    )

    class Params(NodeParams):
        provider: Literal["openai", "anthropic", "openai_compatible", "local"] = "openai"
        model: str | None = Field(
            default=None,
            max_length=200,
            description="Model name; empty: the provider's default (gpt-4o-mini, "
            "claude-haiku-4-5; ignored by `local`).",
        )
        system_prompt: str = Field(
            default="", max_length=200_000, json_schema_extra={"format": "textarea"}
        )
        temperature: float | None = Field(default=None, ge=0, le=2)
        max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
        stop: list[str] = Field(default_factory=list, max_length=16)
        seed: int | None = Field(default=None, description="For repeatable sampling.")
        base_url: str | None = Field(
            default=None,
            max_length=2000,
            description="openai_compatible without a credential: the server's /v1 URL, "
            "e.g. http://localhost:11434/v1. With a credential, the credential's own URL "
            "is used.",
        )
        model_path: str | None = Field(
            default=None,
            max_length=4000,
            description="local: a GGUF file; empty: the bundled Gemma 3 270M.",
        )
        context_size: int = Field(default=2048, ge=256, le=131_072, description="local only.")
        credential: CredentialRef | None = Field(
            default=None,
            description="The API key, sent only to the credential's own endpoint "
            "(optional for openai_compatible).",
        )

        @model_validator(mode="after")
        def _consistent(self) -> ChatModel.Params:
            if self.provider in _NEEDS_KEY and self.credential is None:
                raise ValueError(f"provider {self.provider} needs a credential (its API key)")
            if self.credential is not None and self.base_url:
                raise ValueError(BASE_URL_NEEDS_NO_CREDENTIAL)
            if self.provider == "openai_compatible" and not (self.base_url or self.credential):
                raise ValueError(
                    "provider openai_compatible needs a base_url, or a credential that has one"
                )
            return self

    inputs = (Port("prompt", PortType.MESSAGES, title="Prompt"),)
    outputs = (
        Port("text", PortType.TEXT, title="Text"),
        Port("message", PortType.MESSAGES, title="Message"),
    )

    async def run(
        self, ctx: NodeContext, inputs: Mapping[str, Any], params: ChatModel.Params
    ) -> dict[str, Any]:
        from graph_engine.providers.chat import ChatSettings, build_chat_model
        from graph_engine.providers.errors import provider_error

        messages = _messages(inputs["prompt"], params.system_prompt)
        secret, base_url = await _endpoint(ctx, params)
        settings = ChatSettings(
            provider=params.provider,
            model=params.model,
            temperature=params.temperature,
            max_tokens=params.max_tokens,
            stop=tuple(params.stop),
            base_url=base_url,
            model_path=params.model_path,
            context_size=params.context_size,
            seed=params.seed,
        )
        model = build_chat_model(settings, secret)
        try:
            message = await _stream(ctx, model, messages)
        except NodeError:
            raise
        except Exception as error:
            what = f"{params.provider} chat model {settings.model_name!r}"
            raise provider_error(what, error, [secret or ""]) from None
        return {"text": message.text, "message": [message]}


async def _endpoint(ctx: NodeContext, params: ChatModel.Params) -> tuple[str | None, str | None]:
    """The key and the URL it goes to: the credential's own, or the node's key-less URL."""
    if params.credential is None or params.provider == "local":
        return None, params.base_url
    credential = await ctx.credential(params.credential, provider=params.provider)
    if params.provider == "openai_compatible" and not credential.base_url:
        raise CredentialMismatch(
            f"Credential {params.credential.name!r} has no base URL: set the server's /v1 URL "
            "on the credential."
        )
    return credential.secret, credential.base_url


def _messages(prompt: Any, system_prompt: str) -> list[Any]:
    from langchain_core.messages import (
        BaseMessage,
        HumanMessage,
        SystemMessage,
        convert_to_messages,
    )

    if isinstance(prompt, str):
        messages: list[BaseMessage] = [HumanMessage(content=prompt)]
    elif isinstance(prompt, BaseMessage):
        messages = [prompt]
    else:
        messages = list(convert_to_messages(prompt))
    if system_prompt and not any(message.type == "system" for message in messages):
        messages.insert(0, SystemMessage(content=system_prompt))
    return messages


async def _stream(ctx: NodeContext, model: Any, messages: list[Any]) -> Any:
    from langchain_core.messages import AIMessage, message_chunk_to_message

    merged = None
    async for chunk in model.astream(messages):
        text = chunk.text
        if text:
            ctx.emit_token(text)
        merged = chunk if merged is None else merged + chunk
    if merged is None:
        return AIMessage(content="")
    message = message_chunk_to_message(merged)
    usage = getattr(message, "usage_metadata", None)
    if usage:
        ctx.report_usage(
            input_tokens=usage.get("input_tokens", 0), output_tokens=usage.get("output_tokens", 0)
        )
    return message
