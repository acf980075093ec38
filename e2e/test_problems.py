"""Problems the backend reports are listed in the header; clicking one selects the node
it names and brings it into view."""

from __future__ import annotations

from helpers import canvas, canvas_node, create_workflow, inspector, unique
from playwright.sync_api import Page, expect


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
    problems = page.get_by_role("button", name="problem")
    expect(problems).to_be_visible()
    problems.click()
    row = (
        page.get_by_role("list", name="Problems")
        .get_by_role("listitem")
        .filter(has_text="cycle")
        .first
    )
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
