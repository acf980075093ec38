"""Must hold 3 (issue 6): share links in Chromium, on a server in accounts mode.

The owner signs up, adds a credential, and shares a workflow by a view link; a fresh
browser context with no session opens it and sees the canvas read-only (no save, no
palette, no edit controls, nodes that do not move) while its API writes are refused;
the owner revokes the link and the visitor's reload shows "This link no longer works".
Then a run link: the visitor runs the workflow and watches it live, node by node.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import VIEWPORT
from helpers import canvas_node, centre, create_workflow, drag, expect_status, unique
from playwright.sync_api import APIRequestContext, Browser, BrowserContext, Page, expect
from test_runs import SLOW_TOKENS, expect_node, openai_url, run_bar, slow_chat, start_run

__all__ = ["openai_url"]  # the fake OpenAI-compatible server fixture, shared with test_runs

PASSWORD = "correct horse battery"
CANARY = "sk-e2e-canary-0123456789abcdefXYZ9"
# Reviewers look at these; `screenshot` also keeps a copy under .test-artifacts/.
SHOTS = Path("/tmp/shots")


def greeting() -> dict:
    """Input → prompt template → output: runs offline, no credential needed."""

    def node(node_id: str, kind: str, x: int, **params):
        return {"id": node_id, "type": kind, "position": {"x": x, "y": 120}, "params": params}

    return {
        "format": "nodeloom.workflow",
        "version": 1,
        "name": "Greeting",
        "nodes": [
            node("q", "io.input", 0, name="who"),
            node("t", "prompt.template", 340, template="Hello, {who}!"),
            node("out", "io.output", 680, name="greeting"),
        ],
        "edges": [
            {
                "id": "e1",
                "source": "q",
                "sourceHandle": "value",
                "target": "t",
                "targetHandle": "who",
            },
            {
                "id": "e2",
                "source": "t",
                "sourceHandle": "prompt",
                "target": "out",
                "targetHandle": "value",
            },
        ],
        "viewport": {"x": 60, "y": 140, "zoom": 1},
    }


@pytest.fixture
def new_context(browser: Browser, accounts_url: str) -> Iterator[Callable[[], BrowserContext]]:
    """Fresh browser contexts on the accounts-mode server: no cookies, no storage."""
    made: list[BrowserContext] = []

    def make() -> BrowserContext:
        # What the app's own pages send: its API requests (context.request) must carry it
        # too, or the server refuses them as cross-site.
        context = browser.new_context(
            base_url=accounts_url, viewport=VIEWPORT, extra_http_headers={"Origin": accounts_url}
        )
        context.set_default_timeout(10_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def shot(screenshot):
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> None:
        shutil.copy(screenshot(page, name), SHOTS / f"{name}.png")

    return take


def sign_up_in_browser(page: Page, name: str) -> str:
    """Anonymous at `/` → sent to /login → "Create an account" (a common password first,
    refused) → signed in, at the list."""
    email = f"{unique('owner').replace(' ', '-')}@example.com"
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    password = page.get_by_role("textbox", name="Password")
    password.fill("Password1")  # among the most used: refused, the reason under the field
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("This password is one of the 10,000 most used")).to_be_visible()
    password.fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Workflows", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=f"Account menu for {name}")).to_be_visible()
    return email


def sign_up_by_api(api: APIRequestContext, name: str) -> None:
    email = f"{unique('owner').replace(' ', '-')}@example.com"
    response = api.post(
        "/api/v1/auth/signup", data={"email": email, "name": name, "password": PASSWORD}
    )
    assert response.status == 201, response.text()


def create_link(page: Page, scope: str, shot: Callable[[Page, str], None] | None = None) -> str:
    """Share → pick `scope` → Create: the dialog shows the link once; returns its URL."""
    page.get_by_role("button", name="Share", exact=True).click()
    dialog = page.get_by_role("dialog", name=re.compile(r"^Share “"))
    dialog.get_by_text(scope, exact=True).click()
    if shot:
        shot(page, f"share-dialog-{scope.lower()}-form")
    dialog.get_by_role("button", name=f"Create {scope.lower()} link").click()
    url = dialog.get_by_test_id("secret-once").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_-]{43,}", url), url
    return url


def test_view_link_is_read_only_and_dies_when_revoked(new_context, shot, screenshot) -> None:
    owner = new_context().new_page()
    sign_up_in_browser(owner, "Ada Lovelace")
    api = owner.context.request  # shares the owner's session cookie

    # A credential, added on the credentials page: afterwards only its last four show.
    owner.get_by_role("link", name="Credentials").click()
    owner.get_by_role("button", name="Add your first credential").click()
    form = owner.get_by_role("dialog", name="Add a credential")
    form.get_by_role("textbox", name="API key").fill(CANARY)
    form.get_by_role("button", name="Add credential").click()
    expect(form).to_have_count(0)
    row = owner.get_by_role("table", name="Credentials").get_by_role("row").nth(1)
    expect(row).to_contain_text("openai")
    expect(row).to_contain_text(f"••••{CANARY[-4:]}")
    assert CANARY not in owner.content()
    owner.get_by_role("alert").get_by_role("button").click()  # the "Added" notification
    shot(owner, "credentials-page")

    workflow = create_workflow(api, unique("Greeting"), greeting())
    owner.goto(f"/workflows/{workflow['id']}")
    expect_status(owner, "Saved")
    url = create_link(owner, "View", shot)
    dialog = owner.get_by_role("dialog", name=re.compile(r"^Share “"))
    expect(
        dialog.get_by_role("listitem", name=re.compile(r"^View link .*, active$"))
    ).to_be_visible()
    shot(owner, "share-dialog")
    token = url.rsplit("/", 1)[1]

    # A visitor with no session: the canvas, read-only.
    visitor = new_context().new_page()
    visitor.goto(url)
    expect(visitor.get_by_role("heading", name=workflow["name"])).to_be_visible()
    expect(visitor.get_by_text("View only")).to_be_visible()
    expect(visitor.get_by_text("Shared by Ada Lovelace")).to_be_visible()
    template = canvas_node(visitor, "Prompt template")
    expect(template).to_be_visible()
    expect(canvas_node(visitor, "Input")).to_be_visible()
    for absent in (
        visitor.get_by_role("button", name="Save"),
        visitor.get_by_role("button", name="Run", exact=True),
        visitor.get_by_role("button", name="Share", exact=True),
        visitor.get_by_role("complementary", name="Node palette"),
        visitor.get_by_role("toolbar", name="Canvas tools"),
        visitor.get_by_role("button", name="Version history"),
    ):
        expect(absent).to_have_count(0)
    expect(visitor.get_by_role("link", name="Sign in to duplicate")).to_be_visible()
    shot(visitor, "shared-view")

    # Nodes neither move nor open for editing (a drag pans the view instead).
    position = "el => el.style.transform"  # the node's place in the flow, not on screen
    before = template.evaluate(position)
    drag(visitor, centre(template), (centre(template)[0] + 160, centre(template)[1] + 120))
    assert template.evaluate(position) == before
    visitor.mouse.dblclick(*centre(template))
    expect(visitor.get_by_role("complementary", name="Inspector")).to_have_count(0)
    expect(template.get_by_role("textbox")).to_have_count(0)

    # Writes from the visitor's context are refused, and nothing changes.
    writes = visitor.context.request
    document = {**greeting(), "name": "Vandalised"}
    if_match = {"If-Match": f'"{workflow["version"]}"'}
    refused = [
        writes.put(f"/api/v1/workflows/{workflow['id']}", data=document, headers=if_match),
        writes.put(f"/api/v1/shared/{token}/workflow", data=document, headers=if_match),
        writes.post(f"/api/v1/shared/{token}/runs", data={"inputs": {"who": "Eve"}}),
        writes.post(f"/api/v1/shared/{token}/duplicate"),
        writes.post("/api/v1/workflows", data={"name": "Eve's"}),
        writes.delete(f"/api/v1/workflows/{workflow['id']}"),
    ]
    for response in refused:
        assert response.status in (401, 403, 404), (response.url, response.status)
    stored = api.get(f"/api/v1/workflows/{workflow['id']}").json()
    assert (stored["version"], stored["name"]) == (workflow["version"], workflow["name"])

    # The owner revokes the link; the visitor's reload shows the dead-link page at once.
    dialog.get_by_role("button", name="Revoke").click()
    confirm = owner.get_by_role("dialog", name="Revoke this view link?")  # asks first
    expect(confirm).to_contain_text("loses access at once")
    expect(confirm).to_have_css("opacity", "1")  # faded in
    screenshot(owner, "share-revoke-confirm")
    confirm.get_by_role("button", name="Revoke link").click()
    expect(
        dialog.get_by_role("listitem", name=re.compile(r"^View link .*, revoked$"))
    ).to_be_visible()
    revoked_at = time.monotonic()
    visitor.reload()
    expect(visitor.get_by_role("heading", name="This link no longer works")).to_be_visible()
    assert time.monotonic() - revoked_at < 5
    expect(visitor.get_by_role("heading", name=workflow["name"])).to_have_count(0)
    assert writes.get(f"/api/v1/shared/{token}").status == 404
    shot(visitor, "shared-link-gone")


def test_run_link_runs_and_is_watched_live(new_context, openai_url, shot) -> None:
    owner = new_context().new_page()
    sign_up_by_api(owner.context.request, "Grace Hopper")
    workflow = create_workflow(owner.context.request, unique("Slow chat"), slow_chat(openai_url))
    owner.goto(f"/workflows/{workflow['id']}")
    expect_status(owner, "Saved")
    url = create_link(owner, "Run", shot)

    visitor = new_context().new_page()
    visitor.goto(url)
    expect(visitor.get_by_text("Can run")).to_be_visible()
    question, chat, output = (
        canvas_node(visitor, title) for title in ("Input", "Chat model", "Output")
    )
    expect(chat).to_be_visible()
    expect(visitor.get_by_role("button", name="Save")).to_have_count(0)
    expect(visitor.get_by_role("complementary", name="Node palette")).to_have_count(0)

    start_run(visitor, question="Why is the sky blue?")
    # Live: the model runs and streams while the output waits, then everything finishes.
    expect_node(chat, "Running")
    expect_node(question, "Succeeded")
    expect_node(output, "Queued")
    expect(chat.get_by_label("Streaming output")).to_contain_text("t2 ")
    expect(run_bar(visitor).get_by_text("Running")).to_be_visible()
    expect(run_bar(visitor).get_by_role("button", name="Cancel run")).to_have_count(0)
    shot(visitor, "shared-run-live")
    expect_node(chat, "Succeeded", timeout=15_000)
    expect_node(output, "Succeeded")
    answer = " ".join(f"t{index}" for index in range(SLOW_TOKENS))
    expect(output.get_by_label("Output preview")).to_contain_text(answer)
    expect(run_bar(visitor).get_by_text("Succeeded")).to_be_visible()
    shot(visitor, "shared-run-finished")

    # The run is the owner's: it is in their list of runs.
    runs = owner.context.request.get(f"/api/v1/workflows/{workflow['id']}/runs").json()
    assert [run["status"] for run in runs["items"]] == ["succeeded"]


def test_edit_link_asks_to_sign_in_then_saves_as_the_visitor(new_context, shot) -> None:
    owner = new_context().new_page()
    owner_api = owner.context.request
    sign_up_by_api(owner_api, "Ada Lovelace")
    workflow = create_workflow(owner_api, unique("Greeting"), greeting())
    response = owner_api.post(
        f"/api/v1/workflows/{workflow['id']}/share-links", data={"scope": "edit"}
    )
    assert response.status == 201, response.text()
    url = response.json()["url"]

    # Anonymous: the canvas read-only, with a way to sign in.
    visitor = new_context().new_page()
    visitor.goto(url)
    expect(visitor.get_by_text("Can edit")).to_be_visible()
    expect(visitor.get_by_role("complementary", name="Node palette")).to_have_count(0)
    visitor.get_by_role("link", name="Sign in to edit").click()
    expect(visitor).to_have_url(re.compile(r"/login\?next="))
    shot(visitor, "login")
    visitor.get_by_role("link", name="Create an account").click()
    visitor.get_by_label("Name").fill("Grace Hopper")
    visitor.get_by_label("Email").fill(f"{unique('visitor').replace(' ', '-')}@example.com")
    visitor.get_by_role("textbox", name="Password").fill(PASSWORD)
    visitor.get_by_role("button", name="Create account").click()

    # Back at the link, signed in: the editor, saving through the link.
    expect(visitor).to_have_url(re.compile(re.escape(url) + "$"))
    expect(visitor.get_by_role("complementary", name="Node palette")).to_be_visible()
    expect(visitor.get_by_text("Shared by Ada Lovelace")).to_be_visible()
    expect(visitor.get_by_role("button", name="Version history")).to_have_count(0)
    expect(visitor.get_by_role("button", name="Share", exact=True)).to_have_count(0)
    visitor.get_by_role("button", name="Add sticky note").click()
    expect_status(visitor, "Saved")
    shot(visitor, "shared-edit")

    versions = owner_api.get(f"/api/v1/workflows/{workflow['id']}/versions").json()["items"]
    assert versions[0]["version"] == workflow["version"] + 1
    assert versions[0]["author"] == "Grace Hopper"
    stored = owner_api.get(f"/api/v1/workflows/{workflow['id']}").json()
    assert any(node["type"] == "ui.note" for node in stored["document"]["nodes"])
