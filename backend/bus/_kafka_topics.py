"""Creates the bus's topics when they are missing (at start, and after a broker lost them)."""

from __future__ import annotations

import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from ._kafka_settings import KafkaSettings
from .base import BusError

log = logging.getLogger(__name__)


class TopicKeeper:
    def __init__(self, admin: AIOKafkaAdminClient, settings: KafkaSettings, names: list[str]):
        self._admin = admin
        self._settings = settings
        self.names = names

    async def ensure(self) -> list[str]:
        """Create whichever of the topics is missing; return the names created."""
        existing = set(await self._admin.list_topics())
        missing = [name for name in self.names if name not in existing]
        if not missing:
            return []
        new = [
            NewTopic(name, self._settings.partitions, self._settings.replication_factor)
            for name in missing
        ]
        response = await self._admin.create_topics(new)
        created = []
        for topic, code, message in (error[:3] for error in response.topic_errors):
            if code == 0:
                created.append(topic)
            elif for_code(code) is not TopicAlreadyExistsError:
                raise BusError(
                    f"cannot create Kafka topic {topic}: {for_code(code).__name__}"
                    f" {message or ''}".rstrip()
                )
        if created:
            log.info("created Kafka topics %s", ", ".join(created))
        return created
