"""The bus's contract as an AsyncAPI 3.0 document: topics, keys and message formats.

Built from what the bus itself uses: the channels and their names (``messages.CHANNELS``),
the models it encodes (``RunRequest``, ``ControlMessage``, every kind of ``RunEvent``),
the consumer groups (``base``) and the partitions ``KafkaSettings`` creates topics with.
So the document cannot say something the code does not send. ``GET /api/v1/asyncapi.json``
serves it and ``nodeloom asyncapi`` writes it, for consumers outside Nodeloom.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from graph_engine.events import RunEvent

from ._kafka_settings import KafkaSettings
from .base import RECORDER_GROUP, WORKERS_GROUP
from .messages import CHANNELS, CONTROL, EVENTS, REQUESTS, Channel, ControlMessage, RunRequest

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
_SCHEMAS = "#/components/schemas/{model}"

DESCRIPTION = """\
The Kafka topics between Nodeloom's API processes and its workers, for consumers \
outside Nodeloom. They exist when `NODELOOM_KAFKA_BOOTSTRAP_SERVERS` is set; every topic \
and consumer-group name starts with `NODELOOM_KAFKA_NAMESPACE` (this document shows the \
names of the deployment that served it).

What a consumer can rely on:

- **Key.** Every record's key is its message's `run_id` (UTF-8): all of a run's messages \
on a topic are on one partition, read in the order they were written there.
- **JSON values, no headers** (but a W3C `traceparent` while the producing process \
traces: `NODELOOM_OTEL_EXPORTER`). A record's value is one message as JSON (UTF-8).
- **At-least-once.** A publish that is retried (a timeout, a broker that lost the \
record) may put a message on the topic twice, and a resent record may land behind later \
ones of its run. Order a run's events by `seq` and drop duplicates by `(run_id, seq)`, \
as Nodeloom's own readers do.
- **Run events.** `seq` increases by one per event within a run: `run.queued` is 0, the \
engine starts at 1. `run.succeeded`, `run.failed` and `run.cancelled` are terminal. New \
kinds of event may join the union: ignore a `type` you do not know.
"""


@dataclass(frozen=True)
class _Operation:
    action: Literal["send", "receive"]
    channel: Channel[Any]
    description: str
    group: str | None = None
    """The consumer group (before the namespace); None: every partition, no group."""


_OPERATIONS = {
    "publishRunRequest": _Operation(
        "send",
        REQUESTS,
        "The API asks for a run (after publishing its `run.queued`); a process starting "
        "up asks again for the runs still queued.",
    ),
    "takeRunRequest": _Operation(
        "receive",
        REQUESTS,
        "Workers share the requests in one consumer group; the worker that takes a request "
        "claims the run in the database, so a request delivered twice runs once.",
        WORKERS_GROUP,
    ),
    "publishRunEvent": _Operation(
        "send",
        EVENTS,
        "The worker running a run publishes each event as the engine emits it, each "
        "acknowledged before the next; the API publishes `run.queued` and the "
        "`run.cancelled` of a run cancelled while queued; an API process publishes the "
        "`run.failed` of a run whose worker stopped responding.",
    ),
    "recordRunEvent": _Operation(
        "receive",
        EVENTS,
        "The recorder (a member in every API process) writes each event to the database, "
        "once per `(run_id, seq)`.",
        RECORDER_GROUP,
    ),
    "followRunEvents": _Operation(
        "receive",
        EVENTS,
        "Every API process reads every partition from the end, without a group, and hands "
        "the events to the run's WebSockets.",
    ),
    "publishCancel": _Operation(
        "send", CONTROL, "The API asks the worker running a run to cancel it."
    ),
    "followControl": _Operation(
        "receive",
        CONTROL,
        "Every worker reads every partition from the end, without a group; the one running "
        "the run cancels it.",
    ),
}

_CHANNEL_TEXT = {
    REQUESTS.name: ("Run requests", "Runs to execute: one message per queued run."),
    EVENTS.name: (
        "Run events",
        "Everything that happens in a run, one discriminated union on `type`.",
    ),
    CONTROL.name: ("Run control", "Instructions to the worker running a run."),
}


def event_models() -> tuple[type[BaseModel], ...]:
    """Every kind of run event, in the union's order."""
    union = typing.get_args(RunEvent)[0]  # RunEvent is Annotated[Union[...], Field(...)]
    return typing.get_args(union)


def channel_models() -> dict[str, tuple[type[BaseModel], ...]]:
    """The models each channel carries, by channel name."""
    return {
        REQUESTS.name: (RunRequest,),
        EVENTS.name: event_models(),
        CONTROL.name: (ControlMessage,),
    }


def message_name(model: type[BaseModel]) -> str:
    """A message's name: a run event's ``type`` (``run.queued``), else the model's name."""
    kind = model.model_fields.get("type")
    return kind.default if kind is not None else model.__name__


def asyncapi_document(*, version: str, namespace: str = "") -> dict[str, Any]:
    """The AsyncAPI 3.0 document of the bus for a deployment using ``namespace``."""
    models = channel_models()
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": "Nodeloom event bus", "version": version, "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "channels": {
            channel.name: _channel(channel, models[channel.name], namespace) for channel in CHANNELS
        },
        "operations": {
            name: _operation(name, operation, models, namespace)
            for name, operation in _OPERATIONS.items()
        },
        "components": {
            "messages": {
                model.__name__: _message(model)
                for channel in CHANNELS
                for model in models[channel.name]
            },
            "schemas": _schemas([model for channel in CHANNELS for model in models[channel.name]]),
            "correlationIds": {
                "runId": {
                    "description": "The run the message is about; also the record's key.",
                    "location": "$message.payload#/run_id",
                }
            },
        },
    }


def _channel(
    channel: Channel[Any], models: tuple[type[BaseModel], ...], namespace: str
) -> dict[str, Any]:
    title, description = _CHANNEL_TEXT[channel.name]
    defaults = {field.name: field.default for field in dataclasses.fields(KafkaSettings)}
    return {
        # As KafkaBus.topic names it (a test holds the two to a real broker's topics).
        "address": f"{namespace}{channel.name}",
        "title": title,
        "description": description,
        "messages": {
            model.__name__: {"$ref": f"#/components/messages/{model.__name__}"} for model in models
        },
        "bindings": {
            "kafka": {
                # What Nodeloom creates a missing topic with; an operator may create more.
                "partitions": defaults["partitions"],
                "replicas": defaults["replication_factor"],
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _operation(
    name: str,
    operation: _Operation,
    models: dict[str, tuple[type[BaseModel], ...]],
    namespace: str,
) -> dict[str, Any]:
    channel = operation.channel.name
    document: dict[str, Any] = {
        "action": operation.action,
        "channel": {"$ref": f"#/channels/{channel}"},
        "title": name,
        "description": operation.description,
        "messages": [
            {"$ref": f"#/channels/{channel}/messages/{model.__name__}"} for model in models[channel]
        ],
    }
    if operation.group is not None:
        group = {"type": "string", "const": f"{namespace}{operation.group}"}
        document["bindings"] = {
            "kafka": {"groupId": group, "bindingVersion": KAFKA_BINDING_VERSION}
        }
    return document


def _message(model: type[BaseModel]) -> dict[str, Any]:
    message: dict[str, Any] = {
        "name": message_name(model),
        "title": model.__name__,
        "contentType": "application/json",
        "payload": {"$ref": _SCHEMAS.format(model=model.__name__)},
        "correlationId": {"$ref": "#/components/correlationIds/runId"},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "The message's `run_id`, UTF-8."},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }
    if model.__doc__:
        message["summary"] = " ".join(model.__doc__.split())
    return message


def _schemas(models: list[type[BaseModel]]) -> dict[str, Any]:
    """The JSON Schemas of the messages as serialized, every shared part once, each
    ``$ref`` pointing into ``components/schemas``."""
    _, schemas = models_json_schema(
        [(model, "serialization") for model in models], ref_template=_SCHEMAS
    )
    return dict(sorted(schemas.get("$defs", {}).items()))
