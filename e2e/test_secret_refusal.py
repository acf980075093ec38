"""A key pasted into a prompt template is refused at save; the editor names the node and
the param, and one click on "Store as credential" keeps the key in a credential, puts
nothing of it in the workflow and saves (issue 20, "Secrets never sit in params")."""

from __future__ import annotations

import json
import re

from helpers import (
    drop_from_palette,
    expect_status,
    get_workflow,
    inspector,
    open_workflow,
    select_node,
    wait_saved,
)
from playwright.sync_api import Page, expect

KEY = "sk-proj-E2eMoveMe9x8y7z6w5v4u3t2s1r0qPastedKey"


def test_a_pasted_key_is_refused_and_stored_as_a_credential_in_one_click(
    page: Page, api, screenshot
) -> None:
    workflow_id = open_workflow(page, api, "Pasted key")
    name = get_workflow(api, workflow_id)["name"]
    credential = "openai-" + re.sub(r"[^a-z0-9]+", "-", name.lower())
    prompt = drop_from_palette(page, "Prompt template", 420, 300)
    select_node(page, prompt)

    inspector(page).get_by_label("Template").fill(f"Use {KEY} to answer {{question}}")
    page.keyboard.press("Control+s")

    banner = page.get_by_role("alert").filter(has_text="Not saved: a secret sits in the workflow")
    expect(banner).to_be_visible()
    secrets = banner.get_by_role("list", name="Secrets in node params")
    expect(secrets).to_contain_text("Prompt template · template")
    expect(secrets).to_contain_text("looks like an OpenAI API key")
    expect(banner).not_to_contain_text(KEY)
    expect_status(page, "Not saved")
    screenshot(page, "secret-refused")

    banner.get_by_role("button", name=re.compile("^Store as credential")).click()
    dialog = page.get_by_role("dialog", name="Add a credential")
    expect(dialog.get_by_role("textbox", name="Name")).to_have_value(credential)
    expect(dialog.get_by_label("API key", exact=False).last).to_have_value(KEY)
    screenshot(page, "secret-store-as-credential")
    dialog.get_by_role("button", name="Add credential").click()

    expect(banner).to_have_count(0)
    wait_saved(page)
    expect(inspector(page).get_by_label("Template")).to_have_value("Use  to answer {question}")
    document = get_workflow(api, workflow_id)["document"]
    assert KEY not in json.dumps(document)
    (template,) = [n["params"]["template"] for n in document["nodes"]]
    assert template == "Use  to answer {question}"
    history = api.get(f"/api/v1/workflows/{workflow_id}/versions").json()["items"]
    for version in history:
        stored = api.get(f"/api/v1/workflows/{workflow_id}/versions/{version['version']}")
        assert KEY not in stored.text()

    page.goto("/credentials")
    table = page.get_by_role("table", name="Credentials")
    row = table.get_by_role("row").filter(has_text=credential)
    expect(row).to_contain_text("OpenAI")
    expect(row).to_contain_text(f"••••{KEY[-4:]}")
    assert KEY not in page.content()
    screenshot(page, "secret-stored-credential")
