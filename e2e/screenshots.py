"""Editor screenshots for the README: a 20-node workflow with a finished run on the canvas,
in the light and the dark theme.

Drives the real app (``nodeloom serve`` on a throwaway SQLite database, the built
frontend) in Debian's Chromium, exactly like the end-to-end tests: imports the workflow,
lays it out, runs it with the inputs' defaults (the examples use the offline local models,
so a run takes 10-60 s here), waits for the run to finish, and writes
``docs/screenshots/editor-light.png`` and ``editor-dark.png``.

    npm --prefix frontend run build && .venv/bin/python e2e/screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chromium import chromium_browser
from conftest import NODELOOM, REPO, free_port, running_server

OUT = REPO / "docs" / "screenshots"
VIEWPORT = {"width": 1600, "height": 940}
RUN_TIMEOUT_MS = 300_000
PAN_DOWN = 56
FINISHED = re.compile(r"^(Succeeded|Failed|Cancelled)$")


def twenty_node_workflow() -> dict:
    """The RAG example and the router example side by side (11 + 9 nodes)."""
    rag = json.loads((REPO / "examples" / "rag.nodeloom.json").read_text())
    router = json.loads((REPO / "examples" / "router.nodeloom.json").read_text())
    top = max(node["position"]["y"] for node in rag["nodes"]) + 260
    left = min(node["position"]["x"] for node in router["nodes"])
    for node in router["nodes"]:
        node["id"] = f"r_{node['id']}"
        node["position"] = {"x": node["position"]["x"] - left, "y": node["position"]["y"] + top}
    for edge in router["edges"]:
        edge.update(
            id=f"r_{edge['id']}", source=f"r_{edge['source']}", target=f"r_{edge['target']}"
        )
    return {
        **rag,
        "name": "Support assistant",
        "description": "Answers from the help centre, routed by intent",
        "nodes": rag["nodes"] + router["nodes"],
        "edges": rag["edges"] + router["edges"],
        "credentials": rag.get("credentials", [])
        + [c for c in router.get("credentials", []) if c not in rag.get("credentials", [])],
    }


def shoot(page: Page, path: Path) -> None:
    page.mouse.move(5, VIEWPORT["height"] - 5)
    page.wait_for_timeout(400)
    page.screenshot(path=str(path))
    print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")


def run_to_the_end(page: Page) -> str:
    """Start a run with the inputs' defaults; wait until it finishes; its outcome."""
    page.get_by_role("button", name="Run", exact=True).click()
    dialog = page.get_by_role("dialog", name="Run workflow")
    dialog.get_by_role("button", name="Run", exact=True).click()
    expect(dialog).to_have_count(0)
    outcome = page.get_by_role("region", name="Current run").get_by_text(FINISHED)
    expect(outcome).to_be_visible(timeout=RUN_TIMEOUT_MS)
    return outcome.inner_text()


def clear_the_run_bar(page: Page) -> None:
    """Pan the fitted view down a little, so the run bar floating at the top covers no node."""
    pane = page.locator(".react-flow__pane").bounding_box()
    assert pane is not None
    for fx, fy in [(0.8, 0.45), (0.9, 0.3), (0.6, 0.9), (0.05, 0.3)]:
        point = (pane["x"] + pane["width"] * fx, pane["y"] + pane["height"] * fy)
        on_pane = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y)?.classList.contains('react-flow__pane')",
            list(point),
        )
        if on_pane:
            page.mouse.move(*point)
            page.mouse.down()
            page.mouse.move(point[0], point[1] + PAN_DOWN, steps=8)
            page.mouse.up()
            return


def main(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="nodeloom-shots-"))
    port = free_port()
    command = [
        str(NODELOOM),
        "serve",
        "--port",
        str(port),
        "--database-url",
        f"sqlite+aiosqlite:///{workdir / 'shots.db'}",
    ]
    env = {**os.environ, "NODELOOM_DATA_DIR": str(workdir)}
    try:
        with (
            running_server(command, port, env, workdir / "server.log") as url,
            chromium_browser() as browser,
        ):
            context = browser.new_context(base_url=url, viewport=VIEWPORT, device_scale_factor=1)
            response = context.request.post("/api/v1/workflows/import", data=twenty_node_workflow())
            assert response.ok, response.text()
            workflow = response.json()
            page = context.new_page()
            page.goto(f"/workflows/{workflow['id']}")
            canvas = page.get_by_label("Workflow canvas")
            expect(canvas).to_be_visible()
            page.get_by_role("button", name="Fit view").click()
            outcome = run_to_the_end(page)
            print(f"run finished: {outcome}")
            if outcome != "Succeeded":
                print(f"warning: the run shown did not succeed; see {workdir / 'server.log'}")
            # Laid out after the run: nodes have grown by their output previews by then.
            page.get_by_role("button", name="Auto-layout").click()
            page.get_by_role("button", name="Fit view").click()
            clear_the_run_bar(page)
            saved = page.get_by_role("status").filter(has_text="Saved")
            expect(saved).to_have_text("Saved", timeout=10_000)
            shoot(page, out / "editor-light.png")
            page.get_by_role("button", name="Switch to dark theme").click()
            shoot(page, out / "editor-dark.png")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
