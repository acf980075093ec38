"""Running the graph in the caller's task, stoppable from outside it.

A run stops early when its ``cancel`` event is set or its sink fails. The graph runs in
the task that awaits ``run`` (a task of its own, plus one waiting for each way to stop,
cost a tenth of a small run), so stopping it means cancelling that task — and then
taking back exactly the cancellation we asked for (``Task.uncancel``), as
``asyncio.timeout`` does. A cancellation from outside (someone cancelled the task that
awaits ``run``) is never taken back: it propagates as it always did.

A node may swallow the cancellation and go on: ``asyncio.wait_for`` on Python 3.11
returns the awaited result and drops a cancellation that lands in the same loop step,
and langchain-openai awaits every streamed chunk so. The task is therefore cancelled
again every ``CANCEL_RETRY_S`` while the graph goes on, and a graph that ends anyway
(returns, or fails on its closed connection) after it was stopped is ``Stopped`` all
the same: a stop requested before the run ended always wins. A node's own timeout
stops it the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from graph_engine.emitter import Emitter

T = TypeVar("T")
CANCEL_RETRY_S = 0.5
"""How often the graph is cancelled again while it goes on after it was stopped."""


class Stopped(Exception):
    """The graph was stopped: the cancel event was set, or the sink failed."""


async def run_stoppable(
    graph: Coroutine[Any, Any, T], cancel: asyncio.Event, emitter: Emitter
) -> T:
    """Await ``graph``; raises ``Stopped`` if ``cancel`` is set or the sink fails first."""
    task = asyncio.current_task()
    assert task is not None, "run() must be awaited in a task"
    stop = TaskStop(task)
    watcher = asyncio.get_running_loop().create_task(cancel.wait())
    watcher.add_done_callback(stop.request)
    emitter.on_failure = stop.request
    try:
        result = await graph
    except asyncio.CancelledError:
        # ours, or one from inside the graph while nobody cancelled this task
        if stop.disarm() or task.cancelling() <= stop.baseline:
            raise Stopped from None
        raise
    except Exception:
        if stop.disarm():  # failed after we stopped it: stopped all the same
            raise Stopped from None
        raise
    finally:
        stop.disarm()
        emitter.on_failure = None
        watcher.cancel()
        try:
            await watcher  # leave no task behind
        except asyncio.CancelledError:
            if task.cancelling() > stop.baseline:
                raise  # we were cancelled from outside meanwhile
    if stop.disarm():  # a node swallowed our cancellation and the graph finished anyway
        raise Stopped
    return result


class TaskStop:
    """Cancels one task while armed (again every ``CANCEL_RETRY_S`` until disarmed);
    ``disarm`` takes those cancellations back. Also the node timeout's (``node_runner``)."""

    __slots__ = ("_armed", "_cancels", "_retry", "_task", "_took_back", "baseline")

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self._task = task
        self.baseline = task.cancelling()
        self._armed = True
        self._cancels = 0
        self._retry: asyncio.TimerHandle | None = None
        self._took_back = False

    def request(self, *_: object) -> None:
        if self._armed and not self._cancels:
            self._cancel()

    def _cancel(self) -> None:
        if not self._armed:
            return
        self._cancels += 1
        self._task.cancel()
        self._retry = asyncio.get_running_loop().call_later(CANCEL_RETRY_S, self._cancel)

    def disarm(self) -> bool:
        """Stop for good; ``True`` if we cancelled the task and nobody else did."""
        if self._armed:
            self._armed = False
            if self._retry is not None:
                self._retry.cancel()
            if self._cancels:
                for _ in range(self._cancels):
                    left = self._task.uncancel()
                self._took_back = left <= self.baseline
        return self._took_back
