"""Canvas editor performance on generated workflows of 100, 500 and 1,000 nodes.

Each workflow has 1.5x as many edges as nodes, with valid port types (a grid of text
nodes feeding prompt templates column by column, so it is also a valid DAG), and is
imported through the API. For each size the editor is opened in Debian's Chromium
(Playwright, no browser download) and measured:

- open: navigation start -> the canvas shows measured nodes and edges, plus one
  requestAnimationFrame after (the first frame a person can interact with); median of
  ``OPENS`` page loads after one warm-up load.
- pan / drag: requestAnimationFrame deltas collected in the page while the mouse drags
  the empty pane, then a node, for about two seconds each; p50 and p95 in ms.

Ratios are against the 100-node baseline measured in the same run. Targets at 1,000
nodes: open <= 1 s, p95 frame <= 16.7 ms while panning and while dragging.

The server is ``nodeloom serve`` on a throwaway SQLite database, started with the
end-to-end suite's helpers. Needs the built frontend (``npm --prefix frontend run build``).

    .venv/bin/python bench/canvas.py [SIZES...]
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))
from chromium import chromium_browser
from conftest import (
    DIST_INDEX,
    NODELOOM,
    free_port,
    running_server,
)

SIZES = (100, 500, 1000)
EDGE_FACTOR = 1.5
OPENS = 3
GESTURE_S = 2.0
VIEWPORT = {"width": 1440, "height": 900}
SPACING = (320, 200)
EMPTY_STRIP = 320
TARGET_OPEN_MS = 1000.0
TARGET_FRAME_MS = 16.7
# requestAnimationFrame timestamps are coarsened by Chromium (100 µs steps on a page that is
# not cross-origin isolated), so a frame delivered exactly on a 60 Hz vsync reads 16.6–16.8
# ms. A p95 within that step of the target is "every frame on time"; a dropped frame reads
# 33 ms.
TIMER_RESOLUTION_MS = 0.1

# Runs before the app: marks the first frame after the canvas shows measured nodes and
# edges, and offers a frame recorder (requestAnimationFrame deltas).
PROBE = """
(() => {
  const ready = () => {
    const nodes = document.querySelectorAll('.react-flow__node');
    if (nodes.length === 0 || document.querySelector('.react-flow__edge') === null) return false;
    for (const node of nodes) if (node.style.visibility === 'hidden') return false;
    return true;
  };
  const poll = () => {
    if (ready()) requestAnimationFrame(() => { window.__interactiveAt = performance.now(); });
    else requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
  window.__recordFrames = () => {
    const deltas = [];
    let last = null;
    let running = true;
    const tick = (now) => {
      if (last !== null) deltas.push(now - last);
      last = now;
      if (running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    window.__stopFrames = () => { running = false; return deltas; };
  };
})();
"""


def generated_workflow(size: int) -> dict[str, Any]:
    """`size` nodes on a grid: column 0 text nodes, then prompt templates fed from the
    previous column (input `a` from the same row, input `b` from the next row)."""
    rows = max(1, round(math.sqrt(size * 0.6)))
    edges_wanted = round(size * EDGE_FACTOR)
    position = lambda index: (index // rows, index % rows)  # noqa: E731 (column, row)
    templates = [index for index in range(size) if position(index)[0] > 0]
    # Every template gets `a`; the first `extra` templates also get `b`.
    extra = min(len(templates), max(0, edges_wanted - len(templates)))
    with_b = set(templates[:extra])
    nodes, edges = [], []
    for index in range(size):
        column, row = position(index)
        node: dict[str, Any] = {
            "id": f"n{index}",
            "position": {"x": column * SPACING[0], "y": row * SPACING[1]},
        }
        if column == 0:
            node.update(type="data.text", params={"text": f"Input {index}"})
        else:
            template = "{a} then {b}" if index in with_b else "Summarise {a}"
            node.update(type="prompt.template", params={"template": template})
        nodes.append(node)
    for index in templates:
        column, row = position(index)
        feeds = [("a", row)] + ([("b", (row + 1) % rows)] if index in with_b else [])
        for handle, source_row in feeds:
            source = (column - 1) * rows + source_row
            sourceHandle = "text" if position(source)[0] == 0 else "prompt"
            edges.append(
                {
                    "id": f"e{len(edges)}",
                    "source": f"n{source}",
                    "sourceHandle": sourceHandle,
                    "target": f"n{index}",
                    "targetHandle": handle,
                }
            )
    return {
        "format": "nodeloom.workflow",
        "version": 1,
        "name": f"Bench {size} nodes",
        "description": "Generated by bench/canvas.py",
        "nodes": nodes,
        "edges": edges,
        # The grid starts 320 px right of the pane's edge: the strip left of it is empty pane.
        "viewport": {"x": EMPTY_STRIP, "y": 40, "zoom": 0.75},
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return ordered[rank]


def open_editor(page: Page, workflow_id: str) -> float:
    page.goto(f"/workflows/{workflow_id}", wait_until="commit")
    page.wait_for_function("window.__interactiveAt !== undefined", timeout=60_000, polling=50)
    return float(page.evaluate("window.__interactiveAt"))


def gesture(page: Page, start: tuple[float, float], path: list[tuple[float, float]]) -> list[float]:
    """Press at `start`, follow `path` evenly over GESTURE_S, release; the frame deltas."""
    page.evaluate("window.__recordFrames()")
    page.mouse.move(*start)
    page.mouse.down()
    began = time.monotonic()
    for index, point in enumerate(path):
        page.mouse.move(*point)
        due = began + GESTURE_S * (index + 1) / len(path)
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    page.mouse.up()
    page.wait_for_timeout(100)
    deltas = page.evaluate("window.__stopFrames()")
    return [float(delta) for delta in deltas[1:]]  # the first frame includes the press


def loop(centre: tuple[float, float], radius: float, steps: int = 120) -> list[tuple[float, float]]:
    return [
        (
            centre[0] + radius * math.sin(2 * math.pi * i / steps),
            centre[1] + radius * (1 - math.cos(2 * math.pi * i / steps)) / 2,
        )
        for i in range(1, steps + 1)
    ]


def measure(page: Page, workflow_id: str, size: int) -> dict[str, float]:
    open_editor(page, workflow_id)  # warm-up: caches, JIT
    opens = []
    for attempt in range(OPENS):
        opens.append(open_editor(page, workflow_id))
        log(f"  {size} nodes: open {attempt + 1}/{OPENS} {opens[-1]:.0f} ms")
    page.wait_for_timeout(500)

    pane = page.locator(".react-flow__pane").bounding_box()
    assert pane is not None
    empty = (pane["x"] + EMPTY_STRIP / 2, pane["y"] + 200)
    assert page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.classList.contains('react-flow__pane')",
        list(empty),
    ), "the pan must start on empty pane"
    pan = gesture(page, empty, loop(empty, 160))
    log(f"  {size} nodes: panned, {len(pan)} frames")
    if os.environ.get("BENCH_SHOTS"):
        page.screenshot(path=f"{os.environ['BENCH_SHOTS']}/bench-{size}.png")

    node = page.locator('.react-flow__node[data-id="n1"]')
    box = node.bounding_box(timeout=5000)
    assert box is not None
    grab = (box["x"] + 60, box["y"] + 14)
    drag = gesture(page, grab, loop(grab, 140))
    log(f"  {size} nodes: dragged a node, {len(drag)} frames")
    return {
        "open": statistics.median(opens),
        "pan_p50": percentile(pan, 0.5),
        "pan_p95": percentile(pan, 0.95),
        "drag_p50": percentile(drag, 0.5),
        "drag_p95": percentile(drag, 0.95),
    }


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


COLUMNS = [
    ("open", "open ms"),
    ("pan_p50", "pan p50"),
    ("pan_p95", "pan p95"),
    ("drag_p50", "drag p50"),
    ("drag_p95", "drag p95"),
]


def report(results: dict[int, dict[str, float]]) -> bool:
    base = results[min(results)]
    header = f"{'nodes':>6} {'edges':>6} " + " ".join(f"{title:>17}" for _, title in COLUMNS)
    print(header)
    print("-" * len(header))
    for size, figures in results.items():
        cells = []
        for key, _ in COLUMNS:
            ratio = figures[key] / base[key] if base[key] else float("nan")
            cells.append(f"{figures[key]:8.1f} ({ratio:4.2f}x)")
        print(
            f"{size:>6} {round(size * EDGE_FACTOR):>6} " + " ".join(f"{cell:>17}" for cell in cells)
        )
    largest = results[max(results)]
    checks = [
        (f"open <= {TARGET_OPEN_MS:.0f} ms", largest["open"] <= TARGET_OPEN_MS),
        (
            f"pan p95 <= {TARGET_FRAME_MS} ms (±{TIMER_RESOLUTION_MS} ms timer step)",
            largest["pan_p95"] <= TARGET_FRAME_MS + TIMER_RESOLUTION_MS,
        ),
        (
            f"drag p95 <= {TARGET_FRAME_MS} ms (±{TIMER_RESOLUTION_MS} ms timer step)",
            largest["drag_p95"] <= TARGET_FRAME_MS + TIMER_RESOLUTION_MS,
        ),
    ]
    print(f"\nTargets at {max(results)} nodes (ratios are against {min(results)} nodes, same run):")
    for label, ok in checks:
        print(f"  {'met ' if ok else 'MISSED'} {label}")
    return all(ok for _, ok in checks)


def main(sizes: tuple[int, ...] = SIZES) -> int:
    if not DIST_INDEX.is_file():
        log(f"{DIST_INDEX} is missing: run `npm --prefix frontend run build` first.")
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="nodeloom-bench-canvas-"))
    port = free_port()
    command = [
        str(NODELOOM),
        "serve",
        "--port",
        str(port),
        "--database-url",
        f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
    ]
    env = {**os.environ, "NODELOOM_DATA_DIR": str(workdir)}
    results: dict[int, dict[str, float]] = {}
    try:
        log("starting nodeloom serve ...")
        with (
            running_server(command, port, env, workdir / "server.log") as url,
            chromium_browser() as browser,
        ):
            for size in sizes:
                context = browser.new_context(base_url=url, viewport=VIEWPORT)
                context.add_init_script(PROBE)
                response = context.request.post(
                    "/api/v1/workflows/import", data=generated_workflow(size)
                )
                assert response.ok, response.text()
                workflow = response.json()
                errors = [p for p in workflow.get("problems") or [] if p["severity"] == "error"]
                assert not errors, errors[:3]
                log(f"{size} nodes: imported as {workflow['id']}")
                results[size] = measure(context.new_page(), workflow["id"], size)
                context.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main(tuple(int(arg) for arg in sys.argv[1:]) or SIZES))
