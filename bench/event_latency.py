"""Latency from the engine emitting a run event to a WebSocket client receiving it, through
Kafka (Tansu) and through the in-process bus, in the same run, and the ratio.

Each set-up is the real deployment, in its own processes: the embedded default is one
``nodeloom serve`` (SQLite, in-process bus, worker inside); the distributed one is a
``nodeloom serve`` replica and a ``nodeloom worker`` on PostgreSQL with the broker
between them (the worker publishes, the replica's follower forwards). A workflow streams
tokens from a small fake OpenAI server (one token every few ms); each event's latency is
the client's clock at receipt minus the event's ``ts`` (stamped by the engine when it
emitted the event; one machine, one clock). Only live events count (not the replay).

Tansu answers a fetch when its wait (``fetch_max_wait_ms``: 1 ms for the replica's
follower) runs out rather than as soon as a record arrives, as Apache Kafka does; that
wait is part of these figures.

Targets: through Kafka p50 ≤ 5 ms, p99 ≤ 20 ms.

``--hops`` also prints where the time goes, hop by hop: the processes are started with a
``sitecustomize`` that wraps the engine's sink, aiokafka's producer and client, the
follower, the hub and the WebSocket sender, and notes a wall-clock timestamp at each
(so its figures carry that tracing's own cost). ``--only kafka`` or ``--only memory``
measures one set-up.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "backend")]

import httpx  # noqa: E402
import websockets  # noqa: E402
from fakes.openai_server import fake_openai  # noqa: E402
from run_support import create_workflow, free_port, slow_chat, start_run  # noqa: E402
from services.databases import create_database  # noqa: E402
from services.kafka import start_kafka  # noqa: E402
from services.nodeloom import NodeloomProcess, serve, worker  # noqa: E402
from services.postgres import start_postgres  # noqa: E402

from backend.db.migrate import upgrade_database  # noqa: E402

RUNS = 16
"""Runs per concurrency (at 16 at once: one round of 16)."""
CONCURRENCY = (1, 16)
TOKENS = 100
TOKEN_DELAY_MS = 5
TARGET_P50_MS, TARGET_P99_MS = 5.0, 20.0
TRACE_ENV = "NODELOOM_HOP_TRACE"


class Trace:
    """Where the processes note their hop timestamps (``--hops``), and the client's own."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="nodeloom-hops-"))
        source = inspect.getsource(_install_hop_hooks)
        (self.directory / "sitecustomize.py").write_text(f"{source}\n_install_hop_hooks()\n")
        self.received: dict[tuple[str, int], float] = {}

    def env(self) -> dict[str, str]:
        return {TRACE_ENV: str(self.directory), "PYTHONPATH": f"{self.directory}:{ROOT}"}

    def notes(self) -> list[dict[str, Any]]:
        notes = []
        for path in self.directory.glob("*.jsonl"):
            notes += [json.loads(line) for line in path.read_text().splitlines() if line]
        return notes


async def measure(
    label: str, processes: list[NodeloomProcess], openai_url: str, trace: Trace | None
) -> dict[int, list[float]]:
    """Start ``processes``, run the workflow at each concurrency, stop them.

    Runs are started through the first API process and watched through the last (with two
    replicas: the other one, so every event crosses between processes)."""
    apis = [process for process in processes if process.port is not None]
    starter, watcher = apis[0], apis[-1]
    latencies: dict[int, list[float]] = {}
    try:
        await asyncio.gather(*(asyncio.to_thread(process.start) for process in processes))
        async with httpx.AsyncClient(base_url=starter.base_url, timeout=30) as client:
            workflow = slow_chat(openai_url, TOKENS, TOKEN_DELAY_MS)
            workflow_id = await create_workflow(client, workflow)
            for concurrency in CONCURRENCY:
                measured = latencies[concurrency] = []
                for _round in range(max(RUNS // concurrency, 1)):

                    async def one() -> list[float]:
                        run_id = await start_run(client, workflow_id, question="latency?")
                        return await _watch(watcher.ws_base, run_id, skip_replay=True, trace=trace)

                    for got in await asyncio.gather(*(one() for _ in range(concurrency))):
                        measured += got
                print(f"  {label}: {concurrency} at once, {len(measured)} events", flush=True)
    finally:
        await asyncio.gather(*(asyncio.to_thread(process.stop) for process in processes))
    return latencies


def environment(directory: Path, database_url: str, trace: Trace | None) -> dict[str, str]:
    return {
        "PYTHONPATH": str(ROOT),  # the processes run this checkout's code
        "NODELOOM_DATABASE_URL": database_url,
        "NODELOOM_DATA_DIR": str(directory),
        "NODELOOM_FRONTEND_DIR": str(directory / "no-frontend"),
        "NODELOOM_LOG_LEVEL": "warning",
        **(trace.env() if trace else {}),
    }


async def embedded(openai_url: str, trace: Trace | None) -> dict[int, list[float]]:
    directory = Path(tempfile.mkdtemp(prefix="nodeloom-latency-"))
    url = f"sqlite+aiosqlite:///{directory}/nodeloom.db"
    await upgrade_database(url)
    env = environment(directory, url, trace)
    return await measure("in-process", [serve(free_port(), env, directory)], openai_url, trace)


async def distributed(
    openai_url: str, bootstrap_servers: str, admin_url: str, trace: Trace | None
) -> dict[int, list[float]]:
    directory = Path(tempfile.mkdtemp(prefix="nodeloom-latency-"))
    url = await create_database(admin_url, f"latency_{uuid.uuid4().hex[:8]}")
    await upgrade_database(url)
    env = {
        **environment(directory, url, trace),
        "NODELOOM_KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers,
        "NODELOOM_SECRET_KEY": "bench-secret-key-shared-by-every-process-01",
        "NODELOOM_KAFKA_NAMESPACE": f"bench{uuid.uuid4().hex[:8]}.",
        "NODELOOM_EMBEDDED_WORKER": "false",
    }
    processes = [
        serve(free_port(), env, directory, "api-1"),
        serve(free_port(), env, directory, "api-2"),
        # A worker says it is ready at info level.
        worker({**env, "NODELOOM_LOG_LEVEL": "info"}, directory, "worker-1"),
        worker({**env, "NODELOOM_LOG_LEVEL": "info"}, directory, "worker-2"),
    ]
    return await measure("kafka", processes, openai_url, trace)


async def _watch(ws_base: str, run_id: str, skip_replay: bool, trace: Trace | None) -> list[float]:
    latencies = []
    received_at: dict[tuple[str, int], float] = {}
    url = f"{ws_base}/api/v1/runs/{run_id}/events"
    async with websockets.connect(url) as socket:
        try:
            async for message in socket:
                received = datetime.now(UTC)
                event = json.loads(message)
                if event["type"] == "node.token":  # live once tokens flow
                    ts = datetime.fromisoformat(event["ts"].replace("Z", "+00:00"))
                    latencies.append((received - ts).total_seconds() * 1000)
                    received_at[run_id, event["seq"]] = received.timestamp()
        except websockets.ConnectionClosed:
            pass
    if trace is not None:
        live = sorted(received_at.items(), key=lambda item: item[0][1])
        trace.received.update(live[5:] if skip_replay else live)
    return latencies[5:] if skip_replay else latencies  # the first may be replayed


def summary(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered), ordered[max(int(len(ordered) * 0.99) - 1, 0)]


def _install_hop_hooks() -> None:  # pragma: no cover - runs in the traced processes
    """Wrap the hops of the event path to note when each event passes (``--hops``).

    Written into the traced processes' ``sitecustomize`` (so it imports what it needs).
    """
    import json
    import os
    import time

    out = open(  # noqa: SIM115 - open for the life of the process, line-buffered
        os.path.join(os.environ["NODELOOM_HOP_TRACE"], f"{os.getpid()}.jsonl"), "a", buffering=1
    )

    def note(kind: str, **fields: object) -> None:
        out.write(json.dumps({"k": kind, "t": time.time(), **fields}) + "\n")

    def ident(value: bytes | None) -> tuple[str, int] | None:
        try:
            event = json.loads(value or b"")
            return event["run_id"], event["seq"]
        except (ValueError, KeyError, TypeError):
            return None

    from aiokafka import AIOKafkaProducer
    from aiokafka.client import AIOKafkaClient

    client_send = AIOKafkaClient.send

    async def traced_client_send(self, node_id, request, **kwargs):  # type: ignore[no-untyped-def]
        sent = time.time()
        response = await client_send(self, node_id, request, **kwargs)
        if type(request).__name__.startswith("FetchRequest"):
            offsets = {(t, p): o for t, ps in request.topics for p, o, *_ in ps}
            data = [
                [t, p, high, offsets.get((t, p)), len(rest[-1] or b"")]
                for t, ps in response.topics
                for p, _error, high, *rest in ps
                if rest and rest[-1]
            ]
            note("fetch", client=self._client_id, sent=sent, data=data)
        elif type(request).__name__.startswith("ProduceRequest"):
            note("produce", client=self._client_id, sent=sent)
        return response

    AIOKafkaClient.send = traced_client_send

    producer_send = AIOKafkaProducer.send

    async def traced_producer_send(self, topic, value=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        entered = time.time()
        future = await producer_send(self, topic, value, *args, **kwargs)
        key = ident(value) if topic.endswith("run-events") else None
        if key is not None:
            note("send", run=key[0], seq=key[1], entered=entered)

            def acked(done, key=key):  # type: ignore[no-untyped-def]
                if not done.cancelled() and done.exception() is None:
                    meta = done.result()
                    note("ack", run=key[0], seq=key[1], p=meta.partition, o=meta.offset)

            future.add_done_callback(acked)
        return future

    AIOKafkaProducer.send = traced_producer_send

    from backend.worker.sink import PublishingSink

    sink_emit = PublishingSink.emit

    async def traced_sink_emit(self, event):  # type: ignore[no-untyped-def]
        note("sink", run=event.run_id, seq=event.seq, ts=event.ts.timestamp())
        await sink_emit(self, event)
        note("sunk", run=event.run_id, seq=event.seq)

    PublishingSink.emit = traced_sink_emit

    from backend.bus._kafka_follow import Follower

    fill = Follower._fill

    async def traced_fill(self):  # type: ignore[no-untyped-def]
        before = len(self._buffer)
        await fill(self)
        if self._topic.endswith("run-events"):
            for record in list(self._buffer)[before:]:
                key = ident(record.value)
                if key is not None:
                    note("got", run=key[0], seq=key[1])

    Follower._fill = traced_fill

    from backend.ws.hub import Hub

    hub_publish = Hub.publish

    def traced_hub_publish(self, event):  # type: ignore[no-untyped-def]
        note("hub", run=event.run_id, seq=event.seq)
        hub_publish(self, event)

    Hub.publish = traced_hub_publish

    from backend.ws import router

    async def traced_send_all(websocket, stream):  # type: ignore[no-untyped-def]
        run_id = websocket.path_params.get("run_id")
        async for item in stream:
            note("ws", run=run_id, seq=item.seq)
            await websocket.send_text(item.text)
            router.observe_event_lag(item.ts)

    router._send_all = traced_send_all


HOPS = [
    ("emit → sink (engine pump)", "ts", "sink"),
    ("sink → producer.send", "sink", "send.entered"),
    ("producer.send (append)", "send.entered", "send"),
    ("appended → produce request out", "send", "produce.sent"),
    ("produce request → ack", "produce.sent", "ack"),
    ("ack → pump resumes", "ack", "sunk"),
    ("ack → fetch response in", "ack", "fetch"),
    ("  (fetch sent → ack)", "fetch.sent", "ack"),
    ("fetch response → getmany out", "fetch", "got"),
    ("getmany → hub", "got", "hub"),
    ("hub → WS send", "hub", "ws"),
    ("WS send → client", "ws", "client"),
    ("total: emit → client", "ts", "client"),
]


def hop_breakdown(trace: Trace) -> None:
    """Print each hop's p50/p99 (ms) for the events the client received live."""
    notes = trace.notes()
    stamps: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    for (run, seq), at in trace.received.items():
        stamps[run, seq]["client"] = at
    produces = sorted(n["sent"] for n in notes if n["k"] == "produce")
    fetches: dict[int, list[tuple[float, float, int, int]]] = defaultdict(list)
    for n in notes:
        if n["k"] == "fetch" and n["client"].endswith("-follower"):
            for topic, partition, high, offset, _size in n["data"]:
                if topic.endswith("run-events"):
                    fetches[partition].append((n["t"], n["sent"], offset, high))
    where: dict[tuple[str, int], tuple[int, int]] = {}
    for n in notes:
        key = (n.get("run"), n.get("seq"))
        if key not in stamps:
            continue
        if n["k"] == "sink":
            stamps[key]["ts"] = n["ts"]
        if n["k"] == "send":
            stamps[key]["send.entered"] = n["entered"]
        if n["k"] == "ack":
            where[key] = (n["p"], n["o"])
        stamps[key].setdefault(n["k"], n["t"])  # the first copy of each
    for key, (partition, offset) in where.items():
        for received, sent, start, high in sorted(fetches[partition]):
            if start <= offset < high:
                stamps[key]["fetch"], stamps[key]["fetch.sent"] = received, sent
                break
    for stamp in stamps.values():
        if "send" in stamp:
            after = [t for t in produces if t >= stamp["send"]]
            if after:
                stamp["produce.sent"] = after[0]
    print(f"  {'hop':34} {'p50':>7} {'p90':>7} {'p99':>7}   events")
    for label, start, end in HOPS:
        spans = sorted(
            (s[end] - s[start]) * 1000 for s in stamps.values() if start in s and end in s
        )
        if not spans:
            continue
        p50 = statistics.median(spans)
        p90 = spans[int(len(spans) * 0.9) - 1] if len(spans) >= 10 else spans[-1]
        p99 = spans[max(int(len(spans) * 0.99) - 1, 0)]
        print(f"  {label:34} {p50:7.2f} {p90:7.2f} {p99:7.2f}   {len(spans)}")


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--hops", action="store_true", help="print a per-hop breakdown")
    parser.add_argument("--only", choices=["kafka", "memory"], help="measure one set-up")
    args = parser.parse_args()
    print(__doc__.strip().splitlines()[0])
    print(f"before: {load()}")
    started = time.monotonic()
    broker = start_kafka()
    postgres = start_postgres()
    memory_trace = Trace() if args.hops else None
    kafka_trace = Trace() if args.hops else None
    memory: dict[int, list[float]] = {}
    kafka: dict[int, list[float]] = {}
    try:
        with fake_openai() as openai_url:
            if args.only != "kafka":
                memory = await embedded(openai_url, memory_trace)
            if args.only != "memory":
                kafka = await distributed(
                    openai_url, broker.bootstrap_servers, postgres.admin_url, kafka_trace
                )
    finally:
        broker.stop()
        postgres.stop()
    print(f"after {time.monotonic() - started:.0f} s: {load()}")
    for label, trace in (("in-process bus", memory_trace), ("kafka (tansu)", kafka_trace)):
        if trace is not None and trace.received:
            print(f"{label}, hop by hop (ms, with tracing):")
            hop_breakdown(trace)
    met = True
    for concurrency in CONCURRENCY:
        figures = {}
        for label, measured in (
            ("in-process bus", memory),
            ("kafka (tansu), 2 API + 2 workers", kafka),
        ):
            if measured.get(concurrency):
                p50, p99 = figures[label] = summary(measured[concurrency])
                count = len(measured[concurrency])
                print(
                    f"{concurrency:2} at once, {label}: p50 {p50:.2f} ms, p99 {p99:.2f} ms "
                    f"({count} events)"
                )
        if len(figures) == 2:
            (memory_p50, memory_p99), (kafka_p50, kafka_p99) = figures.values()
            print(
                f"{concurrency:2} at once, ratio kafka / in-process: p50 "
                f"{kafka_p50 / memory_p50:.1f}×, p99 {kafka_p99 / memory_p99:.1f}×"
            )
        if kafka.get(concurrency):
            kafka_p50, kafka_p99 = summary(kafka[concurrency])
            met = met and kafka_p50 <= TARGET_P50_MS and kafka_p99 <= TARGET_P99_MS
    if kafka:
        print(
            f"target through Kafka p50 ≤ {TARGET_P50_MS:g} ms, p99 ≤ {TARGET_P99_MS:g} ms "
            f"at 1 and 16 at once: {'met' if met else 'NOT met'}"
        )


if __name__ == "__main__":
    asyncio.run(main())
