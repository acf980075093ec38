"""Sticky notes render Markdown on the canvas: links that open safely in a new tab,
numbered lists and code blocks; a javascript: link stays plain text, raw HTML stays text."""

from __future__ import annotations

from helpers import canvas_node, get_workflow, open_workflow, wait_saved
from playwright.sync_api import Page, expect


def note_text(app_url: str) -> str:
    return "\n".join(
        [
            "# Release checklist",
            f"Read [the guide]({app_url}) first.",
            "",
            "1. Run the tests",
            "2. Tag the release",
            "",
            "```python",
            'print("shipped")',
            "```",
            "",
            "[do not click](javascript:alert(1)) <b>raw</b>",
        ]
    )


def test_note_renders_links_lists_and_code(page: Page, api, base_url: str, screenshot) -> None:
    workflow_id = open_workflow(page, api, "Notes in Markdown")
    page.get_by_role("button", name="Add sticky note").click()
    note = canvas_node(page, "Note")
    note.dblclick()
    text = note_text(f"{base_url}/")
    note.get_by_label("Note text").fill(text)
    page.keyboard.press("Escape")  # leaves the textarea; the note shows its Markdown
    wait_saved(page)

    expect(note.get_by_role("heading", name="Release checklist")).to_be_visible()
    link = note.get_by_role("link", name="the guide")
    expect(link).to_have_attribute("href", f"{base_url}/")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(note.locator("ol > li")).to_have_text(["Run the tests", "Tag the release"])
    expect(note.locator("pre > code")).to_have_text('print("shipped")')
    # The javascript: link is plain text, and the raw <b> is shown, not obeyed.
    expect(note.get_by_role("link")).to_have_count(1)
    expect(note.get_by_text("do not click")).to_be_visible()
    expect(note.locator("b")).to_have_count(0)
    expect(note).to_contain_text("<b>raw</b>")
    screenshot(page, "note-markdown")

    with page.expect_popup() as popup_info:
        link.click()
    popup = popup_info.value
    assert popup.evaluate("window.opener") is None  # noopener: the tab cannot reach back

    stored = get_workflow(api, workflow_id)["document"]["nodes"]
    assert [node["params"]["text"] for node in stored if node["type"] == "ui.note"] == [text]
