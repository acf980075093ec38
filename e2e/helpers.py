"""Small helpers shared by the end-to-end tests (API arrangement, canvas gestures)."""

from __future__ import annotations

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


def get_workflow(api: APIRequestContext, workflow_id: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/workflows/{workflow_id}")
    assert response.status == 200, response.text()
    return response.json()


def canvas_node(page: Page, title: str) -> Locator:
    """A node on the canvas, by the name it shows (React Flow gives nodes role=group)."""
    return page.get_by_role("group", name=title, exact=True)


def add_node(page: Page, title: str) -> Locator:
    page.get_by_role("button", name="Add node").click()
    page.get_by_role("menuitem", name=title, exact=True).click()
    node = canvas_node(page, title)
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


def expect_status(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()
