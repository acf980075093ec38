"""How often this process's Kafka clients lost a broker connection or failed to open one.

aiokafka reconnects by itself and says so only in its log: a fetch whose connection
closed under it is logged at ``error`` with its ``KafkaConnectionError`` ("Failed fetch
messages from …"), a connection it could not open at ``error`` too ("Unable connect to
node …", then the fetch's ``NodeNotReadyError``). ``CONNECTION_FAILURES`` is a handler on
the ``aiokafka`` logger (a handler there sees the records of its child loggers, a filter
would not) that counts the records carrying such an error (``outage.connection_failure``).
A reader compares the count between its polls (``_kafka_places``): a broker that went away
and came back, however quickly, changed it if any client of the process had a request in
flight or tried to connect meanwhile. A fetching reader nearly always has one; a
connection that closed while idle and opened again once the broker was back leaves no
record (aiokafka logs that at ``debug`` only).

The count is the whole process's: any client's failure makes every reader check its
places, which costs a metadata request and a fetch again, never a record.

It does not rely on the process's logging config: a Kafka bus adds the handler when it
starts and removes it when the last one closes. A level above ``error`` on the
``aiokafka`` logger (the app's ``critical``, or any other config) would keep aiokafka from
making those records at all, so while a bus runs the logger is held at ``error`` at most.
At ``critical`` aiokafka's errors then reach the process's handlers, whose outage filter
holds back the connection errors among them as at any other level (``outage``).
"""

from __future__ import annotations

import logging
import threading

from .outage import CLIENT_LOGGER, connection_failure

HEARD_LEVEL = logging.ERROR
"""The level aiokafka logs its connection failures at: the client logger is held here at most."""


class ConnectionFailures(logging.Handler):
    """Counts aiokafka's records of a failed broker connection while a Kafka bus runs."""

    def __init__(self, logger: str = CLIENT_LOGGER) -> None:
        super().__init__()
        self.count = 0
        """Connection failures seen so far (only ever grows)."""
        self._logger = logging.getLogger(logger)
        self._watch_lock = threading.Lock()  # buses may start and close on several threads
        self._buses = 0
        self._level_before: int | None = None
        """The logger's own level before it was held at ``HEARD_LEVEL`` (None: not held)."""

    def emit(self, record: logging.LogRecord) -> None:
        if connection_failure(record):
            self.count += 1  # ``handle`` holds the handler's lock around ``emit``

    def watch(self) -> None:
        """A Kafka bus started: count from now on."""
        with self._watch_lock:
            self._buses += 1
            if self._buses == 1:
                self._logger.addHandler(self)
        self.seen()

    def unwatch(self) -> None:
        """That bus closed; the last one gives the logger its level back."""
        with self._watch_lock:
            self._buses -= 1
            if self._buses > 0:
                return
            self._buses = 0  # an unmatched unwatch leaves nothing behind
            self._logger.removeHandler(self)
            before, self._level_before = self._level_before, None
            if before is not None and self._logger.level == HEARD_LEVEL:
                self._logger.setLevel(before)

    def seen(self) -> int:
        """The count now, after making sure that no level set since keeps it from growing."""
        if self._buses and self._logger.getEffectiveLevel() > HEARD_LEVEL:
            with self._watch_lock:
                if self._level_before is None:
                    self._level_before = self._logger.level
                self._logger.setLevel(HEARD_LEVEL)
        return self.count


CONNECTION_FAILURES = ConnectionFailures()
"""The process's one counter: every Kafka bus and reader of the process shares it."""
