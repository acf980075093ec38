"""Create a workflow, build a two-node graph with the mouse, save, reload, see it again."""

from __future__ import annotations

import re

from helpers import add_node, canvas_node, centre, drag, expect_status, get_workflow, unique
from playwright.sync_api import Page, expect

EDGE = re.compile(r"^Edge from ")


def test_build_save_and_reload(page: Page, api, screenshot) -> None:
    name = unique("Canvas round trip")
    page.goto("/")
    page.get_by_role("button", name="New workflow").click()
    dialog = page.get_by_role("dialog", name="New workflow")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Description").fill("Built by the end-to-end test")
    dialog.get_by_role("button", name="Create", exact=True).click()
    page.wait_for_url(re.compile(r"/workflows/[0-9a-f]+$"))
    workflow_id = page.url.rsplit("/", 1)[-1]
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect_status(page, "Saved")
    screenshot(page, "editor-empty")

    source = add_node(page, "Input")
    target = add_node(page, "Chat model")
    expect_status(page, "Unsaved changes")

    # Connect Input.value → Chat model.prompt by dragging between the handles.
    drag(
        page,
        centre(source.get_by_label("value output")),
        centre(target.get_by_label("prompt input")),
    )
    expect(page.get_by_role("group", name=EDGE)).to_have_count(1)

    # Move the chat model down and to the right by its header.
    before = target.bounding_box()
    assert before is not None
    grab = (before["x"] + 60, before["y"] + 20)
    drag(page, grab, (grab[0] + 180, grab[1] + 140))
    moved = target.bounding_box()
    assert moved is not None
    assert abs(moved["x"] - before["x"] - 180) <= 2 and abs(moved["y"] - before["y"] - 140) <= 2

    boxes = {title: canvas_node(page, title).bounding_box() for title in ("Input", "Chat model")}
    page.get_by_role("button", name="Save").click()
    expect_status(page, "Saved")
    screenshot(page, "editor-connected")

    stored = get_workflow(api, workflow_id)
    assert stored["version"] == 2
    document = stored["document"]
    assert sorted(node["type"] for node in document["nodes"]) == ["io.input", "model.chat"]
    ids = {node["type"]: node["id"] for node in document["nodes"]}
    assert len(document["edges"]) == 1
    edge = document["edges"][0]
    assert (edge["source"], edge["sourceHandle"], edge["target"], edge["targetHandle"]) == (
        ids["io.input"],
        "value",
        ids["model.chat"],
        "prompt",
    )

    page.reload()
    expect(page.get_by_role("group", name=EDGE)).to_have_count(1)
    for title, box in boxes.items():
        node = canvas_node(page, title)
        expect(node).to_be_visible()
        again = node.bounding_box()
        assert box is not None and again is not None
        assert abs(again["x"] - box["x"]) <= 2, (title, box, again)
        assert abs(again["y"] - box["y"]) <= 2, (title, box, again)
    expect_status(page, "Saved")


def test_keyboard_save_and_delete(page: Page, api) -> None:
    name = unique("Keyboard")
    response = api.post("/api/v1/workflows", data={"name": name})
    workflow_id = response.json()["id"]
    page.goto(f"/workflows/{workflow_id}")
    node = add_node(page, "Text")
    add_node(page, "Output")

    node.click()
    page.keyboard.press("Delete")
    expect(canvas_node(page, "Text")).to_have_count(0)
    page.keyboard.press("ControlOrMeta+s")
    expect_status(page, "Saved")
    types = [item["type"] for item in get_workflow(api, workflow_id)["document"]["nodes"]]
    assert types == ["io.output"]
