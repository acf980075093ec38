"""Must hold 4 (issue 4): runs on the canvas.

Build a three-node workflow on the canvas, run it and see every node finish with its
output; run a slow one (a streaming model served by the fake OpenAI-compatible server
of the backend tests) and watch the nodes change state in order, tokens arriving, the
picture surviving a reload mid-run; then re-open a past run from the run panel.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import (
    canvas_node,
    connect,
    create_workflow,
    doc_node,
    drop_from_palette,
    expect_status,
    inspector,
    open_workflow,
    question_to_answer,
    select_node,
    unique,
    wait_saved,
)
from playwright.sync_api import Locator, Page, expect

EDGE = re.compile(r"^Edge from ")
FAKE_OPENAI = Path(__file__).resolve().parent.parent / "tests" / "fakes" / "openai_server.py"
SLOW_TOKENS = 24
SLOW_DELAY_MS = 100  # about 2.4 s of streaming
RUNS_PAGE_SIZE = 50  # frontend/src/run/api.ts


@pytest.fixture(scope="module")
def openai_url() -> Iterator[str]:
    spec = importlib.util.spec_from_file_location("fake_openai", FAKE_OPENAI)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with module.fake_openai() as url:
        yield url


def node_status(node: Locator) -> Locator:
    """The run badge on a node (role=status, named after the state)."""
    return node.get_by_role("status", name=re.compile(r"^Run status: "))


def expect_node(node: Locator, state: str, timeout: float = 10_000) -> None:
    expect(node_status(node)).to_have_attribute(
        "aria-label", f"Run status: {state}", timeout=timeout
    )


def run_bar(page: Page) -> Locator:
    return page.get_by_role("region", name="Current run")


def start_run(page: Page, **inputs: str) -> None:
    page.get_by_role("button", name="Run", exact=True).click()
    dialog = page.get_by_role("dialog", name="Run workflow")
    for name, value in inputs.items():
        dialog.get_by_label(name).fill(value)
    dialog.get_by_role("button", name="Run", exact=True).click()
    expect(dialog).to_have_count(0)


def slow_chat(base_url: str) -> dict:
    model = f"slow-{SLOW_TOKENS}-{SLOW_DELAY_MS}"
    return question_to_answer(
        doc_node(
            "llm", "model.chat", 340, provider="openai_compatible", model=model, base_url=base_url
        )
    )


def test_build_run_and_see_outputs(page: Page, api, screenshot) -> None:
    open_workflow(page, api, "Greeting run")
    run_button = page.get_by_role("button", name="Run", exact=True)
    # An empty canvas has nothing to run: the button says so.
    expect(run_button).to_be_disabled()
    run_button.hover(force=True)
    expect(page.get_by_role("tooltip")).to_have_text("Add a node to run this workflow")
    screenshot(page, "run-empty-canvas")

    question = drop_from_palette(page, "Input", 130, 200)
    template = drop_from_palette(page, "Prompt template", 460, 200)
    output = drop_from_palette(page, "Output", 790, 200)

    select_node(page, question)
    inspector(page).get_by_role("textbox", name="Name").nth(1).fill("who")
    select_node(page, template)
    inspector(page).get_by_label("Template").fill("Hello, {who}!")
    expect(template.get_by_label("who input")).to_be_visible()
    select_node(page, output)
    inspector(page).get_by_role("textbox", name="Name").nth(1).fill("greeting")
    connect(page, question, "value", template, "who")
    connect(page, template, "prompt", output, "value")
    expect(page.get_by_role("group", name=EDGE)).to_have_count(2)
    wait_saved(page)
    expect(run_button).to_be_enabled()

    start_run(page, who="Ada")
    expect(run_bar(page).get_by_text("Succeeded")).to_be_visible()
    for node in (question, template, output):
        expect_node(node, "Succeeded")
    expect(template.get_by_label("Output preview")).to_have_text("Hello, Ada!")
    expect(output.get_by_label("Output preview")).to_have_text("Hello, Ada!")
    expect(page.get_by_role("group", name=EDGE).locator("[data-run=done]")).to_have_count(2)
    screenshot(page, "run-finished-light")

    # A broken graph cannot run: the button says why.
    page.get_by_role("button", name="Hide run status").click()
    expect(node_status(template)).to_have_count(0)
    drop_from_palette(page, "Output", 790, 460)  # an output with nothing connected
    wait_saved(page)
    expect(run_button).to_be_disabled()
    run_button.hover(force=True)
    expect(page.get_by_role("tooltip")).to_have_text(re.compile(r"^Fix 1 problem before running"))


def test_a_template_dropped_before_its_feeders_runs(page: Page, api, screenshot) -> None:
    """The order a person drops nodes in never matters: the template first, then the
    inputs that feed it, then the output (a document listing a node before its feeders
    once failed at once with "Need to add_node first"). Names in any script."""
    open_workflow(page, api, "Template first")
    template = drop_from_palette(page, "Prompt template", 460, 220)
    inspector(page).get_by_label("Template").fill("{a} and {имя}")
    expect(template.get_by_label("имя input")).to_be_visible()
    first = drop_from_palette(page, "Input", 130, 120)
    inspector(page).get_by_role("textbox", name="Name").nth(1).fill("a")
    second = drop_from_palette(page, "Input", 130, 330)
    inspector(page).get_by_role("textbox", name="Name").nth(1).fill("имя")
    output = drop_from_palette(page, "Output", 790, 220)
    inspector(page).get_by_role("textbox", name="Name").nth(1).fill("結果")
    connect(page, first, "value", template, "a")
    connect(page, second, "value", template, "имя")
    connect(page, template, "prompt", output, "value")
    expect(page.get_by_role("group", name=EDGE)).to_have_count(3)
    wait_saved(page)
    expect(page.get_by_text("No problems", exact=True)).to_be_visible()

    start_run(page, a="salt", имя="pepper")
    expect(run_bar(page).get_by_text("Succeeded")).to_be_visible()
    for node in (template, first, second, output):
        expect_node(node, "Succeeded")
    expect(output.get_by_label("Output preview")).to_have_text("salt and pepper")
    screenshot(page, "run-template-dropped-first")


def test_slow_run_live_reload_and_past_runs(page: Page, api, openai_url, screenshot) -> None:
    workflow = create_workflow(api, unique("Slow chat"), slow_chat(openai_url))
    page.goto(f"/workflows/{workflow['id']}")
    expect_status(page, "Saved")
    question, chat, output = (
        canvas_node(page, title) for title in ("Input", "Chat model", "Output")
    )

    start_run(page, question="Why is the sky blue?")
    # In progress: the input is done, the model is running and streaming, the output waits.
    expect_node(chat, "Running")
    expect_node(question, "Succeeded")
    expect_node(output, "Queued")
    expect(chat.get_by_label("Streaming output")).to_contain_text("t2 ")
    expect(page.get_by_role("group", name=EDGE).locator("[data-run=flowing]")).to_have_count(1)
    expect(run_bar(page).get_by_text("Running")).to_be_visible()
    screenshot(page, "run-in-progress-light")
    assert "run=" in page.url

    # Reload mid-run: the same run is shown and carries on from where it is.
    page.reload()
    expect_node(question, "Succeeded")
    expect_node(chat, "Running")
    expect(chat.get_by_label("Streaming output")).to_contain_text("t")
    page.get_by_role("button", name="Switch to dark theme").click()
    screenshot(page, "run-in-progress-dark")

    expect_node(chat, "Succeeded", timeout=15_000)
    expect_node(output, "Succeeded")
    answer = " ".join(f"t{index}" for index in range(SLOW_TOKENS))
    expect(output.get_by_label("Output preview")).to_contain_text(answer)
    expect(run_bar(page).get_by_text("Succeeded")).to_be_visible()
    screenshot(page, "run-finished-dark")
    page.get_by_role("button", name="Switch to light theme").click()

    # A second run, cancelled: the chat node stops, the run says cancelled.
    start_run(page, question="And the sea?")
    expect_node(chat, "Running")
    run_bar(page).get_by_role("button", name="Cancel run").click()
    expect(run_bar(page).get_by_text("Cancelled")).to_be_visible()
    expect_node(chat, "Stopped")

    # The run panel lists both; the first re-opens with its final picture.
    page.get_by_role("button", name="Hide run status").click()
    page.get_by_role("button", name="Runs", exact=True).click()
    panel = page.get_by_role("dialog", name="Runs")
    runs = panel.get_by_role("listitem")
    expect(runs).to_have_count(2)
    expect(runs.nth(0)).to_contain_text("Cancelled")
    expect(runs.nth(1)).to_contain_text("Succeeded")
    runs.nth(1).get_by_role("button", name=re.compile(r"^Run 1,")).click()
    for node in (question, chat, output):
        expect_node(node, "Succeeded")
    expect(output.get_by_label("Output preview")).to_contain_text(answer)
    screenshot(page, "run-panel-past-run")


def test_the_run_panel_reaches_every_past_run(page: Page, api, screenshot) -> None:
    workflow = create_workflow(api, unique("Many runs"), question_to_answer())
    runs_url = f"/api/v1/workflows/{workflow['id']}/runs?wait=10"
    count = RUNS_PAGE_SIZE + 2
    for index in range(count):  # through the API: what matters here is the panel
        response = api.post(runs_url, data={"inputs": {"question": f"question {index + 1}"}})
        assert response.status == 200 and response.json()["status"] == "succeeded"
    page.goto(f"/workflows/{workflow['id']}")
    expect_status(page, "Saved")

    page.get_by_role("button", name="Runs", exact=True).click()
    panel = page.get_by_role("dialog", name="Runs")
    runs = panel.get_by_role("listitem")
    expect(runs).to_have_count(RUNS_PAGE_SIZE)
    showing = f"Showing the newest {RUNS_PAGE_SIZE} of {count} runs"
    expect(panel.get_by_text(showing)).to_be_visible()
    panel.get_by_role("button", name="Load older runs").click()
    expect(runs).to_have_count(count)
    expect(panel.get_by_role("button", name="Load older runs")).to_have_count(0)

    # The oldest run re-opens with its own inputs and output.
    first = runs.last.get_by_role("button", name=re.compile(r"^Run 1,"))
    first.scroll_into_view_if_needed()
    first.click()
    output = canvas_node(page, "Output")
    expect_node(output, "Succeeded")
    expect(output.get_by_label("Output preview")).to_have_text("question 1")
    screenshot(page, "run-panel-oldest-run")


def keyless_chat() -> dict:
    """OpenAI with a credential nobody stored: the chat node fails at once, saying so."""
    return doc_node(
        "llm",
        "model.chat",
        340,
        provider="openai",
        model="gpt-4o-mini",
        credential={"$credential": "nowhere"},
    )


def test_the_run_panel_says_why_a_run_failed(page: Page, api, screenshot) -> None:
    workflow = create_workflow(api, unique("Keyless chat"), question_to_answer(keyless_chat()))
    response = api.post(
        f"/api/v1/workflows/{workflow['id']}/runs?wait=10", data={"inputs": {"question": "hi"}}
    )
    assert response.status == 200 and response.json()["status"] == "failed", response.text()
    message = response.json()["error"]["message"]
    page.goto(f"/workflows/{workflow['id']}")
    expect_status(page, "Saved")

    page.get_by_role("button", name="Runs", exact=True).click()
    run = page.get_by_role("dialog", name="Runs").get_by_role("listitem")
    expect(run).to_have_count(1)
    expect(run).to_contain_text("Failed")
    expect(run).to_contain_text(message)
    run.get_by_role("button", name=re.compile(r"^Run 1,")).click()
    expect_node(canvas_node(page, "Chat model"), "Failed")
    screenshot(page, "run-panel-failed-run")


def test_the_run_panel_shows_the_runs_of_one_status(page: Page, api, screenshot) -> None:
    name = unique("Mixed runs")
    workflow = create_workflow(api, name, question_to_answer())  # version 2: it answers
    runs_url = f"/api/v1/workflows/{workflow['id']}/runs?wait=10"

    def run(question: str, version: int | None = None) -> str:
        url = runs_url if version is None else f"{runs_url}&version={version}"
        response = api.post(url, data={"inputs": {"question": question}})
        assert response.status == 200, response.text()
        return response.json()["status"]

    assert run("question 1") == "succeeded"
    saved = api.put(
        f"/api/v1/workflows/{workflow['id']}",
        data={**question_to_answer(keyless_chat()), "name": name},
        headers={"If-Match": '"2"'},
    )
    assert saved.status == 200, saved.text()
    assert run("question 2") == "failed"
    assert run("question 3", version=2) == "succeeded"
    page.goto(f"/workflows/{workflow['id']}")
    expect_status(page, "Saved")

    page.get_by_role("button", name="Runs", exact=True).click()
    panel = page.get_by_role("dialog", name="Runs")
    runs = panel.get_by_role("listitem")
    expect(runs).to_have_count(3)

    def show(label: str) -> None:
        panel.get_by_role("combobox", name="Show runs").click()
        page.get_by_role("option", name=label, exact=True).click()

    show("Failed")
    expect(runs).to_have_count(1)
    expect(runs.first).to_contain_text("Run #2")  # its number, not #1 of the filtered list
    expect(runs.first).to_contain_text("Failed")
    screenshot(page, "run-panel-filtered")
    show("Cancelled")
    expect(panel.get_by_text("No cancelled runs.")).to_be_visible()
    show("Succeeded")
    expect(runs).to_have_count(2)
    expect(runs.nth(0)).to_contain_text("Run #3")
    expect(runs.nth(1)).to_contain_text("Run #1")
    runs.nth(1).get_by_role("button", name=re.compile(r"^Run 1,")).click()
    output = canvas_node(page, "Output")
    expect_node(output, "Succeeded")
    expect(output.get_by_label("Output preview")).to_have_text("question 1")
    show("All runs")
    expect(runs).to_have_count(3)
