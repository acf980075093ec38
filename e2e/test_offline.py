"""Edits made while the server cannot be reached are kept in this browser, survive a
reload, and are saved once the server answers again."""

from __future__ import annotations

from helpers import add_node, canvas_node, expect_status, get_workflow, open_workflow
from playwright.sync_api import BrowserContext, Page, Route, expect

OFFLINE = "Offline — edits kept on this device"


def test_offline_edits_are_kept_and_saved_later(
    context: BrowserContext, page: Page, api, screenshot
) -> None:
    workflow_id = open_workflow(page, api, "Offline")
    pattern = f"**/api/v1/workflows/{workflow_id}"

    def refuse_saves(route: Route) -> None:
        if route.request.method == "PUT":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    context.route(pattern, refuse_saves)
    add_node(page, "Chat model")
    add_node(page, "Output")
    expect_status(page, OFFLINE)
    screenshot(page, "offline")
    assert get_workflow(api, workflow_id)["document"]["nodes"] == []

    page.reload()
    expect(page.get_by_text("Unsaved edits restored")).to_be_visible()
    expect(canvas_node(page, "Chat model")).to_be_visible()
    expect(canvas_node(page, "Output")).to_be_visible()
    expect_status(page, OFFLINE)

    context.unroute(pattern, refuse_saves)
    expect_status(page, "Saved", timeout=15_000)
    stored = get_workflow(api, workflow_id)["document"]["nodes"]
    assert sorted(node["type"] for node in stored) == ["io.output", "model.chat"]
    assert page.evaluate(f"localStorage.getItem('nodeloom:draft:{workflow_id}')") is None
