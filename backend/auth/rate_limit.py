"""Failed-login counting per (client address, email), in this process's memory.

Each replica counts its own attempts: behind N replicas an attacker gets at most N times
the limit, still far too few to guess a password.
"""

from __future__ import annotations

import math
import time
from collections import deque

WINDOW_S = 60.0
MAX_TRACKED = 100_000


class LoginLimiter:
    def __init__(self, limit: int, window_s: float = WINDOW_S) -> None:
        self.limit = limit
        self.window_s = window_s
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def retry_after(self, key: tuple[str, str]) -> int | None:
        """Seconds to wait when ``key`` used up its failures, else ``None``."""
        failures = self._recent(key)
        if len(failures) < self.limit:
            return None
        return math.ceil(failures[0] + self.window_s - time.monotonic())

    def failed(self, key: tuple[str, str]) -> None:
        if len(self._failures) >= MAX_TRACKED:
            self._forget_old()
        self._failures.setdefault(key, deque()).append(time.monotonic())

    def succeeded(self, key: tuple[str, str]) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        failures = self._failures.get(key, deque())
        cutoff = time.monotonic() - self.window_s
        while failures and failures[0] <= cutoff:
            failures.popleft()
        return failures

    def _forget_old(self) -> None:
        for key in list(self._failures):
            if not self._recent(key):
                del self._failures[key]
