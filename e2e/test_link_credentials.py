"""A visitor with an edit link edits a workflow that runs on its owner's keys: the
inspector shows the owner's credential, says only the owner can change it, and offers
none of the visitor's own; what the visitor saves keeps it (issue 20, must-hold 1; the
server's refusal of a swapped credential is tested in
tests/backend/auth/test_credential_exfiltration.py)."""

from __future__ import annotations

import re

from helpers import (
    canvas_node,
    create_workflow,
    doc_node,
    expect_status,
    inspector,
    question_to_answer,
    select_node,
    unique,
)
from playwright.sync_api import expect
from test_share_links import new_context, shot, sign_up_by_api

__all__ = ["new_context", "shot"]  # fixtures shared with test_share_links

NOWHERE = "http://127.0.0.1:9/v1"  # the discard port: nothing is called in this test


def add_credential(api, name: str, secret: str) -> None:
    response = api.post(
        "/api/v1/credentials",
        data={"name": name, "provider": "openai_compatible", "secret": secret, "base_url": NOWHERE},
    )
    assert response.status == 201, response.text()


def test_an_edit_link_visitor_cannot_switch_the_owners_credential(new_context, shot) -> None:
    owner_api = new_context().request
    sign_up_by_api(owner_api, "Ada Lovelace")
    add_credential(owner_api, "team", "sk-team-0123456789abcdef")
    chat = doc_node(
        "llm", "model.chat", 340, provider="openai_compatible", credential={"$credential": "team"}
    )
    workflow = create_workflow(owner_api, unique("Ask the team model"), question_to_answer(chat))
    link = owner_api.post(f"/api/v1/workflows/{workflow['id']}/share-links", data={"scope": "edit"})
    assert link.status == 201, link.text()

    visitor = new_context().new_page()
    sign_up_by_api(visitor.context.request, "Grace Hopper")
    add_credential(visitor.context.request, "mine", "sk-mine-0123456789abcdef")
    visitor.goto(link.json()["url"])
    select_node(visitor, canvas_node(visitor, "Chat model"))
    field = inspector(visitor).get_by_role("textbox", name="Credential")
    expect(field).to_have_value("team")
    expect(field).to_have_attribute("readonly", "")
    expect(
        inspector(visitor).get_by_text(
            "Runs use Ada Lovelace’s credential “team”. Only Ada Lovelace can change it."
        )
    ).to_be_visible()
    field.click()
    expect(visitor.get_by_role("option", name=re.compile("^mine"))).to_have_count(0)
    expect(inspector(visitor).get_by_role("button", name="Add a credential")).to_have_count(0)
    shot(visitor, "edit-link-owners-credential")

    # An edit the visitor may make still saves, and the credential stays the owner's.
    inspector(visitor).get_by_role("textbox", name="Model", exact=True).fill("echo")
    expect_status(visitor, "Saved")
    stored = owner_api.get(f"/api/v1/workflows/{workflow['id']}").json()
    (node,) = [n for n in stored["document"]["nodes"] if n["id"] == "llm"]
    assert node["params"]["credential"] == {"$credential": "team"}
    assert node["params"]["model"] == "echo"
    assert stored["version"] == workflow["version"] + 1
