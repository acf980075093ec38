"""Must hold 1: drag three node types from the palette, connect them, set params in the
inspector, reload: everything is where it was, params included (autosaved, no Save click)."""

from __future__ import annotations

import re

from helpers import (
    canvas_node,
    connect,
    drop_from_palette,
    get_workflow,
    inspector,
    open_workflow,
    select_node,
    wait_saved,
)
from playwright.sync_api import Page, expect

EDGE = re.compile(r"^Edge from ")


def test_build_configure_and_reload(page: Page, api, screenshot) -> None:
    workflow_id = open_workflow(page, api, "Canvas round trip")

    question = drop_from_palette(page, "Input", 130, 160)
    prompt = drop_from_palette(page, "Prompt template", 420, 330)
    chat = drop_from_palette(page, "Chat model", 690, 160)

    # Params through the generated form: a required name, a template (its variable
    # becomes an input port), an enum and a bounded number.
    select_node(page, question)
    inspector(page).get_by_label("Name", exact=True).first.fill("Question node")
    question = canvas_node(page, "Question node")
    inspector(page).get_by_role("textbox", name="Name").nth(1).fill("question")

    select_node(page, prompt)
    inspector(page).get_by_label("Template").fill("Answer briefly: {question}")
    expect(prompt.get_by_label("question input")).to_be_visible()

    select_node(page, chat)
    inspector(page).get_by_label("Provider").click()
    page.get_by_role("option", name="anthropic").click()
    temperature = inspector(page).get_by_label("Temperature")
    temperature.fill("3")
    expect(inspector(page).get_by_text("Must be at most 2.")).to_be_visible()
    temperature.fill("0.4")
    expect(inspector(page).get_by_text("Must be at most 2.")).to_have_count(0)

    connect(page, question, "value", prompt, "question")
    connect(page, prompt, "prompt", chat, "prompt")
    expect(page.get_by_role("group", name=EDGE)).to_have_count(2)
    wait_saved(page)
    screenshot(page, "editor-three-nodes")

    boxes = {
        title: canvas_node(page, title).bounding_box()
        for title in ("Question node", "Prompt template", "Chat model")
    }
    document = get_workflow(api, workflow_id)["document"]
    by_type = {node["type"]: node for node in document["nodes"]}
    assert by_type["io.input"]["params"] == {"name": "question"}
    assert by_type["io.input"]["label"] == "Question node"
    assert by_type["prompt.template"]["params"] == {"template": "Answer briefly: {question}"}
    assert by_type["model.chat"]["params"] == {"provider": "anthropic", "temperature": 0.4}
    assert {(e["sourceHandle"], e["targetHandle"]) for e in document["edges"]} == {
        ("value", "question"),
        ("prompt", "prompt"),
    }

    page.reload()
    expect(page.get_by_role("group", name=EDGE)).to_have_count(2)
    for title, box in boxes.items():
        again = canvas_node(page, title).bounding_box()
        assert box is not None and again is not None
        assert abs(again["x"] - box["x"]) <= 2 and abs(again["y"] - box["y"]) <= 2, (
            title,
            box,
            again,
        )
    select_node(page, canvas_node(page, "Chat model"))
    expect(inspector(page).get_by_label("Temperature")).to_have_value("0.4")
    expect(inspector(page).get_by_label("Provider")).to_have_value("anthropic")


def test_palette_search_and_quick_add(page: Page, api) -> None:
    open_workflow(page, api, "Palette")
    palette = page.get_by_role("complementary", name="Node palette")
    palette.get_by_label("Search nodes").fill("recursive")
    expect(palette.get_by_role("button", name="Text splitter", exact=True)).to_be_visible()
    expect(palette.get_by_role("button", name="Chat model", exact=True)).to_have_count(0)
    palette.get_by_label("Search nodes").press("Enter")
    expect(canvas_node(page, "Text splitter")).to_be_visible()

    page.get_by_label("Workflow canvas").click(position={"x": 40, "y": 40})
    page.keyboard.press("/")
    dialog = page.get_by_role("dialog", name="Add a node")
    dialog.get_by_role("combobox", name="Node type").fill("vector search")
    page.keyboard.press("Enter")
    expect(canvas_node(page, "Vector search")).to_be_visible()
