"""Two pages save the same workflow: the second gets "Changed elsewhere", never overwrites."""

from __future__ import annotations

from helpers import add_node, canvas_node, create_workflow, expect_status, get_workflow, unique
from playwright.sync_api import BrowserContext, Page, expect


def test_second_save_is_refused(context: BrowserContext, page: Page, api, screenshot) -> None:
    workflow = create_workflow(api, unique("Conflict"))
    url = f"/workflows/{workflow['id']}"
    first, second = page, context.new_page()
    first.goto(url)
    second.goto(url)
    expect_status(first, "Saved")
    expect_status(second, "Saved")

    add_node(first, "Input")
    first.get_by_role("button", name="Save").click()
    expect_status(first, "Saved")

    add_node(second, "Document loader")
    second.get_by_role("button", name="Save").click()
    expect_status(second, "Changed elsewhere")
    banner = second.get_by_role("alert").filter(has_text="Changed elsewhere")
    expect(banner).to_be_visible()
    screenshot(second, "editor-conflict")

    stored = get_workflow(api, workflow["id"])
    assert stored["version"] == workflow["version"] + 1
    assert [node["type"] for node in stored["document"]["nodes"]] == ["io.input"]

    # "Load latest" discards the local edit and continues from the server's version.
    banner.get_by_role("button", name="Load latest").click()
    expect(canvas_node(second, "Input")).to_be_visible()
    expect(canvas_node(second, "Document loader")).to_have_count(0)
    expect_status(second, "Saved")
    add_node(second, "Output")
    second.get_by_role("button", name="Save").click()
    expect_status(second, "Saved")
    assert get_workflow(api, workflow["id"])["version"] == workflow["version"] + 2
