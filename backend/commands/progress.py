"""Showing a run as it happens: an ``EventSink`` that writes to a terminal or a log.

On a terminal (``live``) the bottom line is a status bar redrawn in place — nodes
done/total, the running node(s), the tail of the text a model is streaming — and a
line is printed above it for every finished node. Elsewhere (a pipe, CI) every step is
one plain line. Either way, streamed tokens are printed indented under the node that
streams them, a line at a time.

``count_bar`` is the plainer bar of commands that work through stored rows.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from graph_engine import RunEvent

BAR_WIDTH = 20
COUNT_BAR_WIDTH = 30
TOKEN_INDENT = "    "
_CLEAR_LINE = "\r\x1b[2K"
_STYLES = {"ok": "32", "failed": "31", "dim": "2", "bold": "1"}
_MARKS = {"succeeded": "✓", "cached": "✓", "failed": "✗", "skipped": "–"}


class Progress:
    """Prints each event of one run to ``stream``; see the module docstring."""

    def __init__(
        self, stream: TextIO | None, *, live: bool, color: bool, node_types: dict[str, str]
    ) -> None:
        """``stream`` None shows nothing (``--quiet``) but still counts events."""
        self.stream = stream
        self.live = live
        self.color = color
        self.node_types = node_types
        self.count = 0
        self.total = len(node_types)
        self.done = 0
        self.running: dict[str, float] = {}
        self._tokens: dict[str, str] = {}
        self._started = time.monotonic()
        self._status_shown = False
        self._closed = False
        self.interrupted: list[str] = []

    async def emit(self, event: RunEvent) -> None:
        self.count += 1
        handler = getattr(self, "_on_" + event.type.replace(".", "_"), None)
        if handler is not None:
            handler(event)
        self.refresh()

    # One handler per event type; events without one only count.

    def _on_run_started(self, event: Any) -> None:
        self.total = len(event.data.node_ids)
        self._started = time.monotonic()
        if not self.live:
            self._line(f"Running {self.total} node{'s' if self.total != 1 else ''}")

    def _on_node_started(self, event: Any) -> None:
        self.running[event.node_id] = time.monotonic()
        if event.data.attempt > 1:
            error = event.data.previous_error
            reason = f" after {error.type}: {error.message}" if error else ""
            name, attempt = self._name(event.node_id), event.data.attempt
            self._line(f"{self._counter()} ↻ {name} attempt {attempt}{reason}")
        elif not self.live:
            self._line(f"{self._counter()} ▸ {self._name(event.node_id)} started")

    def _on_node_token(self, event: Any) -> None:
        text = self._tokens.get(event.node_id, "") + event.data.text
        *lines, rest = text.split("\n")
        for line in lines:
            self._token_line(event.node_id, line)
        self._tokens[event.node_id] = rest

    def _on_node_succeeded(self, event: Any) -> None:
        self._finish(event.node_id, "succeeded", "in " + duration(event.data.duration_ms))

    def _on_node_cached(self, event: Any) -> None:
        self._finish(event.node_id, "cached", "from cache")

    def _on_node_skipped(self, event: Any) -> None:
        self._finish(event.node_id, "skipped", f"skipped: {event.data.reason}")

    def _on_node_failed(self, event: Any) -> None:
        error = event.data.error
        self._finish(event.node_id, "failed", f"failed: {error.type}: {error.message}")

    def _on_run_succeeded(self, event: Any) -> None:
        self.close()

    def _on_run_failed(self, event: Any) -> None:
        self.interrupted = list(event.data.interrupted)
        self.close()

    _on_run_cancelled = _on_run_failed

    # Drawing.

    def _finish(self, node_id: str, outcome: str, detail: str) -> None:
        self._flush_tokens(node_id)
        self.running.pop(node_id, None)
        self.done += 1
        style = {"succeeded": "ok", "cached": "ok", "failed": "failed"}.get(outcome, "dim")
        mark = self._style(_MARKS[outcome], style)
        self._line(f"{self._counter()} {mark} {self._name(node_id)} {detail}")

    def _flush_tokens(self, node_id: str) -> None:
        rest = self._tokens.pop(node_id, "")
        if rest:
            self._token_line(node_id, rest)

    def _token_line(self, node_id: str, text: str) -> None:
        prefix = f"{TOKEN_INDENT}{node_id} │ "
        self._line(self._style(prefix, "dim") + text)

    def note(self, text: str) -> None:
        """A line of the command's own (e.g. "Cancelling…"), above the status bar."""
        self._line(text)
        self.refresh()

    def refresh(self) -> None:
        """Redraw the status bar (live only); called on every event and by a ticker."""
        if self.stream is None or not self.live or self._closed:
            return
        self.stream.write(_CLEAR_LINE + self._status()[: _width() - 1])
        self.stream.flush()
        self._status_shown = True

    def close(self) -> None:
        """Flush any half line of tokens and remove the status bar."""
        for node_id in list(self._tokens):
            self._flush_tokens(node_id)
        self._clear_status()
        self._closed = True

    def _status(self) -> str:
        filled = BAR_WIDTH * self.done // self.total if self.total else 0
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        parts = [f"[{bar}] {self.done}/{self.total}"]
        now = time.monotonic()
        for node_id, began in list(self.running.items())[:3]:
            parts.append(f"▸ {self._name(node_id, styled=False)} {now - began:.1f}s")
        if len(self.running) > 3:
            parts.append(f"+{len(self.running) - 3} more")
        tail = next((text for text in reversed(self._tokens.values()) if text), "")
        if tail:
            parts.append("│ " + tail[-60:])
        return "  ".join(parts)

    def _line(self, text: str) -> None:
        if self.stream is None:
            return
        self._clear_status()
        self.stream.write(text + "\n")
        self.stream.flush()

    def _clear_status(self) -> None:
        if self._status_shown and self.stream is not None:
            self.stream.write(_CLEAR_LINE)
            self.stream.flush()
            self._status_shown = False

    def _counter(self) -> str:
        width = len(str(self.total))
        return self._style(f"[{self.done:>{width}}/{self.total}]", "dim")

    def _name(self, node_id: str, *, styled: bool = True) -> str:
        node_type = self.node_types.get(node_id)
        name = self._style(node_id, "bold") if styled else node_id
        return f"{name} ({node_type})" if node_type else name

    def _style(self, text: str, style: str) -> str:
        if not self.color:
            return text
        return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"


def stderr_progress(*, quiet: bool, node_types: dict[str, str]) -> Progress:
    """The progress of a command: on stderr, live and coloured on a terminal (unless
    ``NO_COLOR``), nothing with ``--quiet``."""
    terminal = sys.stderr.isatty()
    return Progress(
        None if quiet else sys.stderr,
        live=terminal,
        color=terminal and "NO_COLOR" not in os.environ,
        node_types=node_types,
    )


def duration(milliseconds: float) -> str:
    if milliseconds < 10:
        return f"{milliseconds:.2f} ms"
    if milliseconds < 1000:
        return f"{milliseconds:.0f} ms"
    return f"{milliseconds / 1000:.2f} s"


def _width() -> int:
    return shutil.get_terminal_size((100, 24)).columns


def count_bar(stream: TextIO | None = None) -> Callable[[int, int], None]:
    """``show(done, total)`` for a command working through rows (on stderr): a bar
    redrawn in place on a terminal; elsewhere (a pipe, CI) just the finished bar."""
    out = stream or sys.stderr
    live = out.isatty()

    def show(done: int, total: int) -> None:
        finished = done >= total
        if not (live or finished):
            return
        filled = COUNT_BAR_WIDTH * done // max(total, 1)
        bar = "█" * filled + "░" * (COUNT_BAR_WIDTH - filled)
        out.write(f"\r{bar} {done}/{total}" + ("\n" if finished else ""))
        out.flush()

    return show
