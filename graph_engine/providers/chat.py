"""LangChain chat models by provider, built from ``model.chat``'s settings.

``build_chat_model(settings, secret)`` returns a ``BaseChatModel`` whose ``astream``
yields one chunk per token and reports ``usage_metadata``:

- ``openai``: langchain-openai ``ChatOpenAI``;
- ``openai_compatible``: ``ChatOpenAI`` pointed at ``base_url`` (Ollama, vLLM, the
  llama.cpp server…); ``max_tokens`` is sent as the classic ``max_tokens`` field, which
  every such server reads (``ChatOpenAI`` itself sends ``max_completion_tokens``);
- ``anthropic``: langchain-anthropic ``ChatAnthropic``;
- ``local``: ``LlamaCppChat`` over a GGUF file (the ``local-models`` extra).

Provider packages are imported here, lazily, so loading the node catalogue stays light.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from graph_engine.providers.extras import require

Provider = Literal["openai", "anthropic", "openai_compatible", "local"]

DEFAULT_MODELS: dict[str, str] = {
    "openai": "gpt-4o-mini",
    "anthropic": "claude-haiku-4-5",
    "openai_compatible": "default",
    "local": "gemma-3-270m",
}
ANTHROPIC_DEFAULT_MAX_TOKENS = 1024
LOCAL_DEFAULT_MAX_TOKENS = 512
NO_KEY = "not-needed"
"""Sent as the API key to an ``openai_compatible`` server when no credential is set."""
SDK_RETRIES = 0
"""Provider SDKs send each request once: the node's ``max_attempts`` is the one retry."""


@dataclass(frozen=True, slots=True)
class ChatSettings:
    provider: Provider
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()
    base_url: str | None = None
    model_path: str | None = None
    context_size: int = 2048
    seed: int | None = None

    @property
    def model_name(self) -> str:
        return self.model or DEFAULT_MODELS[self.provider]


def build_chat_model(settings: ChatSettings, secret: str | None) -> Any:
    """The LangChain chat model for ``settings``; ``secret`` is the provider's API key."""
    if settings.provider == "local":
        return _local(settings)
    if settings.provider == "anthropic":
        return _anthropic(settings, secret)
    return _openai(settings, secret)


def _openai(settings: ChatSettings, secret: str | None) -> Any:
    module = require("langchain_openai", feature="OpenAI chat models", package="langchain-openai")
    options: dict[str, Any] = {
        "model": settings.model_name,
        "api_key": secret or NO_KEY,
        "stream_usage": True,
        "max_retries": SDK_RETRIES,
    }
    if settings.base_url:
        options["base_url"] = settings.base_url
    if settings.temperature is not None:
        options["temperature"] = settings.temperature
    if settings.stop:
        options["stop"] = list(settings.stop)
    if settings.seed is not None:
        options["seed"] = settings.seed
    if settings.max_tokens is not None:
        if settings.provider == "openai_compatible":
            options["extra_body"] = {"max_tokens": settings.max_tokens}
        else:
            options["max_tokens"] = settings.max_tokens
    return module.ChatOpenAI(**options)


def _anthropic(settings: ChatSettings, secret: str | None) -> Any:
    module = require(
        "langchain_anthropic", feature="Anthropic chat models", package="langchain-anthropic"
    )
    options: dict[str, Any] = {
        "model": settings.model_name,
        "api_key": secret,
        "max_tokens": settings.max_tokens or ANTHROPIC_DEFAULT_MAX_TOKENS,
        "stream_usage": True,
        "max_retries": SDK_RETRIES,
    }
    if settings.base_url:
        options["base_url"] = settings.base_url
    if settings.temperature is not None:
        options["temperature"] = settings.temperature
    if settings.stop:
        options["stop_sequences"] = list(settings.stop)
    return module.ChatAnthropic(**options)


def _local(settings: ChatSettings) -> Any:
    from graph_engine.providers.llama_local import LlamaCppChat, default_model_path

    return LlamaCppChat(
        model_path=settings.model_path or default_model_path(),
        context_size=settings.context_size,
        temperature=0.7 if settings.temperature is None else settings.temperature,
        max_tokens=settings.max_tokens or LOCAL_DEFAULT_MAX_TOKENS,
        stop=list(settings.stop) or None,
        seed=settings.seed,
    )
