"""Latency from the engine emitting a run event to a WebSocket client receiving it, through
Kafka (Tansu) and through the in-process bus, in the same run, and the ratio.

Each set-up is the real deployment, in its own processes: the embedded default is one
``nodeloom serve`` (SQLite, in-process bus, worker inside); the distributed one is a
``nodeloom serve`` replica and a ``nodeloom worker`` on PostgreSQL with the broker
between them (the worker publishes, the replica's follower forwards). A workflow streams
tokens from a small fake OpenAI server (one token every few ms); each event's latency is
the client's clock at receipt minus the event's ``ts`` (stamped by the engine when it
emitted the event; one machine, one clock). Only live events count (not the replay).

Tansu answers a fetch when its wait (``fetch_max_wait_ms``, 5 ms) runs out rather than
as soon as a record arrives, as Apache Kafka does; that wait is part of these figures.

Targets: through Kafka p50 ≤ 5 ms, p99 ≤ 20 ms.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "backend")]

import httpx  # noqa: E402
import websockets  # noqa: E402
from fake_openai import fake_openai  # noqa: E402
from run_support import create_workflow, free_port, slow_chat, start_run  # noqa: E402
from services.databases import create_database  # noqa: E402
from services.kafka import start_kafka  # noqa: E402
from services.nodeloom import NodeloomProcess, serve, worker  # noqa: E402
from services.postgres import start_postgres  # noqa: E402

from backend.db.migrate import upgrade_database  # noqa: E402

RUNS = 6
TOKENS = 100
TOKEN_DELAY_MS = 5
TARGET_P50_MS, TARGET_P99_MS = 5.0, 20.0


async def measure(label: str, processes: list[NodeloomProcess], openai_url: str) -> list[float]:
    """Start ``processes`` (the first serves the API), run the workflow, stop them."""
    for process in processes:
        await asyncio.to_thread(process.start)
    latencies: list[float] = []
    api = processes[0]
    try:
        async with httpx.AsyncClient(base_url=api.base_url, timeout=30) as client:
            workflow = slow_chat(openai_url, TOKENS, TOKEN_DELAY_MS)
            workflow_id = await create_workflow(client, workflow)
            for index in range(RUNS):
                run_id = await start_run(client, workflow_id, question="latency?")
                latencies += await _watch(api.ws_base, run_id, skip_replay=True)
                print(f"  {label}: run {index + 1}/{RUNS}, {len(latencies)} events", flush=True)
    finally:
        for process in processes:
            await asyncio.to_thread(process.stop)
    return latencies


def environment(directory: Path, database_url: str) -> dict[str, str]:
    return {
        "PYTHONPATH": str(ROOT),  # the processes run this checkout's code
        "NODELOOM_DATABASE_URL": database_url,
        "NODELOOM_DATA_DIR": str(directory),
        "NODELOOM_FRONTEND_DIR": str(directory / "no-frontend"),
        "NODELOOM_LOG_LEVEL": "warning",
    }


async def embedded(openai_url: str) -> list[float]:
    directory = Path(tempfile.mkdtemp(prefix="nodeloom-latency-"))
    url = f"sqlite+aiosqlite:///{directory}/nodeloom.db"
    await upgrade_database(url)
    env = environment(directory, url)
    return await measure("in-process", [serve(free_port(), env, directory)], openai_url)


async def distributed(openai_url: str, bootstrap_servers: str, admin_url: str) -> list[float]:
    directory = Path(tempfile.mkdtemp(prefix="nodeloom-latency-"))
    url = await create_database(admin_url, f"latency_{uuid.uuid4().hex[:8]}")
    await upgrade_database(url)
    env = {
        **environment(directory, url),
        "NODELOOM_KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers,
        "NODELOOM_KAFKA_NAMESPACE": f"bench{uuid.uuid4().hex[:8]}.",
        "NODELOOM_EMBEDDED_WORKER": "false",
    }
    processes = [serve(free_port(), env, directory), worker(env, directory)]
    return await measure("kafka", processes, openai_url)


async def _watch(ws_base: str, run_id: str, skip_replay: bool) -> list[float]:
    latencies = []
    url = f"{ws_base}/api/v1/runs/{run_id}/events"
    async with websockets.connect(url) as socket:
        try:
            async for message in socket:
                received = datetime.now(UTC)
                event = json.loads(message)
                if event["type"] == "node.token":  # live once tokens flow
                    ts = datetime.fromisoformat(event["ts"].replace("Z", "+00:00"))
                    latencies.append((received - ts).total_seconds() * 1000)
        except websockets.ConnectionClosed:
            pass
    return latencies[5:] if skip_replay else latencies  # the first may be replayed


def summary(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered), ordered[max(int(len(ordered) * 0.99) - 1, 0)]


async def main() -> None:
    print(__doc__.strip().splitlines()[0])
    broker = start_kafka()
    postgres = start_postgres()
    try:
        with fake_openai() as openai_url:
            memory = await embedded(openai_url)
            kafka = await distributed(openai_url, broker.bootstrap_servers, postgres.admin_url)
    finally:
        broker.stop()
        postgres.stop()
    memory_p50, memory_p99 = summary(memory)
    kafka_p50, kafka_p99 = summary(kafka)
    print(
        f"in-process bus: p50 {memory_p50:.2f} ms, p99 {memory_p99:.2f} ms ({len(memory)} events)"
    )
    print(f"kafka (tansu):  p50 {kafka_p50:.2f} ms, p99 {kafka_p99:.2f} ms ({len(kafka)} events)")
    print(
        f"ratio kafka / in-process: p50 {kafka_p50 / memory_p50:.1f}×, p99 "
        f"{kafka_p99 / memory_p99:.1f}×"
    )
    verdict = kafka_p50 <= TARGET_P50_MS and kafka_p99 <= TARGET_P99_MS
    print(
        f"target through Kafka p50 ≤ {TARGET_P50_MS:g} ms, p99 ≤ {TARGET_P99_MS:g} ms: "
        f"{'met' if verdict else 'NOT met'}"
    )


if __name__ == "__main__":
    asyncio.run(main())
