"""Small helpers shared by the end-to-end tests (API arrangement, canvas gestures)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import APIRequestContext, Locator, Page, expect


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def create_workflow(
    api: APIRequestContext, name: str, document: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Create a workflow through the API; with `document`, save it as version 2."""
    response = api.post("/api/v1/workflows", data={"name": name})
    assert response.status == 201, response.text()
    workflow = response.json()
    if document is not None:
        response = api.put(
            f"/api/v1/workflows/{workflow['id']}",
            data={**document, "name": name},
            headers={"If-Match": f'"{workflow["version"]}"'},
        )
        assert response.status == 200, response.text()
        workflow = response.json()
    return workflow


def store_legacy_workflow(base_url: str, name: str, document: dict[str, Any]) -> str:
    """A workflow as an earlier release could store it, with a secret in its params (no
    save can store one now), written straight into the server's database; its id."""
    import importlib.util

    from conftest import REPO, SERVER_DATABASES

    path = REPO / "tests" / "backend" / "legacy_rows.py"
    spec = importlib.util.spec_from_file_location("legacy_rows", path)
    assert spec is not None and spec.loader is not None
    legacy_rows = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(legacy_rows)
    full = {"format": "nodeloom.workflow", "version": 1, "description": "", **document}
    return legacy_rows.store_legacy_workflow_at(SERVER_DATABASES[base_url], [full | {"name": name}])


def get_workflow(api: APIRequestContext, workflow_id: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/workflows/{workflow_id}")
    assert response.status == 200, response.text()
    return response.json()


def canvas_node(page: Page, title: str) -> Locator:
    """A node on the canvas, by the name it shows (React Flow gives nodes role=group)."""
    return page.get_by_role("group", name=title, exact=True)


def palette_item(page: Page, title: str) -> Locator:
    return page.get_by_role("complementary", name="Node palette").get_by_role(
        "button", name=title, exact=True
    )


def add_node(page: Page, title: str) -> Locator:
    """Click a node type in the palette: it is added in a free spot at the view's centre."""
    before = canvas_node(page, title).count()
    palette_item(page, title).click()
    node = canvas_node(page, title).nth(before)
    expect(node).to_be_visible()
    return node


def centre(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None, f"{locator} has no box"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag(page: Page, start: tuple[float, float], end: tuple[float, float], steps: int = 12) -> None:
    """A real mouse drag: press, move in steps, release."""
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 4, start[1] + 4, steps=2)
    page.mouse.move(*end, steps=steps)
    page.mouse.up()


def expect_status(page: Page, text: str, timeout: float = 10_000) -> None:
    """The save state shown in the header, matched whole ("Saved" is not "Unsaved changes")."""
    status = page.get_by_role("status").filter(has_text=re.compile(rf"^{re.escape(text)}$"))
    expect(status).to_be_visible(timeout=timeout)


def open_workflow(page: Page, api: APIRequestContext, name: str, document=None) -> str:
    workflow = create_workflow(api, unique(name), document)
    page.goto(f"/workflows/{workflow['id']}")
    expect_status(page, "Saved")
    return workflow["id"]


def canvas(page: Page) -> Locator:
    return page.get_by_label("Workflow canvas")


def drop_from_palette(page: Page, title: str, x: float, y: float) -> Locator:
    """Drag a node type from the palette onto the canvas at (x, y) relative to the canvas."""
    before = canvas_node(page, title).count()
    palette_item(page, title).drag_to(canvas(page), target_position={"x": x, "y": y})
    node = canvas_node(page, title).nth(before)
    expect(node).to_be_visible()
    return node


def clear_selection(page: Page) -> None:
    """Escape deselects everything (the inspector closes, the canvas is full width)."""
    page.get_by_label("Workflow canvas").click(position={"x": 12, "y": 200})
    page.keyboard.press("Escape")
    expect(inspector(page)).to_have_count(0)


def connect(page: Page, source: Locator, output: str, target: Locator, input_: str) -> None:
    clear_selection(page)
    drag(
        page,
        centre(source.get_by_label(f"{output} output")),
        centre(target.get_by_label(f"{input_} input")),
    )


def inspector(page: Page) -> Locator:
    return page.get_by_role("complementary", name="Inspector")


def select_node(page: Page, node: Locator) -> None:
    box = node.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + 14)
    expect(inspector(page)).to_be_visible()


def wait_saved(page: Page) -> None:
    """Autosave runs about a second after the last edit."""
    expect_status(page, "Saved")


def doc_node(node_id: str, kind: str, x: int = 0, **params: object) -> dict:
    """A node of a workflow document, on the row at y 120."""
    return {"id": node_id, "type": kind, "position": {"x": x, "y": 120}, "params": params}


def doc_link(edge_id: str, source: str, handle: str, target: str, target_handle: str) -> dict:
    return {
        "id": edge_id,
        "source": source,
        "sourceHandle": handle,
        "target": target,
        "targetHandle": target_handle,
    }


def question_to_answer(middle: dict | None = None) -> dict:
    """`question` → `middle` (a node with ports `prompt` and `text`) → `answer`; without
    a middle node, the question is the answer."""
    nodes = [
        doc_node("q", "io.input", 0, name="question"),
        doc_node("out", "io.output", 680, name="answer"),
    ]
    edges = [doc_link("e1", "q", "value", "out", "value")]
    if middle is not None:
        nodes.insert(1, middle)
        edges = [
            doc_link("e1", "q", "value", middle["id"], "prompt"),
            doc_link("e2", middle["id"], "text", "out", "value"),
        ]
    return {
        "format": "nodeloom.workflow",
        "version": 1,
        "name": "Question to answer",
        "nodes": nodes,
        "edges": edges,
        "viewport": {"x": 60, "y": 140, "zoom": 1},
    }
