"""Latency from the engine emitting a run event to a WebSocket client receiving it, through
Kafka (Tansu) and through the in-process bus, in the same run, and the ratio.

Both set-ups are the real server (uvicorn, the app with its worker, recorder, follower
and hub) on SQLite; the Kafka one has a broker between the worker and the follower. A
workflow streams tokens from a small fake OpenAI server (one token every few ms); each
event's latency is the client's clock at receipt minus the event's ``ts`` (stamped by
the engine when it emitted the event). Only live events count (not the replay).

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

import websockets  # noqa: E402
from api_support import make_settings  # noqa: E402
from fake_openai import fake_openai  # noqa: E402
from run_support import create_workflow, live_server, slow_chat, start_run  # noqa: E402
from services.kafka import start_kafka  # noqa: E402

from backend.db.migrate import upgrade_database  # noqa: E402

RUNS = 6
TOKENS = 100
TOKEN_DELAY_MS = 5
TARGET_P50_MS, TARGET_P99_MS = 5.0, 20.0


async def measure(label: str, overrides: dict, openai_url: str) -> list[float]:
    directory = Path(tempfile.mkdtemp(prefix="nodeloom-latency-"))
    url = f"sqlite+aiosqlite:///{directory}/nodeloom.db"
    await upgrade_database(url)
    latencies: list[float] = []
    settings = make_settings(directory, url, **overrides)
    async with live_server(settings) as server, server.client() as client:
        workflow_id = await create_workflow(client, slow_chat(openai_url, TOKENS, TOKEN_DELAY_MS))
        for index in range(RUNS):
            run_id = await start_run(client, workflow_id, question="latency?")
            latencies += await _watch(server.ws_base, run_id, skip_replay=True)
            print(f"  {label}: run {index + 1}/{RUNS}, {len(latencies)} events", flush=True)
    return latencies


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
    try:
        with fake_openai() as openai_url:
            memory = await measure("in-process", {}, openai_url)
            kafka = await measure(
                "kafka",
                {
                    "kafka_bootstrap_servers": broker.bootstrap_servers,
                    "kafka_namespace": f"bench{uuid.uuid4().hex[:8]}.",
                    "kafka_session_timeout_ms": 1500,
                    "embedded_worker": True,
                },
                openai_url,
            )
    finally:
        broker.stop()
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
