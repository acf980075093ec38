"""Must hold 3: undo and redo walk through add, move, connect, param edit and delete."""

from __future__ import annotations

import re

from helpers import (
    add_node,
    canvas_node,
    clear_selection,
    connect,
    drag,
    inspector,
    open_workflow,
    select_node,
)
from playwright.sync_api import Page, expect

EDGE = re.compile(r"^Edge from ")


def test_undo_redo_every_edit(page: Page, api) -> None:
    open_workflow(page, api, "Undo")
    source = add_node(page, "Input")  # add 1 (the base of the walk)
    target = add_node(page, "Output")  # add 2
    clear_selection(page)
    before = target.bounding_box()
    assert before is not None
    grab = (before["x"] + 70, before["y"] + 18)
    drag(page, grab, (grab[0] + 120, grab[1] + 100))  # move
    moved = target.bounding_box()
    assert moved is not None
    connect(page, source, "value", target, "value")  # connect
    select_node(page, target)
    inspector(page).get_by_role("textbox", name="Name").nth(1).fill(
        "answer"
    )  # param edit (one step)
    clear_selection(page)
    select_node(page, source)
    page.keyboard.press("Delete")  # delete
    expect(canvas_node(page, "Input")).to_have_count(0)

    undo, redo = "ControlOrMeta+z", "ControlOrMeta+Shift+z"
    clear_selection(page)
    page.keyboard.press(undo)  # delete undone
    expect(canvas_node(page, "Input")).to_have_count(1)
    expect(page.get_by_role("group", name=EDGE)).to_have_count(1)
    page.keyboard.press(undo)  # param edit undone
    select_node(page, canvas_node(page, "Output"))
    expect(inspector(page).get_by_role("textbox", name="Name").nth(1)).to_have_value("")
    clear_selection(page)
    page.keyboard.press(undo)  # connect undone
    expect(page.get_by_role("group", name=EDGE)).to_have_count(0)
    page.keyboard.press(undo)  # move undone
    box = canvas_node(page, "Output").bounding_box()
    assert box is not None and abs(box["x"] - before["x"]) < 2 and abs(box["y"] - before["y"]) < 2
    page.keyboard.press(undo)  # add undone
    expect(canvas_node(page, "Output")).to_have_count(0)

    page.keyboard.press(redo)  # add
    expect(canvas_node(page, "Output")).to_have_count(1)
    page.keyboard.press(redo)  # move
    box = canvas_node(page, "Output").bounding_box()
    assert box is not None and abs(box["x"] - moved["x"]) < 2 and abs(box["y"] - moved["y"]) < 2
    page.keyboard.press(redo)  # connect
    expect(page.get_by_role("group", name=EDGE)).to_have_count(1)
    page.keyboard.press(redo)  # param edit
    page.keyboard.press(redo)  # delete
    expect(canvas_node(page, "Input")).to_have_count(0)
    expect(page.get_by_role("button", name="Redo")).to_be_disabled()
    page.get_by_role("button", name="Undo").click()
    expect(canvas_node(page, "Input")).to_have_count(1)
