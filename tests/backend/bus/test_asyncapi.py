"""The bus's AsyncAPI document holds to the AsyncAPI 3.0 JSON Schema, to the messages a
real run sends, and to the topics and keys on a real broker.

The JSON Schema is the AsyncAPI Initiative's own (npm ``@asyncapi/specs``, a devDependency
of the frontend that ``make test`` installs): no package on PyPI ships it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from api_support import document, node
from bus_support import request, until
from fakes.openai_server import fake_openai
from fastapi import FastAPI
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from run_support import API, create_workflow, greeting, link, slow_chat, start_run, wait_for_run

from backend.api.asyncapi_body import served_asyncapi
from backend.bus import KafkaBus, KafkaSettings
from backend.bus.asyncapi import asyncapi_document
from backend.bus.base import RECORDER_GROUP, WORKERS_GROUP
from backend.bus.messages import CHANNELS, CONTROL, EVENTS, REQUESTS, Channel, ControlMessage
from graph_engine.events import TERMINAL_TYPES, events_json_schema, queued_event

REPO_ROOT = Path(__file__).resolve().parents[3]
ASYNCAPI_SCHEMA = REPO_ROOT / "frontend/node_modules/@asyncapi/specs/schemas/3.0.0.json"
DOCUMENT_URI = "urn:nodeloom:asyncapi"
# Every kind of event but the two no run below can cause (a skipped or cached node).
EVERY_KIND_A_RUN_SENDS = set(events_json_schema()["discriminator"]["mapping"]) - {
    "node.skipped",
    "node.cached",
}


def official_schema() -> dict[str, Any]:
    if not ASYNCAPI_SCHEMA.is_file():
        pytest.fail(
            f"{ASYNCAPI_SCHEMA.relative_to(REPO_ROOT)} is missing: it comes with the frontend's "
            "devDependencies (`make frontend`, or `npm --prefix frontend ci`)",
            pytrace=False,
        )
    return json.loads(ASYNCAPI_SCHEMA.read_text(encoding="utf-8"))


def payload_errors(doc: dict[str, Any], message: str, payload: Any) -> list[str]:
    """Where ``payload`` breaks the schema of ``components/messages/<message>``."""
    registry = Registry().with_resource(DOCUMENT_URI, Resource(doc, specification=DRAFT7))
    pointer = f"{DOCUMENT_URI}#/components/messages/{message}/payload"
    validator = Draft7Validator({"$ref": pointer}, registry=registry)
    return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(payload)]


def described_message(doc: dict[str, Any], channel: str, payload: dict[str, Any]) -> str:
    """The channel's message ``payload`` is (a run event's by its ``type``), by component name."""
    described = doc["channels"][channel]["messages"]
    names = {resolve(doc, ref["$ref"])["name"]: kind for kind, ref in described.items()}
    return next(iter(names.values())) if len(names) == 1 else names[payload["type"]]


def references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("$ref"), str):
            yield value["$ref"]
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def resolve(doc: dict[str, Any], reference: str) -> Any:
    assert reference.startswith("#/"), reference
    target: Any = doc
    for part in reference[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target


# The document itself


def test_the_document_is_valid_asyncapi_3():
    doc = asyncapi_document(version="1.2.3", namespace="acme.")

    errors = [
        f"{error.json_path}: {error.message[:200]}"
        for error in Draft7Validator(official_schema()).iter_errors(doc)
    ]

    assert doc["asyncapi"] == "3.0.0"
    assert not errors, "\n".join(errors)


def test_a_document_the_schema_refuses_is_refused():
    """The check has teeth: an AsyncAPI 2 habit and an OpenAPI one both fail it."""
    doc = asyncapi_document(version="1.2.3")
    doc["operations"]["publishRunRequest"]["action"] = "publish"
    doc["components"]["schemas"]["RunRequest"]["discriminator"] = {"propertyName": "run_id"}

    errors = list(Draft7Validator(official_schema()).iter_errors(doc))

    assert len(errors) == 2


def test_every_reference_resolves_and_operations_name_their_channels_messages():
    doc = asyncapi_document(version="1.2.3")

    for reference in references(doc):
        resolve(doc, reference)  # KeyError names the one that does not
    for name, operation in doc["operations"].items():
        channel = operation["channel"]["$ref"]
        for message in operation["messages"]:
            assert message["$ref"].startswith(f"{channel}/messages/"), (name, message)


def test_every_channel_of_the_bus_and_every_kind_of_event_is_described():
    doc = asyncapi_document(version="1.2.3", namespace="acme.")
    union = events_json_schema()
    kinds = {ref.rsplit("/", 1)[1] for ref in union["discriminator"]["mapping"].values()}

    assert set(doc["channels"]) == {channel.name for channel in CHANNELS}
    described = doc["channels"][EVENTS.name]["messages"]
    assert set(described) == kinds
    names = {doc["components"]["messages"][kind]["name"] for kind in kinds}
    assert names == set(union["discriminator"]["mapping"])


def test_event_schemas_are_the_ones_the_frontend_types_come_from():
    doc = asyncapi_document(version="1.2.3")
    frontend = json.loads(
        json.dumps(events_json_schema()["$defs"]).replace("#/$defs/", "#/components/schemas/")
    )

    for name, schema in frontend.items():
        assert doc["components"]["schemas"][name] == schema, name


def test_names_follow_the_namespace_as_the_kafka_bus_uses_them():
    settings = KafkaSettings(bootstrap_servers="broker.invalid:9092", namespace="acme.")
    bus = KafkaBus(settings)  # never started: only its names are asked
    doc = asyncapi_document(version="1.2.3", namespace="acme.")
    groups = {
        name: operation["bindings"]["kafka"]["groupId"]["const"]
        for name, operation in doc["operations"].items()
        if "bindings" in operation
    }

    for channel in CHANNELS:
        assert doc["channels"][channel.name]["address"] == bus.topic(channel)
    assert groups == {
        "takeRunRequest": bus.group(WORKERS_GROUP),
        "recordRunEvent": bus.group(RECORDER_GROUP),
    }


# What a run sends, through the in-process bus of the embedded default


@pytest.fixture(scope="module")
def openai_url() -> Iterator[str]:
    with fake_openai() as url:
        yield url


async def _collect(subscription: AsyncIterator[Any], into: list[Any]) -> None:
    async for message in subscription:
        into.append(message)


async def _three_runs(client: httpx.AsyncClient, openai_url: str) -> list[str]:
    """One succeeds, one fails at its model, one is cancelled while its model streams."""
    failing = document(
        "Failing",
        [
            node("q", "io.input", name="question"),
            node(
                "llm", "model.chat", provider="openai_compatible", model="fail", base_url=openai_url
            ),
            node("out", "io.output", name="answer"),
        ],
        [link("e1", "q", "llm", "value", "prompt"), link("e2", "llm", "out", "text", "value")],
    )
    slow = await create_workflow(client, slow_chat(openai_url, tokens=400, delay_ms=20))
    cancelled = await start_run(client, slow, question="why?")
    succeeded = await start_run(client, await create_workflow(client, greeting()), name="Ada")
    failed = await start_run(client, await create_workflow(client, failing), question="?")
    await _until_a_token(client, cancelled)
    response = await client.post(f"{API}/runs/{cancelled}/cancel")
    assert response.status_code == 202, response.text
    for run_id in (cancelled, succeeded, failed):
        await wait_for_run(client, run_id)
    return [succeeded, failed, cancelled]


async def _until_a_token(client: httpx.AsyncClient, run_id: str) -> None:
    async with asyncio.timeout(30):
        while True:
            response = await client.get(f"{API}/runs/{run_id}/events", params={"limit": 1000})
            if any(event["type"] == "node.token" for event in response.json()["items"]):
                return
            await asyncio.sleep(0.02)


async def test_every_message_a_run_sends_matches_its_schema(
    app: FastAPI, client: httpx.AsyncClient, openai_url: str
):
    bus = app.state.runtime.bus
    doc = served_asyncapi(app)
    # The in-process bus drops a record once every group that exists has read it, so the
    # workers' group (joined once the engine is warm) must exist before this test's own.
    await wait_for_run(
        client, await start_run(client, await create_workflow(client, greeting()), name="warm")
    )
    sent: dict[str, list[Any]] = {channel.name: [] for channel in CHANNELS}
    async with (
        bus.requests(group="asyncapi-contract") as requests,
        bus.follow_events() as events,
        bus.follow_control() as control,
    ):
        readers = [
            asyncio.create_task(_collect(reader, sent[channel.name]))
            for reader, channel in ((requests, REQUESTS), (events, EVENTS), (control, CONTROL))
        ]
        run_ids = await _three_runs(client, openai_url)
        await until(lambda: _ended(sent[EVENTS.name]) >= set(run_ids), "the readers catch up")
        for reader in readers:
            reader.cancel()

    kinds = {event.type for event in sent[EVENTS.name]}
    assert kinds >= EVERY_KIND_A_RUN_SENDS, EVERY_KIND_A_RUN_SENDS - kinds
    assert {request.run_id for request in sent[REQUESTS.name]} >= set(run_ids)
    assert [message.run_id for message in sent[CONTROL.name]] == [run_ids[2]]
    problems = []
    for channel in CHANNELS:
        for message in sent[channel.name]:
            problems += _wire_problems(doc, channel, message)
    assert not problems, "\n".join(problems[:20])


def _ended(events: list[Any]) -> set[str]:
    return {event.run_id for event in events if event.type in TERMINAL_TYPES}


def _wire_problems(doc: dict[str, Any], channel: Channel[Any], message: Any) -> list[str]:
    """What is wrong with ``message`` as the bus puts it on the wire (value and key)."""
    payload = json.loads(channel.encode(message))
    name = described_message(doc, channel.name, payload)
    problems = [f"{channel.name} {name}: {e}" for e in payload_errors(doc, name, payload)]
    if channel.key(message) != payload["run_id"].encode():
        problems.append(f"{channel.name} {name}: its key is not its run_id")
    return problems


# Topics and keys on a real broker


async def test_topics_and_keys_on_the_broker_are_the_documented_ones(
    kafka_settings: KafkaSettings,
):
    doc = asyncapi_document(version="1.2.3", namespace=kafka_settings.namespace)
    run_id = "run-contract-1"
    sent = {
        REQUESTS.name: request(run_id),
        EVENTS.name: queued_event(run_id, workflow_id="wf"),
        CONTROL.name: ControlMessage(run_id=run_id),
    }
    async with KafkaBus(kafka_settings) as bus:  # creates the topics
        await bus.publish_request(sent[REQUESTS.name])
        await bus.publish_event(sent[EVENTS.name])
        await bus.publish_control(sent[CONTROL.name])

    topics = await _topics_with_prefix(kafka_settings)
    records = await _records(kafka_settings, sorted(topics), count=3)

    addresses = {channel["address"]: name for name, channel in doc["channels"].items()}
    assert topics == set(addresses)
    for record in records:
        channel = addresses[record.topic]
        assert record.key == run_id.encode() and not record.headers, record
        payload = json.loads(record.value)
        assert payload == json.loads(sent[channel].model_dump_json())  # the message, bare
        assert payload_errors(doc, described_message(doc, channel, payload), payload) == []


async def _topics_with_prefix(settings: KafkaSettings) -> set[str]:
    admin = AIOKafkaAdminClient(**settings.client_options())
    await admin.start()
    try:
        return {name for name in await admin.list_topics() if name.startswith(settings.namespace)}
    finally:
        await admin.close()


async def _records(settings: KafkaSettings, topics: list[str], count: int) -> list[Any]:
    """The first ``count`` records of ``topics``, read raw as any Kafka client would."""
    consumer = AIOKafkaConsumer(
        *topics, **settings.client_options(), group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    records: list[Any] = []
    try:
        async with asyncio.timeout(15):
            while len(records) < count:
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    records.extend(batch)
    finally:
        await consumer.stop()
    return records
