"""Must hold 6: keyboard only — add, connect (via a menu), select, delete and save without
the mouse; every control used is found by role and accessible name."""

from __future__ import annotations

from helpers import canvas_node, expect_status, get_workflow, inspector, open_workflow
from playwright.sync_api import Page, expect


def quick_add(page: Page, query: str) -> None:
    page.keyboard.press("/")
    dialog = page.get_by_role("dialog", name="Add a node")
    expect(dialog.get_by_role("combobox", name="Node type")).to_be_focused()
    page.keyboard.type(query)
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)


def test_keyboard_only(page: Page, api) -> None:
    workflow_id = open_workflow(page, api, "Keyboard")
    quick_add(page, "input")
    quick_add(page, "chat model")
    quick_add(page, "text splitter")
    for title in ("Input", "Chat model", "Text splitter"):
        expect(canvas_node(page, title)).to_be_visible()

    # The last added node is selected; pick the chat model with Tab + Enter.
    page.keyboard.press("Escape")
    chat = canvas_node(page, "Chat model")
    chat.focus()
    page.keyboard.press("Enter")
    expect(inspector(page).get_by_role("heading", name="Chat model")).to_be_visible()

    # Connect through the inspector's menu: Input › Value feeds the chat model's prompt.
    menu = inspector(page).get_by_label("Connect Prompt (messages)")
    menu.focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("option", name="Input › Value")).to_be_visible()
    expect(page.get_by_role("option", name="Text splitter › Chunks")).to_have_count(
        0
    )  # documents ≠ messages
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(inspector(page).get_by_text("Prompt ← Input › value")).to_be_visible()

    # Select the splitter by keyboard and delete it.
    page.keyboard.press("Escape")
    canvas_node(page, "Text splitter").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Delete")
    expect(canvas_node(page, "Text splitter")).to_have_count(0)

    page.keyboard.press("ControlOrMeta+s")
    expect_status(page, "Saved")
    document = get_workflow(api, workflow_id)["document"]
    assert sorted(node["type"] for node in document["nodes"]) == ["io.input", "model.chat"]
    assert [(edge["sourceHandle"], edge["targetHandle"]) for edge in document["edges"]] == [
        ("value", "prompt")
    ]

    # The shortcut sheet opens on "?".
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
