"""Issue 20, must hold 6, in Chromium: two browser contexts are two visitors of one run
link; each sees only the runs it started ("Your runs"), never the other's, and the owner's
latest run only once the owner switches it on for the link in the Share dialog.
"""

from __future__ import annotations

import re

from helpers import canvas_node, create_workflow, expect_status, unique
from playwright.sync_api import Locator, Page, expect
from test_runs import expect_node, run_bar, start_run
from test_share_links import create_link, greeting, new_context, shot, sign_up_by_api

__all__ = ["new_context", "shot"]  # fixtures shared with test_share_links


def your_runs(page: Page) -> Locator:
    """Opens "Your runs" and returns the popover."""
    page.get_by_role("button", name=re.compile(r"^Your runs")).click()
    popover = page.get_by_role("dialog", name="Your runs")
    expect(popover).to_have_css("opacity", "1")  # faded in
    return popover


def close_popover(page: Page) -> None:
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Your runs")).to_have_count(0)


def greet(page: Page, who: str) -> None:
    """Runs the greeting as `who` and waits for its answer on the canvas."""
    start_run(page, who=who)
    output = canvas_node(page, "Output")
    expect_node(output, "Succeeded")
    expect(output.get_by_label("Output preview")).to_contain_text(f"Hello, {who}!")


def test_visitors_see_only_their_own_runs(new_context, shot) -> None:
    owner = new_context().new_page()
    owner_api = owner.context.request
    sign_up_by_api(owner_api, "Ada Lovelace")
    workflow = create_workflow(owner_api, unique("Greeting"), greeting())
    ran = owner_api.post(
        f"/api/v1/workflows/{workflow['id']}/runs?wait=10", data={"inputs": {"who": "Owner"}}
    )
    assert ran.status == 200 and ran.json()["status"] == "succeeded", ran.text()
    owner.goto(f"/workflows/{workflow['id']}")
    expect_status(owner, "Saved")
    url = create_link(owner, "Run")  # "Show my latest run" is off unless switched on
    token = url.rsplit("/", 1)[1]

    # Alice: no runs yet, and none of the owner's; she runs it and it is listed as hers.
    alice = new_context().new_page()
    alice.goto(url)
    expect(alice.get_by_text("Can run")).to_be_visible()
    expect(your_runs(alice)).to_contain_text("No runs yet. Press Run to start one.")
    close_popover(alice)
    expect(run_bar(alice)).to_have_count(0)
    greet(alice, "Alice")
    runs = your_runs(alice)
    expect(runs.get_by_role("listitem")).to_have_count(1)
    expect(runs.get_by_role("button", name=re.compile(r"^Your run 1, Succeeded"))).to_be_visible()
    expect(runs).to_contain_text("Only you see the runs you start here")
    shot(alice, "shared-your-runs")
    close_popover(alice)
    alice_run = re.search(r"[?&]run=([0-9a-f]{32})", alice.url)
    assert alice_run, alice.url

    # Bob, the same link in another browser: nothing of Alice's, on the page or the API.
    bob = new_context().new_page()
    bob.goto(url)
    expect(canvas_node(bob, "Output")).to_be_visible()
    expect(your_runs(bob)).to_contain_text("No runs yet")
    close_popover(bob)
    expect(run_bar(bob)).to_have_count(0)
    assert "Alice" not in bob.content()
    shot(bob, "shared-other-visitor")
    peek = bob.context.request
    for path in ("", "/events"):
        response = peek.get(f"/api/v1/shared/{token}/runs/{alice_run.group(1)}{path}")
        assert response.status == 404, (path, response.status)
    bob.goto(f"{url}?run={alice_run.group(1)}")  # the address of Alice's run: refused
    expect(bob.get_by_text("Run events unavailable")).to_be_visible()
    expect(canvas_node(bob, "Output").get_by_label("Output preview")).to_have_count(0)
    bob.goto(url)
    greet(bob, "Bob")
    runs = your_runs(bob)
    expect(runs.get_by_role("listitem")).to_have_count(1)
    close_popover(bob)

    # Alice, back later: still only her run.
    alice.goto(url)
    expect(canvas_node(alice, "Output").get_by_label("Output preview")).to_contain_text(
        "Hello, Alice!"
    )
    expect(your_runs(alice).get_by_role("listitem")).to_have_count(1)
    close_popover(alice)

    # The owner switches on "My latest run" for the link, in the Share dialog.
    dialog = owner.get_by_role("dialog", name=re.compile(r"^Share “"))  # still open
    row = dialog.get_by_role("listitem", name=re.compile(r"^Run link .*, active$"))
    switch = row.get_by_role("switch", name="Visitors also see my latest run")
    expect(switch).not_to_be_checked()
    switch.click()
    expect(switch).to_be_checked()
    expect(switch).to_be_enabled()  # saved
    shot(owner, "share-dialog-owner-run")
    links = owner_api.get(f"/api/v1/workflows/{workflow['id']}/share-links").json()
    assert [link["show_owner_latest_run"] for link in links] == [True]

    # Bob now sees the owner's latest run too (never Alice's), and can show it.
    bob.reload()
    runs = your_runs(bob)
    owners = runs.get_by_role("list", name="Latest run by Ada Lovelace")
    expect(owners.get_by_role("listitem")).to_have_count(1)
    expect(runs.get_by_role("list", name="Your runs").get_by_role("listitem")).to_have_count(1)
    shot(bob, "shared-owner-latest-run")
    owners.get_by_role("button", name=re.compile(r"^Ada Lovelace’s latest run")).click()
    expect(canvas_node(bob, "Output").get_by_label("Output preview")).to_contain_text(
        "Hello, Owner!"
    )
    assert "Alice" not in bob.content()
