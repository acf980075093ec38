"""Groups that move together: wrap two nodes in a group, drag the group, reload."""

from __future__ import annotations

from helpers import canvas_node, clear_selection, drag, get_workflow, open_workflow, wait_saved
from playwright.sync_api import Page, expect

DOCUMENT = {
    "nodes": [
        {"id": "first", "type": "data.text", "label": "First", "position": {"x": 80, "y": 80}},
        {"id": "second", "type": "data.text", "label": "Second", "position": {"x": 420, "y": 200}},
        {"id": "away", "type": "data.text", "label": "Away", "position": {"x": 80, "y": 560}},
    ],
    "edges": [],
    "viewport": {"x": 60, "y": 60, "zoom": 1},
}
DELTA = (160, 90)


def positions(api, workflow_id: str) -> dict[str, tuple[float, float]]:
    nodes = get_workflow(api, workflow_id)["document"]["nodes"]
    return {node["id"]: (node["position"]["x"], node["position"]["y"]) for node in nodes}


def click_header(page: Page, name: str, modifiers: list[str] | None = None) -> None:
    box = canvas_node(page, name).bounding_box()
    assert box is not None
    if modifiers:
        for key in modifiers:
            page.keyboard.down(key)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + 14)
    for key in reversed(modifiers or []):
        page.keyboard.up(key)


def test_group_moves_its_nodes_and_persists(page: Page, api) -> None:
    workflow_id = open_workflow(page, api, "Groups", DOCUMENT)
    click_header(page, "First")
    click_header(page, "Second", ["Shift"])
    page.keyboard.press("ControlOrMeta+g")
    group = canvas_node(page, "Group: Group")
    expect(group).to_be_visible()
    wait_saved(page)
    before = positions(api, workflow_id)
    group_id = next(key for key in before if key.startswith("ui_group"))

    clear_selection(page)
    box = group.get_by_text("Group", exact=True).bounding_box()
    assert box is not None
    grab = (box["x"] + 10, box["y"] + box["height"] / 2)
    drag(page, grab, (grab[0] + DELTA[0], grab[1] + DELTA[1]))
    wait_saved(page)

    after = positions(api, workflow_id)
    moved = {
        key: (after[key][0] - before[key][0], after[key][1] - before[key][1]) for key in before
    }
    assert moved[group_id] != (0, 0)
    assert moved["first"] == moved[group_id]
    assert moved["second"] == moved[group_id]
    assert moved["away"] == (0, 0)
    boxes = {name: canvas_node(page, name).bounding_box() for name in ("First", "Second")}

    page.reload()
    expect(canvas_node(page, "Group: Group")).to_be_visible()
    assert positions(api, workflow_id) == after
    for name, old in boxes.items():
        new = canvas_node(page, name).bounding_box()
        assert old is not None and new is not None
        assert abs(new["x"] - old["x"]) < 1 and abs(new["y"] - old["y"]) < 1, name

    group_document = next(
        node
        for node in get_workflow(api, workflow_id)["document"]["nodes"]
        if node["id"] == group_id
    )
    assert group_document["type"] == "ui.group"
    assert group_document["params"]["width"] > 0 and group_document["params"]["height"] > 0
