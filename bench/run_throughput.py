"""Completed runs per second on the embedded default (SQLite, in-process bus, the worker
inside the API process), for a five-node no-model workflow at concurrency 16 and 64.

Two ways of using a run, each from ``concurrency`` client loops on keep-alive
connections: one request that starts the run and waits for its end (``POST
/workflows/{id}/runs?wait=60``, answered 200 when it succeeded), and, as the canvas
does, starting the run and following its events on the WebSocket until
``run.succeeded``. The baseline, measured the same way against the same kind of server,
is a bare request (``GET /api/v1/health``): the ratio printed is how many bare requests
one run costs.
The server is ``nodeloom serve`` in a subprocess (its own core, like ``make run``), with
``NODELOOM_WORKER_CONCURRENCY`` set to the client concurrency; its CPU time per run is
printed too, and how much of it the kernel took (socket reads and writes, mostly).

Target: ≥ 250 runs/s (the figure n8n publishes for one instance).

Then the same two ways of using a run on the distributed set-up — one ``nodeloom serve``
and one ``nodeloom worker`` on PostgreSQL with Tansu (memory storage) between them — and
its runs/s against the embedded default's at the same concurrency, measured in this same
process (target: ≥ 0.8× embedded per worker). ``--only embedded`` or ``--only
distributed`` measures one set-up (the ratio needs both).

Last, the floor this machine puts under one run: the server CPU of a bare request plus
the CPU the engine takes to run the same workflow on LangGraph, compiled once, its
events dropped (measured in this process), and the runs per second one core would give
if a run cost nothing else (no database, no bus, no recorder, no waiting). LangGraph
alone running the five nodes written by hand, one graph node each, is printed beside
it: the engine runs a chain as one graph node (``graph_engine.compile``), so it takes
less than that.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from services.databases import create_database  # noqa: E402
from services.kafka import KafkaServer, start_kafka  # noqa: E402
from services.nodeloom import serve, worker  # noqa: E402
from services.postgres import PostgresServer, start_postgres  # noqa: E402

from backend.db.migrate import upgrade_database  # noqa: E402

API = "/api/v1"
DURATION_S = 8.0
WARM_UP_S = 1.5
CONCURRENCIES = (16, 64)
TARGET = 250
DISTRIBUTED_TARGET = 0.8


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


@contextmanager
def embedded_server(data_dir: Path, concurrency: int) -> Iterator[tuple[str, list[int]]]:
    """The embedded default: its base URL and the pid whose CPU is counted."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # this checkout's code
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
    try:
        deadline = time.monotonic() + 60
        while not _healthy(base):
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.1)
        yield base, [process.pid]
    finally:
        process.terminate()
        process.wait(timeout=30)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}{API}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def distributed_server(
    data_dir: Path, concurrency: int, broker: KafkaServer, postgres: PostgresServer
) -> Iterator[tuple[str, list[int]]]:
    """One API replica and one worker on a database of their own: the API's base URL and
    both pids (their CPU is counted together)."""
    url = asyncio.run(create_database(postgres.admin_url, f"throughput_{uuid.uuid4().hex[:8]}"))
    asyncio.run(upgrade_database(url))
    env = {
        "PYTHONPATH": str(ROOT),
        "NODELOOM_DATABASE_URL": url,
        "NODELOOM_DATA_DIR": str(data_dir),
        "NODELOOM_FRONTEND_DIR": str(data_dir / "no-frontend"),
        "NODELOOM_LOG_LEVEL": "warning",
        "NODELOOM_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "NODELOOM_KAFKA_NAMESPACE": f"bench{uuid.uuid4().hex[:8]}.",
        "NODELOOM_SECRET_KEY": "bench-secret-key-shared-by-every-process-01",
        "NODELOOM_EMBEDDED_WORKER": "false",
        "NODELOOM_WORKER_CONCURRENCY": str(concurrency),
    }
    api = serve(free_port(), env, data_dir, "api")
    runner = worker({**env, "NODELOOM_LOG_LEVEL": "info"}, data_dir, "worker")  # says ready at info
    try:
        api.start()
        runner.start()
        assert api.process is not None and runner.process is not None
        yield api.base_url, [api.process.pid, runner.process.pid]
    finally:
        runner.stop()
        api.stop()


class HttpConnection:
    """One keep-alive HTTP/1.1 connection: just enough client for JSON requests.

    httpx spends several milliseconds of CPU per request at this rate, so with it the
    client, not the server, would set the pace on a 2-core machine."""

    def __init__(self, base: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self._address = (host, int(port))
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(
        self, method: str, path: str, payload: dict | None = None
    ) -> tuple[int, dict]:
        if self._streams is None:
            self._streams = await asyncio.open_connection(*self._address)
        reader, writer = self._streams
        body = b"" if payload is None else json.dumps(payload).encode()
        writer.write(
            f"{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in header_lines if ": " in line)
        content = await reader.readexactly(int(headers["content-length"]))
        return int(status_line.split()[1]), json.loads(content)

    async def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()


async def run_and_wait(http: HttpConnection, _ws_base: str, workflow_id: str) -> None:
    """One request per run: start it and hold the response until it ended."""
    status, run = await http.request(
        "POST", f"{API}/workflows/{workflow_id}/runs?wait=60", {"inputs": {"text": "go"}}
    )
    if status != 200 or run["status"] != "succeeded":
        raise SystemExit(f"run ended {status} {run.get('status')}: {run}")


async def run_and_watch(http: HttpConnection, ws_base: str, workflow_id: str) -> None:
    """As the canvas does: start the run, then follow every event on its WebSocket."""
    status, run = await http.request(
        "POST", f"{API}/workflows/{workflow_id}/runs", {"inputs": {"text": "go"}}
    )
    if status != 202:
        raise SystemExit(f"starting a run answered {status}: {run}")
    async with websockets.connect(f"{ws_base}{API}/runs/{run['id']}/events") as ws:
        async for message in ws:
            event = json.loads(message)
            if event["type"] in ("run.succeeded", "run.failed", "run.cancelled"):
                if event["type"] != "run.succeeded":
                    raise SystemExit(f"run {run['id']} ended {event['type']}: {event['data']}")
                break


async def bare_request(http: HttpConnection, _ws_base: str, _workflow_id: str) -> None:
    """The baseline: the same client asking the same server for its health, no run."""
    status, _ = await http.request("GET", f"{API}/health")
    if status != 200:
        raise SystemExit(f"the health check answered {status}")


RunOnce = Callable[[HttpConnection, str, str], Awaitable[None]]
BASELINE = "bare request (GET /health, the baseline)"
MODES: dict[str, RunOnce] = {
    BASELINE: bare_request,
    "start with ?wait (one request per run)": run_and_wait,
    "start, then watch on the WebSocket": run_and_watch,
}


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system (kernel) CPU time of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / ticks, int(fields[12]) / ticks


async def measure(
    base: str, run_once: RunOnce, concurrency: int, pids: list[int]
) -> tuple[float, list[float], float, float]:
    """Runs per second, each run's latency, and the server's CPU and kernel seconds per run."""
    ws_base = base.replace("http://", "ws://")
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        created = await client.post(f"{API}/workflows", json={"name": "Bench"})
        workflow_id = created.json()["id"]
        saved = await client.put(
            f"{API}/workflows/{workflow_id}", json=chain(5), headers={"If-Match": "1"}
        )
        saved.raise_for_status()
    # The embedded worker imports the engine in the background after start-up and takes
    # no run before: the first run waits for that, so none of it is measured.
    first = HttpConnection(base)
    await run_once(first, ws_base, workflow_id)
    await first.close()
    latencies: list[float] = []
    counting = False
    stop_at = time.monotonic() + WARM_UP_S + DURATION_S

    async def loop() -> None:
        http = HttpConnection(base)
        try:
            while time.monotonic() < stop_at:
                began = time.perf_counter()
                await run_once(http, ws_base, workflow_id)
                if counting:
                    latencies.append(time.perf_counter() - began)
        finally:
            await http.close()

    loops = [asyncio.create_task(loop()) for _ in range(concurrency)]
    await asyncio.sleep(WARM_UP_S)
    counting = True
    began, (user_began, kernel_began) = time.monotonic(), cpu_of(pids)
    await asyncio.sleep(DURATION_S)
    user, kernel = cpu_of(pids)
    measured, user, kernel = time.monotonic() - began, user - user_began, kernel - kernel_began
    done = len(latencies)  # now: the runs still going finish below, outside the window
    await asyncio.gather(*loops)
    per_run = max(done, 1)
    return done / measured, latencies, (user + kernel) / per_run, kernel / per_run


def cpu_of(pids: list[int]) -> tuple[float, float]:
    user_and_kernel = [cpu_seconds(pid) for pid in pids]
    return sum(user for user, _ in user_and_kernel), sum(kernel for _, kernel in user_and_kernel)


async def cpu_ms_per_call(call: Callable[[], Awaitable[Any]], repeat: int = 2000) -> float:
    """CPU ms per awaited ``call()``, after a warm-up."""
    for _ in range(repeat // 10):
        await call()
    began = time.process_time()
    for _ in range(repeat):
        await call()
    return (time.process_time() - began) * 1000 / repeat


async def engine_and_langgraph_ms_per_run() -> tuple[float, float]:
    """CPU ms per run of the five-node chain: through the engine (compiled once, events
    dropped), and as the hand-written LangGraph graph of ``bench/engine_overhead.py``."""
    from engine_overhead import NullSink, raw_small_graph  # imports this module: load lazily

    from graph_engine.compile import compile_workflow
    from graph_engine.document import parse_document
    from graph_engine.runner import run

    compiled = compile_workflow(parse_document(chain(5)))
    engine_ms = await cpu_ms_per_call(lambda: run(compiled, {"text": "go"}, NullSink()))
    graph = raw_small_graph()
    langgraph_ms = await cpu_ms_per_call(lambda: graph.ainvoke({"text": "go", "outputs": {}}))
    return engine_ms, langgraph_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--only", choices=["embedded", "distributed"], help="one set-up")
    args = parser.parse_args()
    print(__doc__.strip().splitlines()[0])
    print(f"before: {load()}")
    results: dict[tuple[str, int], float] = {}
    if args.only != "distributed":
        embedded(results)
    if args.only != "embedded":
        distributed(results)
    print(f"after: {load()}")
    print(
        "summary: "
        + "; ".join(f"{mode.split(' (')[0]} c={c}: {r:.1f}/s" for (mode, c), r in results.items())
    )


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def embedded(results: dict[tuple[str, int], float]) -> None:
    bare_cpu_ms = []
    for mode, run_once in MODES.items():
        print(f"— embedded: {mode}")
        for concurrency in CONCURRENCIES:
            with (
                tempfile.TemporaryDirectory(prefix="nodeloom-bench-") as data_dir,
                embedded_server(Path(data_dir), concurrency) as (base, pids),
            ):
                rate, latencies, cpu_per_run, kernel_per_run = asyncio.run(
                    measure(base, run_once, concurrency, pids)
                )
            results[mode, concurrency] = rate
            if mode == BASELINE:
                bare_cpu_ms.append(cpu_per_run * 1000)
                print(
                    f"  concurrency {concurrency:>3}: {rate:7.1f} requests/s, server CPU "
                    f"{cpu_per_run * 1000:.2f} ms per request ({kernel_per_run * 1000:.2f} ms "
                    "in the kernel)",
                    flush=True,
                )
                continue
            verdict = "meets" if rate >= TARGET else "MISSES"
            cost = results[BASELINE, concurrency] / rate
            line = describe(rate, latencies, cpu_per_run, kernel_per_run)
            print(
                f"  concurrency {concurrency:>3}: {line}, one run costs {cost:.0f}× a bare "
                f"request — {verdict} the {TARGET}/s target",
                flush=True,
            )
    engine_ms, langgraph_ms = asyncio.run(engine_and_langgraph_ms_per_run())
    floor_ms = min(bare_cpu_ms) + engine_ms
    print(
        f"floor: a bare request ({min(bare_cpu_ms):.2f} ms) + the engine running the five "
        f"nodes ({engine_ms:.2f} ms) = {floor_ms:.2f} ms of CPU per run, at most "
        f"{1000 / floor_ms:.0f} runs/s on one core if nothing else cost anything (LangGraph "
        f"alone, the five nodes written by hand as five graph nodes: {langgraph_ms:.2f} ms)"
    )


def distributed(results: dict[tuple[str, int], float]) -> None:
    broker, postgres = start_kafka(), start_postgres()
    try:
        for mode, run_once in MODES.items():
            if mode == BASELINE:
                continue
            print(f"— distributed (1 API + 1 worker, PostgreSQL, Tansu): {mode}")
            for concurrency in CONCURRENCIES:
                with (
                    tempfile.TemporaryDirectory(prefix="nodeloom-bench-") as data_dir,
                    distributed_server(Path(data_dir), concurrency, broker, postgres) as (
                        base,
                        pids,
                    ),
                ):
                    rate, latencies, cpu_per_run, kernel_per_run = asyncio.run(
                        measure(base, run_once, concurrency, pids)
                    )
                results[f"distributed: {mode}", concurrency] = rate
                line = describe(rate, latencies, cpu_per_run, kernel_per_run)
                embedded_rate = results.get((mode, concurrency))
                if embedded_rate:
                    ratio = rate / embedded_rate
                    verdict = "meets" if ratio >= DISTRIBUTED_TARGET else "MISSES"
                    line += f", {ratio:.2f}× embedded — {verdict} the {DISTRIBUTED_TARGET}× target"
                print(f"  concurrency {concurrency:>3}: {line}", flush=True)
    finally:
        broker.stop()
        postgres.stop()


def describe(rate: float, latencies: list[float], cpu_per_run: float, kernel: float) -> str:
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    return (
        f"{rate:7.1f} runs/s ({len(latencies)} runs), start→end p50 {p50:.1f} ms, p99 "
        f"{p99:.1f} ms, server CPU {cpu_per_run * 1000:.2f} ms per run "
        f"({kernel * 1000:.2f} ms in the kernel)"
    )


if __name__ == "__main__":
    main()
