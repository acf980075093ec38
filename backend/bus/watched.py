"""The runs someone watches live in this process: what a run-events follower must bring.

The hub adds a run when a WebSocket starts watching it and drops it when the last one
stops. A follower given this set may skip every other run's events: the Kafka follower
then fetches only the partitions these runs' keys land on (none, while nobody watches),
instead of asking the broker for every partition many times a second. A watcher never
depends on that skipping: its stream takes what the follower did not bring from the
database (``backend.ws.stream``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator


class WatchedRuns:
    def __init__(self) -> None:
        self._watchers: Counter[str] = Counter()
        self._listeners: list[Callable[[], None]] = []

    def add(self, run_id: str) -> None:
        self._watchers[run_id] += 1
        if self._watchers[run_id] == 1:
            self._changed()

    def discard(self, run_id: str) -> None:
        if run_id not in self._watchers:
            return
        if self._watchers[run_id] == 1:
            self._watchers.pop(run_id, None)
            self._changed()
        else:
            self._watchers[run_id] -= 1

    def __contains__(self, run_id: object) -> bool:
        return run_id in self._watchers

    def __iter__(self) -> Iterator[str]:
        return iter(self._watchers)

    def __len__(self) -> int:
        return len(self._watchers)

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` whenever a run starts or stops being watched; returns the
        function that stops that."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()
