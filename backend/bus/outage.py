"""Quiet outages: one warning when the Kafka broker goes, one line when it is back.

While a broker is unreachable aiokafka logs every refused connection, failed fetch and
heartbeat (some 300 lines a second per process), and the bus's own loops say that they
wait. ``BROKER`` follows the broker's health for the whole process:

- The first record that shows the broker unreachable opens an outage and logs one
  warning naming the bootstrap servers and that first reason. Such a record is one of
  aiokafka's carrying a connection error (refused, timed out, node not ready), or a
  retry line of the bus marked with ``extra=RETRYING``.
- While the outage lasts, aiokafka's warnings and errors and the marked retry lines are
  held back and counted. Records with a stack (aiokafka's "unexpected error") still pass.
- A Kafka bus's ``BrokerWatch`` asks the broker every ``TICK_S`` whether it answers
  (a metadata request through the bus's own admin client); a retry loop that succeeded
  may say so too (``answered``). The outage closes once the broker answered and no
  client failed for ``SETTLE_S`` (so the last stale connections failing after a restart
  do not open a second one), with one line giving its length.

``OutageFilter`` goes on the process's log handlers (``backend.observability.logging``):
a filter on the ``aiokafka`` logger would not see the records of its child loggers.
Without it (a library user's own logging) every record passes as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiokafka.errors import (
    KafkaConnectionError,
    KafkaTimeoutError,
    NoBrokersAvailable,
    NodeNotReadyError,
    RequestTimedOutError,
)

log = logging.getLogger(__name__)

RETRY_FLAG = "nodeloom_broker_retry"
RETRYING = {RETRY_FLAG: True}
"""``extra=`` of a bus line that says it retries because the broker did not answer."""

TICK_S = 0.25
SETTLE_S = 1.0
CLIENT_LOGGER = "aiokafka"
CONNECTION_ERRORS = (
    OSError,  # refused, reset, unreachable; a TLS handshake that fails, too
    TimeoutError,
    KafkaConnectionError,
    NodeNotReadyError,
    NoBrokersAvailable,
    RequestTimedOutError,
    KafkaTimeoutError,
)
_VERDICT = "_nodeloom_outage_verdict"  # a record seen by several handlers is judged once


@dataclass
class _Outage:
    began: float
    last_failure: float
    held: int = 0
    answered: float | None = None
    """When the broker last answered after the latest failure (None: not since)."""


class BrokerHealth:
    """Whether this process's Kafka broker is reachable, told by its clients' log records."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()  # records may come from any thread
        self._outage: _Outage | None = None
        self._servers: Counter[str] = Counter()

    @property
    def down(self) -> bool:
        return self._outage is not None

    @property
    def awaits_answer(self) -> bool:
        outage = self._outage
        return outage is not None and outage.answered is None

    def watch(self, servers: str) -> None:
        """A Kafka bus of this process uses ``servers`` (named in the outage lines)."""
        with self._lock:
            self._servers[servers] += 1

    def unwatch(self, servers: str) -> None:
        """That bus closed; when none is left, an outage ends without a line: nothing waits."""
        with self._lock:
            self._servers[servers] -= 1
            if self._servers[servers] <= 0:
                del self._servers[servers]
            ended = None if self._servers else self._outage
            if ended is not None:
                self._outage = None
        if ended is not None:
            log.debug("Kafka clients closed while the broker was unreachable")

    def admit(self, record: logging.LogRecord) -> bool:
        """Whether ``record`` is logged (False: held back, the outage said it once)."""
        retry = bool(getattr(record, RETRY_FLAG, False))
        if not retry and not _from_client(record):
            return True
        failure = retry or connection_failure(record)
        opened = None
        with self._lock:
            now = self._clock()
            if failure:
                if self._outage is None:
                    self._outage = opened = _Outage(began=now, last_failure=now)
                self._outage.last_failure, self._outage.answered = now, None
            if self._outage is None:
                return True  # a client's warning that is not about reaching the broker
            self._outage.held += 1
            servers = self._named_servers()
        if opened is not None:
            log.warning(
                "Kafka broker%s unreachable (%s); its clients retry without logging each "
                "attempt until it answers",
                servers,
                _reason(record),
            )
        return False

    def answered(self) -> None:
        """The broker answered a request just now."""
        with self._lock:
            if self._outage is not None and self._outage.answered is None:
                self._outage.answered = self._clock()

    def settle(self) -> None:
        """Close the outage if the broker answered and no client failed for ``SETTLE_S``."""
        with self._lock:
            outage = self._outage
            if outage is None or outage.answered is None:
                return
            if self._clock() - outage.last_failure < SETTLE_S:
                return
            self._outage = None
            servers = self._named_servers()
        log.info(
            "Kafka broker%s answers again after %.1f s (%d client log lines held back)",
            servers,
            outage.answered - outage.began,
            outage.held,
        )

    def _named_servers(self) -> str:
        return " at " + ", ".join(sorted(self._servers)) if self._servers else ""


BROKER = BrokerHealth()
"""The process's one tracker: every Kafka bus and log handler of the process share it."""


class OutageFilter(logging.Filter):
    """A handler filter: holds back what ``BROKER`` says an open outage already said."""

    def __init__(self, health: BrokerHealth | None = None) -> None:
        super().__init__()
        self._health = health or BROKER

    def filter(self, record: logging.LogRecord) -> bool:
        verdict = getattr(record, _VERDICT, None)
        if verdict is None:
            verdict = self._health.admit(record)
            setattr(record, _VERDICT, verdict)
        return bool(verdict)


class BrokerWatch:
    """While an outage lasts, asks the broker whether it answers, and closes the outage."""

    def __init__(
        self,
        servers: str,
        answers: Callable[[], Awaitable[bool]],
        health: BrokerHealth | None = None,
    ) -> None:
        self._servers = servers
        self._answers = answers
        self._health = health or BROKER
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._health.watch(self._servers)
        self._task = asyncio.create_task(self._run(), name="nodeloom-broker-watch")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self._health.unwatch(self._servers)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            if self._health.awaits_answer and await self._answers():
                self._health.answered()
            self._health.settle()


def _from_client(record: logging.LogRecord) -> bool:
    name = record.name
    from_client = name == CLIENT_LOGGER or name.startswith(CLIENT_LOGGER + ".")
    # A stack means aiokafka met something unexpected: never held back.
    return from_client and record.levelno >= logging.WARNING and not record.exc_info


def _errors(record: logging.LogRecord) -> list[BaseException]:
    args = record.args if isinstance(record.args, tuple) else (record.args,)
    return [arg for arg in args if isinstance(arg, BaseException)]


def connection_failure(record: logging.LogRecord) -> bool:
    """Whether ``record`` carries an error of reaching the broker (``CONNECTION_ERRORS``)."""
    return any(isinstance(error, CONNECTION_ERRORS) for error in _errors(record))


def _reason(record: logging.LogRecord) -> str:
    """The first error the record carries (its message when it has none)."""
    for error in _errors(record):
        name, text = type(error).__name__, str(error)
        return text if text.startswith(name) else f"{name}: {text}".removesuffix(": ")
    return record.getMessage()
