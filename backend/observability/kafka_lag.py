"""Kafka consumer lag: how many messages wait on the broker for this process's consumers.

A Kafka reader registers its consumer while it is open (``watch``/``unwatch``, two calls
in ``backend/bus/_kafka_reader.py``); ``sample`` is awaited just before the metrics are
rendered and sets ``nodeloom_kafka_consumer_lag{topic,reader}`` to the sum, over the
partitions the consumer holds, of the end of the log (asked of the broker) minus the
consumer's position (the next offset it will fetch). Fetched messages a reader holds in
its buffer (at most a batch) are not counted.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka.errors import KafkaError

from backend.observability.metrics import KAFKA_LAG

log = logging.getLogger(__name__)
TIMEOUT_S = 2.0

_watched: dict[int, tuple[Any, str, str]] = {}


def watch(consumer: Any, topic: str, reader: str) -> None:
    """Report the lag of ``consumer`` on ``topic``; ``reader`` says which kind it is."""
    _watched[id(consumer)] = (consumer, topic, reader)
    KAFKA_LAG.labels(topic, reader).set(0)


def unwatch(consumer: Any) -> None:
    entry = _watched.pop(id(consumer), None)
    if entry is not None and not any(w[1:] == entry[1:] for w in _watched.values()):
        KAFKA_LAG.remove(*entry[1:])


async def sample() -> None:
    """Set the lag gauge of every watched consumer (best effort: skips what fails)."""
    totals: dict[tuple[str, str], int] = {}
    for consumer, topic, reader in list(_watched.values()):
        lag = await _lag(consumer)
        if lag is not None:
            key = (topic, reader)
            totals[key] = totals.get(key, 0) + lag
    for (topic, reader), lag in totals.items():
        KAFKA_LAG.labels(topic, reader).set(lag)


async def _lag(consumer: Any) -> int | None:
    partitions = list(consumer.assignment())
    if not partitions:
        return None  # not assigned yet (a group still joining)
    try:
        async with asyncio.timeout(TIMEOUT_S):
            ends = await consumer.end_offsets(partitions)
            positions = [await consumer.position(tp) for tp in partitions]
    except (KafkaError, TimeoutError) as error:  # closing or rebalancing: no figure now
        log.debug("no Kafka lag this time: %r", error)
        return None
    return sum(
        max(ends[tp] - position, 0) for tp, position in zip(partitions, positions, strict=True)
    )
