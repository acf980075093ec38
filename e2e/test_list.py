"""The list page: empty state, rename, duplicate, delete, search."""

from __future__ import annotations

from helpers import create_workflow, unique
from playwright.sync_api import Page, expect


def _delete_all(api) -> None:
    for item in api.get("/api/v1/workflows?limit=200").json()["items"]:
        assert api.delete(f"/api/v1/workflows/{item['id']}").status == 204


def test_empty_state(page: Page, api, screenshot) -> None:
    _delete_all(api)
    page.goto("/")
    expect(page.get_by_role("heading", name="Build your first workflow")).to_be_visible()
    screenshot(page, "list-empty")
    page.get_by_role("button", name="Create your first workflow").click()
    expect(page.get_by_role("dialog", name="New workflow")).to_be_visible()


def test_rename_duplicate_delete_and_search(page: Page, api, screenshot) -> None:
    tag = unique("Row").split()[-1]
    name = f"Row actions {tag}"
    create_workflow(api, name)
    create_workflow(api, f"Unrelated {unique('x')}")

    page.goto("/")
    page.get_by_role("searchbox", name="Search workflows").fill(tag)
    expect(page).to_have_url(f"/?q={tag}")
    expect(page.get_by_role("row")).to_have_count(2)  # header + the match

    page.get_by_role("button", name=f"Actions for {name}").click()
    page.get_by_role("menuitem", name="Rename").click()
    dialog = page.get_by_role("dialog", name="Rename workflow")
    dialog.get_by_label("Name").fill(f"Renamed {tag}")
    dialog.get_by_role("button", name="Rename").click()
    renamed = f"Renamed {tag}"
    expect(page.get_by_role("link", name=renamed, exact=True)).to_be_visible()

    page.get_by_role("button", name=f"Actions for {renamed}").click()
    page.get_by_role("menuitem", name="Duplicate").click()
    copy = f"{renamed} (copy)"
    expect(page.get_by_role("link", name=copy, exact=True)).to_be_visible()
    # The menu closes with a transition; the next one opened meanwhile would be a second.
    expect(page.get_by_role("menu")).to_have_count(0)
    screenshot(page, "list-rows")

    page.get_by_role("button", name=f"Actions for {copy}").click()
    page.get_by_role("menuitem", name="Delete").click()
    confirm = page.get_by_role("dialog", name="Delete workflow?")
    confirm.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("link", name=copy, exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name=renamed, exact=True)).to_be_visible()
