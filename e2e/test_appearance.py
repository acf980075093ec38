"""Nodes can be collapsed and given a colour; both are saved in the document's `ui` field
and survive a reload."""

from __future__ import annotations

from helpers import (
    add_node,
    canvas_node,
    clear_selection,
    get_workflow,
    inspector,
    open_workflow,
    select_node,
    wait_saved,
)
from playwright.sync_api import Page, expect

TEAL = "#12b886"


def test_collapse_and_colour_survive_reload(page: Page, api, screenshot) -> None:
    workflow_id = open_workflow(page, api, "Appearance")
    chat = add_node(page, "Chat model")
    add_node(page, "Input")
    clear_selection(page)

    chat.get_by_role("button", name="Collapse node").click()
    expect(chat.get_by_role("button", name="Expand node")).to_be_visible()
    select_node(page, chat)
    inspector(page).get_by_role("radio", name="Colour teal").click()
    expect(inspector(page).get_by_role("radio", name="Colour teal")).to_have_attribute(
        "aria-checked", "true"
    )
    wait_saved(page)
    screenshot(page, "appearance-collapsed-teal")

    nodes = {node["type"]: node for node in get_workflow(api, workflow_id)["document"]["nodes"]}
    assert nodes["model.chat"]["ui"] == {"collapsed": True, "color": TEAL}
    assert "ui" not in nodes["io.input"]

    page.reload()
    chat = canvas_node(page, "Chat model")
    expect(chat.get_by_role("button", name="Expand node")).to_be_visible()
    expect(chat.locator("[data-collapsed]").first).to_be_visible()
    card = chat.locator("[data-collapsed]").first
    accent = card.evaluate("el => getComputedStyle(el).getPropertyValue('--node-color')")
    assert accent.strip().lower() == TEAL
    select_node(page, chat)
    expect(inspector(page).get_by_role("radio", name="Colour teal")).to_have_attribute(
        "aria-checked", "true"
    )
    expect(inspector(page).get_by_role("switch", name="Collapsed")).to_be_checked()

    # Expanding again removes the flag from the document (no `"collapsed": false` noise).
    chat.get_by_role("button", name="Expand node").click()
    wait_saved(page)
    nodes = {node["type"]: node for node in get_workflow(api, workflow_id)["document"]["nodes"]}
    assert nodes["model.chat"]["ui"] == {"color": TEAL}
