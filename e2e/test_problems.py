"""Problems the backend reports are listed in the header; clicking one selects the node
it names and brings it into view."""

from __future__ import annotations

from helpers import (
    canvas,
    canvas_node,
    connect,
    create_workflow,
    drop_from_palette,
    inspector,
    unique,
    wait_saved,
)
from playwright.sync_api import Locator, Page, expect


def template(id_: str, label: str, variable: str, x: float, y: float) -> dict:
    return {
        "id": id_,
        "type": "prompt.template",
        "label": label,
        "position": {"x": x, "y": y},
        "params": {"template": f"Use {{{variable}}}"},
    }


def edge(id_: str, source: str, target: str, handle: str) -> dict:
    return {
        "id": id_,
        "source": source,
        "sourceHandle": "prompt",
        "target": target,
        "targetHandle": handle,
    }


def open_problems(page: Page, button: str) -> Locator:
    """Open the header's problem list and wait for it to fade in; returns its rows."""
    page.get_by_role("button", name=button).click()
    listed = page.get_by_role("list", name="Problems")
    dropdown = listed.locator("xpath=ancestor::*[contains(@class, 'Popover-dropdown')][1]")
    expect(dropdown).to_have_css("opacity", "1")
    return listed.get_by_role("listitem")


CYCLE = {
    "nodes": [template("alpha", "Alpha", "x", 0, 0), template("beta", "Far beta", "y", 2600, 1600)],
    "edges": [edge("ab", "alpha", "beta", "y"), edge("ba", "beta", "alpha", "x")],
    "viewport": {"x": 80, "y": 80, "zoom": 1},
}


def test_problem_list_focuses_the_node(page: Page, api, screenshot) -> None:
    workflow = create_workflow(api, unique("Cycle"), CYCLE)
    cycle = next(problem for problem in workflow["problems"] if problem["code"] == "cycle")
    named = (
        cycle["node_id"] or next(e for e in CYCLE["edges"] if e["id"] == cycle["edge_id"])["target"]
    )
    title = {"alpha": "Alpha", "beta": "Far beta"}[named]

    page.goto(f"/workflows/{workflow['id']}")
    row = open_problems(page, "1 problem").filter(has_text="These nodes form a loop").first
    expect(row).to_be_visible()
    screenshot(page, "problems-list")
    row.click()

    expect(inspector(page).get_by_role("heading", name=title)).to_be_visible()
    node = canvas_node(page, title)
    expect(node).to_be_in_viewport()
    box, area = node.bounding_box(), canvas(page).bounding_box()
    assert box is not None and area is not None
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert area["x"] < middle[0] < area["x"] + area["width"], (box, area)
    assert area["y"] < middle[1] < area["y"] + area["height"], (box, area)
    expect(node.get_by_role("img", name="problem")).to_be_visible()


def test_problems_read_as_a_person_would_write_them(page: Page, api, screenshot) -> None:
    """A fresh Input has no name yet: the problem is on the Input, in words, and the node it
    feeds is not also blamed for a missing connection."""
    workflow = create_workflow(api, unique("Unnamed input"))
    page.goto(f"/workflows/{workflow['id']}")
    question = drop_from_palette(page, "Input", 130, 200)
    output = drop_from_palette(page, "Output", 520, 200)
    inspector(page).get_by_role("textbox", name="Name").nth(1).fill("answer")
    connect(page, question, "value", output, "value")
    wait_saved(page)

    rows = open_problems(page, "1 problem")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Input: give this input a name")
    expect(rows.first).not_to_contain_text("Value error")
    screenshot(page, "problems-unnamed-input")
