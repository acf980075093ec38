"""Must hold 2: a wrong-type connection and a cycle-closing connection are refused with a
visible reason; the backend also refuses them (as problems that block runs) if sent directly.
Edges can be selected, deleted and re-routed by dragging an end."""

from __future__ import annotations

import re

from helpers import (
    add_node,
    canvas_node,
    centre,
    clear_selection,
    connect,
    create_workflow,
    doc_link,
    doc_node,
    drag,
    get_workflow,
    inspector,
    open_workflow,
    select_node,
    unique,
    wait_saved,
)
from playwright.sync_api import Page, expect

EDGE = re.compile(r"^Edge from ")


def refusal(page: Page, reason: str):
    return page.get_by_role("alert").filter(has_text="Connection refused").filter(has_text=reason)


def test_wrong_type_and_cycle_are_refused(page: Page, api, screenshot) -> None:
    workflow_id = open_workflow(page, api, "Refusals")
    chat = add_node(page, "Chat model")
    splitter = add_node(page, "Text splitter")
    connect(page, chat, "text", splitter, "documents")
    expect(refusal(page, "text cannot feed documents")).to_be_visible()
    expect(page.get_by_role("group", name=EDGE)).to_have_count(0)
    screenshot(page, "refused-wrong-type")

    first = add_node(page, "Prompt template")
    inspector(page).get_by_label("Template").fill("{a}")
    second = add_node(page, "Prompt template")
    inspector(page).get_by_label("Template").fill("{b}")
    first, second = (
        canvas_node(page, "Prompt template").nth(0),
        canvas_node(page, "Prompt template").nth(1),
    )
    connect(page, first, "prompt", second, "b")
    expect(page.get_by_role("group", name=EDGE)).to_have_count(1)
    connect(page, second, "prompt", first, "a")
    expect(refusal(page, "cycle")).to_be_visible()
    expect(page.get_by_role("group", name=EDGE)).to_have_count(1)
    wait_saved(page)
    assert len(get_workflow(api, workflow_id)["document"]["edges"]) == 1


def test_backend_flags_them_too(api) -> None:
    document = {
        "format": "nodeloom.workflow",
        "version": 1,
        "name": "direct",
        "nodes": [
            doc_node("text", "data.text", text="hi"),
            doc_node("split", "data.splitter"),
            doc_node("a", "prompt.template", template="{x}"),
            doc_node("b", "prompt.template", template="{y}"),
        ],
        "edges": [
            doc_link("wrong", "text", "text", "split", "documents"),
            doc_link("ab", "a", "prompt", "b", "y"),
            doc_link("ba", "b", "prompt", "a", "x"),
        ],
    }
    response = api.post("/api/v1/workflows/validate", data=document)
    assert response.status == 200, response.text()
    report = response.json()
    codes = {problem["code"] for problem in report["problems"]}
    assert report["runnable"] is False
    assert "cycle" in codes
    assert "incompatible_ports" in codes, codes

    saved = create_workflow(api, unique("Direct"), document)
    assert saved["runnable"] is False
    assert {problem["code"] for problem in saved["problems"]} == codes


def test_edges_select_delete_and_reroute(page: Page, api) -> None:
    open_workflow(page, api, "Edges")
    source = add_node(page, "Input")
    other = add_node(page, "Text")
    target = add_node(page, "Output")
    connect(page, source, "value", target, "value")
    edge = page.get_by_role("group", name=EDGE)
    expect(edge).to_have_count(1)

    # Re-route: drag the edge's source end from Input onto Text's output.
    clear_selection(page)
    start = centre(source.get_by_label("value output"))
    drag(page, (start[0] + 9, start[1]), centre(other.get_by_label("text output")))
    wait_saved(page)
    expect(page.get_by_role("group", name=re.compile(r"^Edge from data_text_"))).to_have_count(1)

    # Select the edge from its inspector-free keyboard path: focus it, Delete.
    page.get_by_role("group", name=EDGE).focus()
    page.keyboard.press("Enter")
    expect(inspector(page).get_by_role("heading", name="Connection")).to_be_visible()
    page.keyboard.press("Delete")
    expect(page.get_by_role("group", name=EDGE)).to_have_count(0)
    select_node(page, target)
