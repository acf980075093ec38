"""Accounts: sign-up (first is admin, can be closed), login with argon2 and a rate
limit, the session cookie, logout, API keys, the admin disabling someone."""

from __future__ import annotations

from pathlib import Path

import pytest
from accounts_support import PASSWORD, SECRET_KEY, add_person, client_for
from api_support import API, assert_problem, make_settings
from pydantic import ValidationError
from sqlalchemy import select

from backend.app import create_app
from backend.config import Settings
from backend.db.models import ApiKeyRecord, UserRecord, WorkflowRecord


def signup(email: str, name: str = "Ada", password: str = PASSWORD) -> dict:
    return {"email": email, "name": name, "password": password}


def test_accounts_mode_refuses_to_start_without_a_secret_key():
    with pytest.raises(ValidationError, match="NODELOOM_AUTH=on needs NODELOOM_SECRET_KEY"):
        Settings(auth="on")
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(auth="on", secret_key="short")


async def test_sign_up_log_in_and_out(accounts_app):
    async with client_for(accounts_app) as browser:
        first = await browser.post(f"{API}/auth/signup", json=signup("Ada@Example.com"))
        cookie = first.headers["set-cookie"]
        me = await browser.get(f"{API}/auth/me")
        out = await browser.post(f"{API}/auth/logout")
        after = await browser.get(f"{API}/auth/me")
        listed = await browser.get(f"{API}/workflows")
        login = await browser.post(
            f"{API}/auth/login", json={"email": "ada@example.COM", "password": PASSWORD}
        )
        again = await browser.get(f"{API}/workflows")
    assert first.status_code == 201 and first.json()["is_admin"] is True
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie
    assert me.json()["mode"] == "accounts" and me.json()["user"]["email"] == "Ada@Example.com"
    assert out.status_code == 204 and after.json()["user"] is None
    assert_problem(listed, 401, "not_signed_in")
    assert login.status_code == 200 and again.status_code == 200
    async with accounts_app.state.sessions() as session:
        user = (await session.scalars(select(UserRecord))).one()
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


async def test_second_account_is_not_admin_and_emails_are_unique(accounts_app):
    async with client_for(accounts_app) as browser:
        await browser.post(f"{API}/auth/signup", json=signup("a@example.com"))
        second = await browser.post(f"{API}/auth/signup", json=signup("b@example.com"))
        taken = await browser.post(f"{API}/auth/signup", json=signup("B@example.com"))
        short = await browser.post(f"{API}/auth/signup", json=signup("c@example.com", password="x"))
    assert second.json()["is_admin"] is False
    assert_problem(taken, 409, "email_taken")
    assert assert_problem(short, 422, "invalid_input")["errors"][0]["pointer"] == "/password"


async def test_closed_sign_up_still_lets_the_first_account_in(database_url, tmp_path: Path):
    settings = make_settings(
        tmp_path, database_url, auth="on", secret_key=SECRET_KEY, signup="closed"
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app), client_for(app) as browser:
        before = (await browser.get(f"{API}/auth/me")).json()
        first = await browser.post(f"{API}/auth/signup", json=signup("a@example.com"))
        closed = (await browser.get(f"{API}/auth/me")).json()
        second = await browser.post(f"{API}/auth/signup", json=signup("b@example.com"))
    assert before["signup_open"] is True and first.status_code == 201
    assert closed["signup_open"] is False
    assert_problem(second, 403, "signup_closed")


async def test_wrong_logins_look_alike_and_are_rate_limited(database_url, tmp_path: Path):
    settings = make_settings(
        tmp_path, database_url, auth="on", secret_key=SECRET_KEY, login_rate_limit=3
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        person = await add_person(app, "Ada")
        async with client_for(app) as browser:
            unknown = await browser.post(
                f"{API}/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
            )
            wrong = [
                await browser.post(
                    f"{API}/auth/login", json={"email": person.email, "password": "wrong-pass"}
                )
                for _ in range(3)
            ]
            limited = await browser.post(
                f"{API}/auth/login", json={"email": person.email, "password": PASSWORD}
            )
            elsewhere = await browser.post(
                f"{API}/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
            )
    assert unknown.json()["detail"] == wrong[0].json()["detail"]
    for answer in (unknown, *wrong):
        assert_problem(answer, 401, "invalid_login")
    problem = assert_problem(limited, 429, "too_many_attempts")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60 and problem["retry_after"] >= 1
    assert_problem(elsewhere, 401, "invalid_login")  # another email is counted apart


async def test_api_keys_are_shown_once_work_and_can_be_revoked(accounts_app):
    person = await add_person(accounts_app, "Ada")
    async with client_for(accounts_app, person.cookies) as browser:
        created = await browser.post(f"{API}/auth/api-keys", json={"name": "ci"})
        listed = await browser.get(f"{API}/auth/api-keys")
    key = created.json()["key"]
    assert created.status_code == 201 and key.startswith("nlk_") and len(key) > 40
    assert key not in listed.text and listed.json()[0]["prefix"] == key[:8]
    async with client_for(accounts_app, Authorization=f"Bearer {key}") as cli:
        made = await cli.post(f"{API}/workflows", json={"name": "From CI"})
        used = (await cli.get(f"{API}/auth/api-keys")).json()[0]["last_used_at"]
        async with client_for(accounts_app, person.cookies) as browser:
            revoked = await browser.delete(f"{API}/auth/api-keys/{created.json()['id']}")
            again = await browser.delete(f"{API}/auth/api-keys/{created.json()['id']}")
        refused = await cli.get(f"{API}/workflows")
    assert made.status_code == 201 and used is not None
    assert revoked.status_code == 204
    assert_problem(again, 404, "api_key_not_found")
    assert_problem(refused, 401, "invalid_api_key")
    async with accounts_app.state.sessions() as session:
        assert (await session.scalars(select(ApiKeyRecord))).all() == []
        owner = await session.scalar(select(WorkflowRecord.owner_id))
    assert owner == person.id


async def test_the_admin_disables_an_account(accounts_app):
    admin = await add_person(accounts_app, "Admin")
    user = await add_person(accounts_app, "User")
    async with client_for(accounts_app, user.cookies) as browser:
        key = (await browser.post(f"{API}/auth/api-keys", json={"name": "k"})).json()["key"]
        not_admin = await browser.get(f"{API}/admin/users")
    async with client_for(accounts_app, admin.cookies) as console:
        listed = await console.get(f"{API}/admin/users")
        disabled = await console.patch(f"{API}/admin/users/{user.id}", json={"disabled": True})
        self_disable = await console.patch(f"{API}/admin/users/{admin.id}", json={"disabled": True})
        missing = await console.patch(f"{API}/admin/users/nobody", json={"disabled": True})
    async with client_for(accounts_app, user.cookies) as browser:
        by_cookie = await browser.get(f"{API}/workflows")
        login = await browser.post(
            f"{API}/auth/login", json={"email": user.email, "password": PASSWORD}
        )
    async with client_for(accounts_app, Authorization=f"Bearer {key}") as cli:
        by_key = await cli.get(f"{API}/workflows")
    assert_problem(not_admin, 404, "not_found")
    assert [u["name"] for u in listed.json()] == ["Admin", "User"]
    assert disabled.json()["disabled"] is True
    assert_problem(self_disable, 409, "cannot_disable_self")
    assert_problem(missing, 404, "user_not_found")
    assert_problem(by_cookie, 401, "not_signed_in")
    assert_problem(login, 401, "invalid_login")
    assert_problem(by_key, 401, "invalid_api_key")


async def test_single_person_mode_has_no_accounts(client):
    me = await client.get(f"{API}/auth/me")
    signup_answer = await client.post(f"{API}/auth/signup", json=signup("a@example.com"))
    keys = await client.get(f"{API}/auth/api-keys")
    listed = await client.get(f"{API}/workflows")
    assert me.json() == {"mode": "single", "user": None, "signup_open": False}
    assert_problem(signup_answer, 404, "accounts_off")
    assert_problem(keys, 404, "accounts_off")
    assert listed.status_code == 200


async def test_the_first_account_adopts_single_person_workflows(database_url, tmp_path: Path):
    single = create_app(make_settings(tmp_path, database_url))
    async with single.router.lifespan_context(single), client_for(single) as client:
        made = await client.post(f"{API}/workflows", json={"name": "Mine"})
    accounts = create_app(make_settings(tmp_path, database_url, auth="on", secret_key=SECRET_KEY))
    async with accounts.router.lifespan_context(accounts), client_for(accounts) as browser:
        await browser.post(f"{API}/auth/signup", json=signup("a@example.com"))
        mine = await browser.get(f"{API}/workflows/{made.json()['id']}")
        await browser.post(f"{API}/auth/logout")
        await browser.post(f"{API}/auth/signup", json=signup("b@example.com"))
        theirs = await browser.get(f"{API}/workflows/{made.json()['id']}")
    assert mine.status_code == 200
    assert_problem(theirs, 404, "workflow_not_found")
