"""Completed runs per second on the embedded default (SQLite, in-process bus, the worker
inside the API process), for a five-node no-model workflow at concurrency 16 and 64.

Each client loop starts a run over HTTP (``POST /workflows/{id}/runs``) and waits for
its terminal event on the WebSocket, then starts the next one; a run counts when its
``run.succeeded`` arrived. The server is uvicorn in a subprocess (its own core, like
``make run``), with ``NODELOOM_WORKER_CONCURRENCY`` set to the client concurrency.

Target: ≥ 250 runs/s (the figure n8n publishes for one instance).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import websockets

API = "/api/v1"
DURATION_S = 8.0
WARM_UP_S = 1.5
CONCURRENCIES = (16, 64)
TARGET = 250


def chain(length: int) -> dict:
    """io.input → (length − 2) prompt.templates → io.output."""

    def node(node_id: str, node_type: str, **params: str) -> dict:
        return {"id": node_id, "type": node_type, "position": {"x": 0, "y": 0}, "params": params}

    def link(edge_id: str, source: str, out: str, target: str, into: str) -> dict:
        return {
            "id": edge_id,
            "source": source,
            "sourceHandle": out,
            "target": target,
            "targetHandle": into,
        }

    nodes = [node("in", "io.input", name="text")]
    edges = []
    previous, port = "in", "value"
    for index in range(length - 2):
        nodes.append(node(f"t{index}", "prompt.template", template="{x}."))
        edges.append(link(f"e{index}", previous, port, f"t{index}", "x"))
        previous, port = f"t{index}", "prompt"
    nodes.append(node("out", "io.output", name="result"))
    edges.append(link("e-out", previous, port, "out", "value"))
    return {
        "format": "nodeloom.workflow",
        "version": 1,
        "name": "Bench chain",
        "description": "",
        "nodes": nodes,
        "edges": edges,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(data_dir: Path, concurrency: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),  # this checkout's code
        "NODELOOM_DATA_DIR": str(data_dir),
        "NODELOOM_WORKER_CONCURRENCY": str(concurrency),
        "NODELOOM_LOG_LEVEL": "warning",
    }
    env.pop("NODELOOM_KAFKA_BOOTSTRAP_SERVERS", None)
    env.pop("NODELOOM_DATABASE_URL", None)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "nodeloom"), "serve", "--port", str(port)], env=env
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}{API}/health", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


async def one_run(client: httpx.AsyncClient, ws_base: str, workflow_id: str) -> float:
    began = time.perf_counter()
    response = await client.post(
        f"{API}/workflows/{workflow_id}/runs", json={"inputs": {"text": "go"}}
    )
    response.raise_for_status()
    run_id = response.json()["id"]
    async with websockets.connect(f"{ws_base}{API}/runs/{run_id}/events") as ws:
        async for message in ws:
            event = json.loads(message)
            if event["type"] in ("run.succeeded", "run.failed", "run.cancelled"):
                if event["type"] != "run.succeeded":
                    raise SystemExit(f"run {run_id} ended {event['type']}: {event['data']}")
                break
    return time.perf_counter() - began


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(base: str, concurrency: int, pid: int) -> tuple[float, list[float], float]:
    ws_base = base.replace("http://", "ws://")
    limits = httpx.Limits(max_connections=concurrency * 2)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        created = await client.post(f"{API}/workflows", json={"name": "Bench"})
        workflow_id = created.json()["id"]
        saved = await client.put(
            f"{API}/workflows/{workflow_id}", json=chain(5), headers={"If-Match": "1"}
        )
        saved.raise_for_status()
        latencies: list[float] = []
        counting = False
        stop_at = time.monotonic() + WARM_UP_S + DURATION_S

        async def loop() -> None:
            while time.monotonic() < stop_at:
                latency = await one_run(client, ws_base, workflow_id)
                if counting:
                    latencies.append(latency)

        loops = [asyncio.create_task(loop()) for _ in range(concurrency)]
        await asyncio.sleep(WARM_UP_S)
        counting = True
        began, cpu_began = time.monotonic(), cpu_seconds(pid)
        await asyncio.sleep(DURATION_S)
        measured, cpu = time.monotonic() - began, cpu_seconds(pid) - cpu_began
        done = len(latencies)
        await asyncio.gather(*loops)
    return done / measured, latencies, cpu / max(done, 1)


def main() -> None:
    print(__doc__.strip().splitlines()[0])
    results = {}
    for concurrency in CONCURRENCIES:
        with tempfile.TemporaryDirectory(prefix="nodeloom-bench-") as data_dir:
            process, base = start_server(Path(data_dir), concurrency)
            try:
                print(
                    f"concurrency {concurrency}: warming up {WARM_UP_S:g} s, measuring "
                    f"{DURATION_S:g} s …",
                    flush=True,
                )
                rate, latencies, cpu_per_run = asyncio.run(measure(base, concurrency, process.pid))
            finally:
                process.terminate()
                process.wait(timeout=30)
        latencies.sort()
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        results[concurrency] = rate
        verdict = "meets" if rate >= TARGET else "MISSES"
        print(
            f"concurrency {concurrency:>3}: {rate:7.1f} runs/s ({len(latencies)} runs), "
            f"start→run.succeeded p50 {p50:.1f} ms, p99 {p99:.1f} ms, server CPU "
            f"{cpu_per_run * 1000:.1f} ms per run — {verdict} the "
            f"{TARGET}/s target",
            flush=True,
        )
    print("summary: " + ", ".join(f"c={c}: {r:.1f} runs/s" for c, r in results.items()))


if __name__ == "__main__":
    main()
