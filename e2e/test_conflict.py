"""Must hold 5: two tabs edit the same workflow; the second save is not lost — the conflict
is shown and resolved ("Keep mine as new version" or "Load latest"), the history holds both
versions, and restoring an old version brings it back as a new one."""

from __future__ import annotations

from helpers import add_node, canvas_node, create_workflow, expect_status, get_workflow, unique
from playwright.sync_api import BrowserContext, Page, expect


def node_types(api, workflow_id: str) -> list[str]:
    return sorted(node["type"] for node in get_workflow(api, workflow_id)["document"]["nodes"])


def test_conflict_keep_mine_history_and_restore(
    context: BrowserContext, page: Page, api, screenshot
) -> None:
    workflow = create_workflow(api, unique("Conflict"))
    url = f"/workflows/{workflow['id']}"
    first, second = page, context.new_page()
    first.goto(url)
    second.goto(url)
    expect_status(first, "Saved")
    expect_status(second, "Saved")

    add_node(first, "Input")
    expect_status(first, "Saved")  # autosaved: version 2
    add_node(second, "Document loader")
    expect_status(second, "Changed elsewhere")
    banner = second.get_by_role("alert").filter(has_text="Changed elsewhere")
    expect(banner).to_be_visible()
    screenshot(second, "editor-conflict")
    assert node_types(api, workflow["id"]) == ["io.input"]  # never overwritten

    banner.get_by_role("button", name="Keep mine as new version").click()
    expect_status(second, "Saved")
    stored = get_workflow(api, workflow["id"])
    assert stored["version"] == workflow["version"] + 2
    assert node_types(api, workflow["id"]) == ["data.loader"]

    # History: both saves are versions; preview the first tab's and restore it as a new one.
    second.get_by_role("button", name="Version history").click()
    versions = second.get_by_role("list", name="Versions")
    expect(versions.get_by_role("listitem")).to_have_count(3)
    versions.get_by_role("listitem", name=f"Version {workflow['version'] + 1}").get_by_role(
        "button", name="Preview"
    ).click()
    preview = second.get_by_role("dialog", name=f"Version {workflow['version'] + 1} (read-only)")
    changes = preview.get_by_role("group", name="Changes against the current canvas")
    expect(changes).to_contain_text("1 nodes added")
    expect(changes).to_contain_text("1 nodes removed")
    expect(preview.get_by_role("group", name="Input", exact=True)).to_be_visible()
    preview.get_by_role("button", name="Restore this version").click()
    expect(canvas_node(second, "Input")).to_be_visible()
    expect(canvas_node(second, "Document loader")).to_have_count(0)
    expect_status(second, "Saved")
    restored = get_workflow(api, workflow["id"])
    assert restored["version"] == workflow["version"] + 3
    assert node_types(api, workflow["id"]) == ["io.input"]


def test_conflict_load_latest(context: BrowserContext, page: Page, api) -> None:
    workflow = create_workflow(api, unique("Conflict latest"))
    url = f"/workflows/{workflow['id']}"
    first, second = page, context.new_page()
    first.goto(url)
    second.goto(url)
    expect_status(second, "Saved")
    add_node(first, "Input")
    expect_status(first, "Saved")
    add_node(second, "Output")
    banner = second.get_by_role("alert").filter(has_text="Changed elsewhere")
    banner.get_by_role("button", name="Load latest").click()
    expect(canvas_node(second, "Input")).to_be_visible()
    expect(canvas_node(second, "Output")).to_have_count(0)
    expect_status(second, "Saved")
    add_node(second, "Text")
    expect_status(second, "Saved")
    assert node_types(api, workflow["id"]) == ["data.text", "io.input"]
