"""Must hold 4: copy three connected nodes, paste into another workflow in a second tab:
the nodes and their internal edges arrive, with fresh ids."""

from __future__ import annotations

from helpers import create_workflow, expect_status, get_workflow, unique, wait_saved
from playwright.sync_api import BrowserContext, Page, expect


def node(id_: str, type_: str, x: float, params: dict) -> dict:
    return {"id": id_, "type": type_, "position": {"x": x, "y": 80}, "params": params}


def chain() -> dict:
    return {
        "format": "nodeloom.workflow",
        "version": 1,
        "name": "source",
        "nodes": [
            node("q", "io.input", 0, {"name": "question"}),
            node("p", "prompt.template", 320, {"template": "Say: {question}"}),
            node("o", "io.output", 640, {"name": "answer"}),
        ],
        "edges": [
            {
                "id": "e1",
                "source": "q",
                "sourceHandle": "value",
                "target": "p",
                "targetHandle": "question",
            },
            {
                "id": "e2",
                "source": "p",
                "sourceHandle": "prompt",
                "target": "o",
                "targetHandle": "value",
            },
        ],
    }


def test_copy_paste_across_tabs(context: BrowserContext, page: Page, api) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    source = create_workflow(api, unique("Copy from"), chain())
    target = create_workflow(api, unique("Paste into"))
    page.goto(f"/workflows/{source['id']}")
    expect_status(page, "Saved")
    page.get_by_label("Workflow canvas").click(position={"x": 20, "y": 400})
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("ControlOrMeta+c")
    expect(page.get_by_role("alert").filter(has_text="Copied 3 nodes")).to_be_visible()

    other = context.new_page()
    other.goto(f"/workflows/{target['id']}")
    expect_status(other, "Saved")
    other.get_by_label("Workflow canvas").click(position={"x": 20, "y": 400})
    other.keyboard.press("ControlOrMeta+v")
    expect(other.get_by_role("group", name="Prompt template", exact=True)).to_be_visible()
    wait_saved(other)

    document = get_workflow(api, target["id"])["document"]
    ids = {node["id"] for node in document["nodes"]}
    assert sorted(node["type"] for node in document["nodes"]) == [
        "io.input",
        "io.output",
        "prompt.template",
    ]
    assert not ids & {"q", "p", "o"}
    assert len(document["edges"]) == 2
    assert all(edge["source"] in ids and edge["target"] in ids for edge in document["edges"])
    assert not {edge["id"] for edge in document["edges"]} & {"e1", "e2"}
    params = {node["type"]: node["params"] for node in document["nodes"]}
    assert params["prompt.template"] == {"template": "Say: {question}"}
