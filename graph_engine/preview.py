"""JSON previews of run-time values for events, and scrubbing of secrets from them.

Values on the wire are previews, not the values: documents become
``{"page_content", "metadata"}``, messages ``{"type", "content"}``, anything opaque
(a retriever, say) ``"<ClassName>"``; long strings and lists are cut.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

_MAX_ITEMS = 50
_MAX_DEPTH = 8


class _Renderer:
    """Renders values and remembers whether it had to cut anything."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.cut = False

    def render(self, value: Any, depth: int) -> Any:
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            if len(value) <= self.limit:
                return value
            self.cut = True
            return value[: self.limit] + "…"
        if depth >= _MAX_DEPTH:
            self.cut = True
            return f"<{type(value).__name__}>"
        if isinstance(value, dict):
            items = list(value.items())
            out = {str(k): self.render(v, depth + 1) for k, v in items[:_MAX_ITEMS]}
            if len(items) > _MAX_ITEMS:
                self.cut = True
                out["…"] = f"{len(items) - _MAX_ITEMS} more"
            return out
        if isinstance(value, list | tuple):
            out_list = [self.render(v, depth + 1) for v in value[:_MAX_ITEMS]]
            if len(value) > _MAX_ITEMS:
                self.cut = True
                out_list.append(f"… {len(value) - _MAX_ITEMS} more")
            return out_list
        return self._object(value, depth)

    def _object(self, value: Any, depth: int) -> Any:
        page_content = getattr(value, "page_content", None)
        if isinstance(page_content, str):  # langchain_core Document
            return {
                "page_content": self.render(page_content, depth + 1),
                "metadata": self.render(getattr(value, "metadata", {}), depth + 1),
            }
        content = getattr(value, "content", None)
        message_type = getattr(value, "type", None)
        if content is not None and isinstance(message_type, str):  # langchain_core message
            return {"type": message_type, "content": self.render(content, depth + 1)}
        if isinstance(value, BaseModel):
            return self.render(value.model_dump(mode="json"), depth + 1)
        return f"<{type(value).__name__}>"


def preview(values: dict[str, Any], limit: int) -> tuple[dict[str, Any], bool]:
    """``(preview, truncated)``: the values as JSON taking at most about ``limit`` bytes."""
    if _plain(values, limit):  # the common case: nothing to render, cut or measure
        return dict(values), False
    renderer = _Renderer(limit)
    rendered = {name: renderer.render(value, 0) for name, value in values.items()}
    if _small(rendered, limit):  # the common case: skip serialising just to measure
        return rendered, renderer.cut
    text = json.dumps(rendered, ensure_ascii=False, default=str)
    if len(text.encode("utf-8")) <= limit:
        return rendered, renderer.cut
    budget = max(16, limit // max(1, len(rendered)) - 16)
    cut = {}
    for name, value in rendered.items():
        piece = json.dumps(value, ensure_ascii=False, default=str)
        cut[name] = value if len(piece.encode("utf-8")) <= budget else _cut_text(piece, budget)
    return cut, True


_SCALARS = frozenset({bool, int, float})


def _plain(values: dict[str, Any], limit: int) -> bool:
    """Whether every value is ``None``, a plain scalar or a short string (which render
    as themselves) and the whole surely fits in ``limit`` bytes (see ``_small``)."""
    size = 2
    for name, value in values.items():
        kind = type(value)
        if kind is str:
            size += 4 * len(value)
        elif value is None or kind in _SCALARS:
            size += 32
        else:
            return False
        size += 4 * len(name) + 4
    return size <= limit


def _small(rendered: dict[str, Any], limit: int) -> bool:
    size = 2
    for name, value in rendered.items():
        if isinstance(value, str):
            size += 4 * len(value)  # worst case: 4 UTF-8 bytes a character
        elif value is None or isinstance(value, bool | int | float):
            size += 32
        else:
            return False
        size += 4 * len(name) + 4
    return size <= limit


def _cut_text(text: str, budget: int) -> str:
    """``text`` cut so that it takes at most ``budget`` bytes as a JSON string."""
    encoded, size = text.encode("utf-8"), budget - 5
    while True:
        candidate = encoded[: max(0, size)].decode("utf-8", errors="ignore") + "…"
        over = len(json.dumps(candidate, ensure_ascii=False).encode("utf-8")) - budget
        if over <= 0 or size <= 0:
            return candidate
        size -= over


def scrub(value: Any, secrets: Iterable[str]) -> Any:
    """``value`` with every occurrence of every secret replaced by ``"***"``."""
    secrets = [secret for secret in secrets if secret]
    if not secrets:
        return value
    return _scrub(value, secrets)


def _scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, "***")
        return value
    if isinstance(value, dict):
        return {_scrub(k, secrets): _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v, secrets) for v in value]
    return value
