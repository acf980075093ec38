"""Import from other tools through the preview dialog, and exports that refuse secrets."""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers import (
    canvas_node,
    create_workflow,
    doc_node,
    get_workflow,
    question_to_answer,
    store_legacy_workflow,
    unique,
)
from playwright.sync_api import Page, expect
from test_runs import openai_url, run_bar, start_run
from test_share_links import new_context, sign_up_by_api

__all__ = ["new_context", "openai_url"]  # fixtures shared with test_share_links and test_runs

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "imports"
LANGFLOW = FIXTURES / "langflow_basic_prompting.json"
FLOWISE = FIXTURES / "flowise_llm_chain.json"


def _drop_file(page: Page, target: str, path: Path) -> None:
    """Drop `path` on `target` as the browser would: a DataTransfer holding the file."""
    transfer = page.evaluate_handle(
        """([name, text]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], name, { type: 'application/json' }));
            return transfer;
        }""",
        [path.name, path.read_text(encoding="utf-8")],
    )
    for event in ("dragenter", "dragover", "drop"):
        page.dispatch_event(target, event, {"dataTransfer": transfer})


def _opened_workflow_id(page: Page, leaving: str | None = None) -> str:
    """The id of the workflow the page went to (another than ``leaving``, the one open)."""

    def opened(url: str) -> bool:
        found = re.search(r"/workflows/([0-9a-f]{32})$", url)
        return found is not None and found.group(1) != leaving

    page.wait_for_url(opened)
    return page.url.rsplit("/", 1)[-1]


def test_a_langflow_file_is_previewed_and_imported(page: Page, api, screenshot) -> None:
    page.goto("/")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import", exact=True).click()
    chooser.value.set_files(LANGFLOW)

    dialog = page.get_by_role("dialog", name="Import workflow")
    expect(dialog.get_by_label("Detected format")).to_have_text("Langflow")
    expect(dialog).to_contain_text("Creates a new workflow with 4 steps, 2 notes and 3 connections")
    expect(dialog.get_by_role("list", name="Import notes")).to_contain_text(
        "'Help centre pages' (URL) has no Nodeloom counterpart"
    )
    expect(dialog.get_by_role("list", name="Problems")).to_contain_text(
        "Prompt: connect its input 'references'."
    )
    expect(dialog.get_by_role("combobox", name="Credential for openai")).to_be_visible()
    screenshot(page, "import-langflow-preview")
    dialog.get_by_role("button", name="Import", exact=True).click()

    workflow_id = _opened_workflow_id(page)
    expect(canvas_node(page, "OpenAI")).to_be_visible()
    expect(canvas_node(page, "Help centre pages")).to_be_visible()  # the sticky note
    expect(canvas_node(page, "Help centre pages")).to_contain_text("Langflow component")
    screenshot(page, "import-langflow-canvas")

    stored = get_workflow(api, workflow_id)
    text = json.dumps(stored)
    assert "EVIL-MARKER" not in text and "sk-proj-FAKE" not in text
    assert stored["document"]["credentials"] == [{"name": "openai", "provider": "openai"}]


def test_dropping_a_flowise_file_on_the_canvas_imports_it(page: Page, api) -> None:
    workflow = create_workflow(api, unique("Drop target"))
    page.goto(f"/workflows/{workflow['id']}")
    expect(page.locator(".react-flow__pane")).to_be_visible()

    _drop_file(page, ".react-flow__pane", FLOWISE)

    dialog = page.get_by_role("dialog", name="Import workflow")
    expect(dialog.get_by_label("Detected format")).to_have_text("Flowise")
    expect(dialog).to_contain_text("its prompt now feeds its model directly")
    dialog.get_by_role("button", name="Import", exact=True).click()

    imported_id = _opened_workflow_id(page, leaving=workflow["id"])
    expect(canvas_node(page, "Prompt Template")).to_be_visible()
    assert "sk-FAKE" not in json.dumps(get_workflow(api, imported_id))


def test_dropping_an_unknown_file_on_the_list_lists_the_problem(page: Page, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": "world"}), encoding="utf-8")
    page.goto("/")
    expect(page.get_by_role("button", name="Import", exact=True)).to_be_visible()

    _drop_file(page, "body", other)

    dialog = page.get_by_role("dialog", name="Import failed")
    expect(dialog).to_contain_text("not a workflow any of them writes")
    expect(dialog.get_by_role("list", name="Problems")).to_contain_text("/source")


def test_export_refuses_a_key_in_prompt_text_and_names_the_node(
    page: Page, base_url: str, screenshot
) -> None:
    name = unique("Leaky")
    prompt = {
        "id": "p",
        "type": "prompt.template",
        "label": "Risky prompt",
        "position": {"x": 0, "y": 0},
        "params": {"template": "Call with sk-proj-E2eE2eE2eE2eE2eE2e0123456789 please"},
    }
    # No save stores a key any more: a workflow an earlier release stored may hold one.
    store_legacy_workflow(base_url, name, {"nodes": [prompt], "edges": []})

    page.goto("/?q=" + name.split()[-1])
    page.get_by_role("button", name=f"Actions for {name}").click()
    downloads: list[object] = []
    page.on("download", lambda download: downloads.append(download))
    page.get_by_role("menuitem", name="Export").click()

    notice = page.get_by_role("alert").filter(has_text="Export refused")
    expect(notice).to_be_visible()
    expect(notice.get_by_role("list", name="Nodes holding secrets")).to_contain_text(
        "Node 'Risky prompt' (Prompt template) holds what looks like an OpenAI API key"
    )
    expect(notice).not_to_contain_text("sk-proj-E2e")
    page.wait_for_timeout(500)  # let the notification finish sliding in for the picture
    screenshot(page, "export-refused")
    assert downloads == []


def _chat_through(credential: str) -> dict:
    """Input → an OpenAI-compatible chat model using `credential` (and its URL) → output."""
    chat = doc_node(
        "llm",
        "model.chat",
        340,
        provider="openai_compatible",
        model="slow-3-10",
        credential={"$credential": credential},
    )
    return question_to_answer(chat)


def test_export_with_a_credential_import_as_another_user_map_it_and_run(
    new_context, openai_url: str, tmp_path: Path, screenshot
) -> None:
    owner_secret, importer_secret = "sk-owner-0123456789abcdefOWNER", "sk-importer-0123456789IMPORT"
    owner = new_context().request
    sign_up_by_api(owner, "Owner")
    created = owner.post(
        "/api/v1/credentials",
        data={
            "name": "team-llm",
            "provider": "openai_compatible",
            "secret": owner_secret,
            "base_url": openai_url,
        },
    )
    assert created.status == 201, created.text()
    workflow = create_workflow(owner, unique("Shared chat"), _chat_through("team-llm"))
    exported = owner.get(f"/api/v1/workflows/{workflow['id']}/export")
    assert exported.status == 200, exported.text()
    assert owner_secret not in exported.text()
    assert json.loads(exported.body())["credentials"] == [
        {"name": "team-llm", "provider": "openai_compatible"}
    ]
    path = tmp_path / "shared-chat.nodeloom.json"
    path.write_bytes(exported.body())

    importer = new_context()
    sign_up_by_api(importer.request, "Importer")
    mine = importer.request.post(
        "/api/v1/credentials",
        data={
            "name": "my-llm",
            "provider": "openai_compatible",
            "secret": importer_secret,
            "base_url": openai_url,
        },
    )
    assert mine.status == 201, mine.text()
    page = importer.new_page()
    page.goto("/")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import", exact=True).click()
    chooser.value.set_files(path)
    dialog = page.get_by_role("dialog", name="Import workflow")
    dialog.get_by_role("combobox", name="Credential for team-llm").click()
    page.get_by_role("option", name=re.compile(r"^my-llm")).click()
    screenshot(page, "import-credential-mapping")
    dialog.get_by_role("button", name="Import", exact=True).click()

    imported_id = _opened_workflow_id(page)
    start_run(page, question="Hello?")
    expect(run_bar(page).get_by_text("Succeeded")).to_be_visible(timeout=20_000)
    stored = get_workflow(importer.request, imported_id)
    llm = next(node for node in stored["document"]["nodes"] if node["id"] == "llm")
    assert llm["params"]["credential"] == {"$credential": "my-llm"}
    assert stored["document"]["credentials"] == [
        {"name": "my-llm", "provider": "openai_compatible"}
    ]
    # The owner's workflow stays theirs: the importer cannot see it.
    assert importer.request.get(f"/api/v1/workflows/{workflow['id']}").status == 404
