"""Export downloads the server's file; importing it gives back an equal workflow."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

from helpers import create_workflow, get_workflow, unique
from playwright.sync_api import Page, expect

DOCUMENT = {
    "description": "Résumés → answers 🤖",
    "nodes": [
        {
            "id": "q",
            "type": "io.input",
            "position": {"x": 0, "y": 0},
            "params": {"name": "question"},
        },
        {
            "id": "llm",
            "type": "model.chat",
            "position": {"x": 420.5, "y": -40},
            "label": "Antwort 日本語",
            "params": {
                "provider": "openai",
                "model": "gpt-4o-mini",
                "credential": {"$credential": "openai"},
            },
        },
        {"id": "out", "type": "io.output", "position": {"x": 820, "y": 10}, "params": {}},
    ],
    "edges": [
        {
            "id": "e1",
            "source": "q",
            "sourceHandle": "value",
            "target": "llm",
            "targetHandle": "prompt",
        },
        {
            "id": "e2",
            "source": "llm",
            "sourceHandle": "text",
            "target": "out",
            "targetHandle": "value",
        },
    ],
    "viewport": {"x": 40, "y": 120, "zoom": 0.9},
    "credentials": [{"name": "openai", "provider": "openai"}],
}


def _graph(document: dict) -> dict:
    return {
        key: document[key] for key in ("nodes", "edges", "viewport", "credentials", "description")
    }


def test_export_then_import(page: Page, api, tmp_path: Path, screenshot) -> None:
    name = unique("Exchange ünïcode")
    original = create_workflow(api, name, DOCUMENT)

    page.goto("/?q=" + name.split()[-1])
    row_menu = page.get_by_role("button", name=f"Actions for {name}")
    expect(row_menu).to_be_visible()
    screenshot(page, "list-with-workflow")
    row_menu.click()
    with page.expect_download() as download_info:
        page.get_by_role("menuitem", name="Export").click()
    download = download_info.value

    served = api.get(f"/api/v1/workflows/{original['id']}/export")
    disposition = served.headers["content-disposition"]
    expected = unquote(re.search(r"filename\*=UTF-8''([^;]+)", disposition).group(1))
    assert download.suggested_filename == expected
    assert expected.endswith(".nodeloom.json")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes() == served.body()

    page.goto("/")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import", exact=True).click()
    chooser.value.set_files(saved)
    preview = page.get_by_role("dialog", name="Import workflow")
    expect(preview.get_by_label("Detected format")).to_have_text("Nodeloom")
    preview.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/workflows/[0-9a-f]+$"))
    imported_id = page.url.rsplit("/", 1)[-1]
    assert imported_id != original["id"]

    imported = get_workflow(api, imported_id)
    assert imported["name"] == name
    assert _graph(imported["document"]) == _graph(get_workflow(api, original["id"])["document"])
    assert api.get(f"/api/v1/workflows/{imported_id}/export").body() == saved.read_bytes()
    expect(page.get_by_role("group", name="Antwort 日本語", exact=True)).to_be_visible()


def test_import_problems_are_listed(page: Page, tmp_path: Path, screenshot) -> None:
    broken = {
        "format": "nodeloom.workflow",
        "version": 1,
        "name": "Broken",
        "nodes": [
            {"id": "a", "type": "io.input", "position": {"x": 0, "y": 0}},
            {"id": "a", "type": "io.output", "position": {"x": 1, "y": 0}},
        ],
        "edges": [{"id": "e", "source": "a", "target": "missing"}],
    }
    path = tmp_path / "broken.nodeloom.json"
    path.write_text(json.dumps(broken), encoding="utf-8")

    page.goto("/")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import", exact=True).click()
    chooser.value.set_files(path)

    dialog = page.get_by_role("dialog", name="Import failed")
    expect(dialog).to_be_visible()
    problems = dialog.get_by_role("list", name="Problems")
    expect(problems.get_by_role("listitem")).to_have_count(2)
    expect(problems).to_contain_text("/nodes/1/id")
    expect(problems).to_contain_text("/edges/0/target")
    screenshot(page, "import-problems")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
