"""Engine overhead per node against a hand-written LangGraph graph of the same shape.

Shapes: a chain of N no-op nodes, and a fan-out (one root → N−2 parallel nodes → one
join), for N = 10, 100, 1,000. The baseline is what a person would write by hand with
LangGraph: the same ``StateGraph``, the same ``{node: outputs}`` state and reducer,
async no-op nodes, ``add_edge([...], join)`` for the join — but no events, no input
gathering, no output checks. Both run in this process, interleaved (which side goes
first alternates), after a warm-up. The engine side runs a precompiled workflow through
``runner.run`` with a sink that drops events (events are still built, numbered, queued
and handed to the sink); validation and compilation are timed separately.

Noise control, identical for both sides: every sample is timed with the process's CPU
clock (``time.process_time``: time other processes take on a busy machine is not
counted; the engine neither sleeps nor waits on I/O, so nothing of its own is hidden),
and starts after a ``gc.collect()``, so neither side pays for garbage-collector debt the
other left behind (a full collection costs tens of milliseconds in a process that has
imported LangGraph). Collections a side triggers itself are still counted. The wall
clock is measured too and its median ratio printed last. ``ratio(med)`` — the median
engine sample over the median raw sample — is the figure the target applies to.

Target: engine ≤ 1.25× raw LangGraph per node at N = 100.

The engine runs a chain (each node the only input of the next) as one graph node, where
the hand-written graph has one per node (see ``graph_engine.compile``): on the chain
shape the engine is therefore faster than the baseline, and the fan-out shape, which has
nothing to join into a chain, is the figure of the engine's own cost per node.

Small workflows: the five-node chain of ``bench/run_throughput.py`` (``io.input`` → 3 ×
``prompt.template`` → ``io.output``, real registry node types) against a hand-written
five-node ``StateGraph`` doing the same trivial work (read the input, fill ``{x}.``
three times, pass the value on). This is the engine's fixed per-run cost, measured the
same way (CPU clock, ``gc.collect()`` before each sample, interleaved), in ms per run.

Target: engine ≤ 1.3× raw LangGraph per run for the five-node chain.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, TypedDict

from langgraph.graph import START, StateGraph
from run_throughput import chain  # bench/ is on sys.path: this script's own folder

from graph_engine.compile import compile_workflow
from graph_engine.document import parse_document
from graph_engine.nodes.base import NodeContext, NodeType, Port, PortType
from graph_engine.registry import Registry, default_registry
from graph_engine.runner import run

BENCH = Registry("bench", parent=default_registry())
SIZES = (10, 100, 1000)
ROUNDS = 15
WARMUP = 2
SMALL_REPEAT = 300
SMALL_TEMPLATES = 3


class NoOp(NodeType, registry=BENCH):
    type_id = "bench.noop"
    title = "No-op"
    category = "Bench"
    inputs = (Port("in", PortType.ANY, required=False, multiple=True),)
    outputs = (Port("out", PortType.ANY),)

    async def run(self, ctx: NodeContext, inputs: Mapping[str, Any], params: Any) -> dict:
        return {"out": None}


class NullSink:
    async def emit(self, event: Any) -> None:
        return None


def shape(kind: str, n: int) -> list[tuple[str, str]]:
    if kind == "chain":
        return [(f"n{i}", f"n{i + 1}") for i in range(n - 1)]
    middle = [f"n{i}" for i in range(1, n - 1)]
    return [("n0", m) for m in middle] + [(m, f"n{n - 1}") for m in middle]


def document(n: int, edges: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "format": "nodeloom.workflow",
        "version": 1,
        "name": "bench",
        "nodes": [
            {"id": f"n{i}", "type": "bench.noop", "position": {"x": i, "y": 0}} for i in range(n)
        ],
        "edges": [
            {"id": f"e{i}", "source": s, "sourceHandle": "out", "target": t, "targetHandle": "in"}
            for i, (s, t) in enumerate(edges)
        ],
    }


def merge(left: dict, right: dict) -> dict:
    return {**left, **right}


class State(TypedDict):
    outputs: Annotated[dict[str, dict[str, Any]], merge]


def raw_graph(n: int, edges: list[tuple[str, str]]) -> Any:
    builder = StateGraph(State)
    for i in range(n):
        name = f"n{i}"

        async def node(state: State, name: str = name) -> dict:
            return {"outputs": {name: {"out": None}}}

        builder.add_node(name, node)
    before: dict[str, list[str]] = {f"n{i}": [] for i in range(n)}
    for source, target in edges:
        before[target].append(source)
    for target, sources in before.items():
        builder.add_edge(
            START if not sources else sources if len(sources) > 1 else sources[0], target
        )
    return builder.compile()


def small_document() -> dict[str, Any]:
    """The throughput bench's workflow: io.input → 3 × prompt.template → io.output."""
    return chain(SMALL_TEMPLATES + 2)


class SmallState(TypedDict):
    text: str
    outputs: Annotated[dict[str, dict[str, Any]], merge]


def raw_small_graph() -> Any:
    """The same five nodes by hand: read the input, fill ``{x}.`` thrice, pass it on."""
    builder = StateGraph(SmallState)

    async def read_input(state: SmallState) -> dict:
        return {"outputs": {"in": {"value": state["text"]}}}

    builder.add_node("in", read_input)
    builder.add_edge(START, "in")
    previous, port = "in", "value"
    for index in range(SMALL_TEMPLATES):
        name = f"t{index}"

        async def fill(
            state: SmallState, source: str = previous, port: str = port, name: str = name
        ) -> dict:
            text = state["outputs"][source][port]
            return {"outputs": {name: {"prompt": "{x}.".replace("{x}", text)}}}

        builder.add_node(name, fill)
        builder.add_edge(previous, name)
        previous, port = name, "prompt"

    async def write_output(state: SmallState, source: str = previous) -> dict:
        return {"outputs": {"out": {}}}

    builder.add_node("out", write_output)
    builder.add_edge(previous, "out")
    return builder.compile()


async def timed(make_run: Any) -> tuple[float, float]:
    """``(cpu seconds, wall seconds)`` of one sample, started with a clean GC slate."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    await make_run()
    return time.process_time() - cpu, time.perf_counter() - wall


@dataclass
class Samples:
    """CPU and wall seconds of each sample, per side."""

    raw: list[float] = field(default_factory=list)
    engine: list[float] = field(default_factory=list)
    raw_wall: list[float] = field(default_factory=list)
    engine_wall: list[float] = field(default_factory=list)

    def summary(self, scale: float, unit: str) -> dict[str, float]:
        """Best and median CPU time of each side times ``scale``, keyed by ``unit``."""
        return {
            f"raw_{unit}": min(self.raw) * scale,
            f"engine_{unit}": min(self.engine) * scale,
            f"raw_median_{unit}": statistics.median(self.raw) * scale,
            f"engine_median_{unit}": statistics.median(self.engine) * scale,
            "wall_ratio_median": statistics.median(self.engine_wall)
            / statistics.median(self.raw_wall),
        }


async def interleaved(raw_side: Any, engine_side: Any, rounds: int) -> Samples:
    """Warm both sides up, then sample them in turn (which goes first alternates)."""
    for _ in range(WARMUP):
        await timed(raw_side)
        await timed(engine_side)
    samples = Samples()
    for index in range(rounds):
        sides = [
            (raw_side, samples.raw, samples.raw_wall),
            (engine_side, samples.engine, samples.engine_wall),
        ]
        for side, cpu_samples, wall_samples in sides if index % 2 == 0 else sides[::-1]:
            cpu, wall = await timed(side)
            cpu_samples.append(cpu)
            wall_samples.append(wall)
    return samples


async def measure(kind: str, n: int) -> dict[str, float]:
    edges = shape(kind, n)
    data = document(n, edges)
    began = time.perf_counter()
    compiled = compile_workflow(parse_document(data), BENCH)
    compile_s = time.perf_counter() - began
    graph = raw_graph(n, edges)
    rounds = ROUNDS if n <= 100 else 5
    repeat = max(1, 3000 // n)

    def raw_side() -> Any:
        return _repeat(repeat, lambda: graph.ainvoke({"outputs": {}}))

    def engine_side() -> Any:
        return _repeat(repeat, lambda: run(compiled, {}, NullSink()))

    samples = await interleaved(raw_side, engine_side, rounds)
    return {
        **samples.summary(1e6 / (n * repeat), "us"),
        "compile_ms": compile_s * 1000,
    }


async def measure_small() -> dict[str, float]:
    """ms per run of the five-node chain: engine (``runner.run``) and raw LangGraph."""
    compiled = compile_workflow(parse_document(small_document()))
    graph = raw_small_graph()
    inputs = {"text": "hello"}

    def raw_side() -> Any:
        return _repeat(SMALL_REPEAT, lambda: graph.ainvoke({"text": "hello", "outputs": {}}))

    def engine_side() -> Any:
        return _repeat(SMALL_REPEAT, lambda: run(compiled, inputs, NullSink()))

    samples = await interleaved(raw_side, engine_side, ROUNDS)
    return samples.summary(1000 / SMALL_REPEAT, "ms")


def print_small(r: dict[str, float]) -> None:
    print(
        f"{'small':8} {'nodes':>6} {'raw ms/run':>11} {'engine ms/run':>14} {'ratio':>6} "
        f"{'raw ms(med)':>12} {'engine ms(med)':>15} {'ratio(med)':>10} {'wall ratio(med)':>15}"
    )
    print(
        f"{'chain':8} {SMALL_TEMPLATES + 2:>6} {r['raw_ms']:>11.3f} {r['engine_ms']:>14.3f} "
        f"{r['engine_ms'] / r['raw_ms']:>5.2f}× {r['raw_median_ms']:>12.3f} "
        f"{r['engine_median_ms']:>15.3f} {r['engine_median_ms'] / r['raw_median_ms']:>9.2f}× "
        f"{r['wall_ratio_median']:>14.2f}×",
        flush=True,
    )


async def _repeat(times: int, make: Any) -> None:
    for _ in range(times):
        await make()


async def main() -> None:
    print("  measuring the five-node chain…", file=sys.stderr, flush=True)
    print_small(await measure_small())
    if "--small" in sys.argv[1:]:
        return
    print(
        f"{'shape':8} {'nodes':>6} {'raw µs/node':>12} {'engine µs/node':>15} "
        f"{'extra µs':>9} {'ratio':>6} {'ratio(med)':>10} {'validate+compile':>17} "
        f"{'wall ratio(med)':>15}"
    )
    print(
        "(CPU time; µs columns and ratio: best of the interleaved rounds; "
        "ratio(med): median vs median)"
    )
    for kind in ("chain", "fanout"):
        for n in SIZES:
            print(f"  measuring {kind} × {n}…", file=sys.stderr, flush=True)
            r = await measure(kind, n)
            ratio, ratio_med = (
                r["engine_us"] / r["raw_us"],
                r["engine_median_us"] / r["raw_median_us"],
            )
            print(
                f"{kind:8} {n:>6} {r['raw_us']:>12.1f} {r['engine_us']:>15.1f} "
                f"{r['engine_us'] - r['raw_us']:>9.1f} {ratio:>5.2f}× {ratio_med:>9.2f}× "
                f"{r['compile_ms']:>14.1f} ms {r['wall_ratio_median']:>14.2f}×",
                flush=True,
            )


if __name__ == "__main__":
    asyncio.run(main())
