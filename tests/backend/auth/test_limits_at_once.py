"""Limits that hold when requests arrive at once (asyncio.gather), on SQLite and
PostgreSQL: a run link's hourly budget, who becomes the admin, login attempts (across
two replicas of the app)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from accounts_support import PASSWORD, SECRET_KEY, add_person, build_world, client_for, create_link
from api_support import API, assert_problem, make_settings
from sqlalchemy import select

from backend.app import create_app
from backend.db.models import UserRecord

BURST = 50


async def test_a_run_link_with_a_budget_of_5_starts_exactly_5_of_50_at_once(accounts_app):
    world = await build_world(accounts_app)
    async with client_for(accounts_app, world.owner.cookies) as owner:
        link = await create_link(owner, world.workflow_id, "run", run_limit_per_hour=5)
    url = f"{API}/shared/{link['token']}/runs"
    async with client_for(accounts_app) as visitor:
        bad = await visitor.post(url, json={"inputs": {"nobody": "x"}})  # refused: not counted
        answers = await asyncio.gather(
            *(visitor.post(url, json={"inputs": {"name": f"V{n}"}}) for n in range(BURST))
        )
    statuses = sorted(answer.status_code for answer in answers)
    assert bad.status_code == 422
    assert statuses == [202] * 5 + [429] * (BURST - 5), statuses
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert 3000 < int(refused.headers["Retry-After"]) <= 3600


@pytest.mark.parametrize("signup", ["closed", "open"])
async def test_ten_first_sign_ups_at_once_make_exactly_one_admin(
    database_url: str, tmp_path: Path, signup: str
):
    settings = make_settings(
        tmp_path, database_url, auth="on", secret_key=SECRET_KEY, signup=signup
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app), client_for(app) as browser:
        answers = await asyncio.gather(
            *(
                browser.post(
                    f"{API}/auth/signup",
                    json={
                        "email": f"p{n}@example.com",
                        "name": f"P{n}",
                        "password": "plum tree at dusk",
                    },
                )
                for n in range(10)
            )
        )
        async with app.state.sessions() as session:
            admins = (await session.scalars(select(UserRecord.is_admin))).all()
    statuses = sorted(answer.status_code for answer in answers)
    if signup == "closed":
        assert statuses == [201] + [403] * 9, statuses
        assert admins == [True]
    else:
        assert statuses == [201] * 10, statuses
        assert sorted(admins) == [False] * 9 + [True]


async def test_sixty_wrong_passwords_at_once_check_only_ten_and_lock_the_right_one_out(
    database_url: str, tmp_path: Path
):
    settings = make_settings(tmp_path, database_url, auth="on", secret_key=SECRET_KEY)
    first, second = create_app(settings), create_app(settings)  # two replicas, one database
    async with first.router.lifespan_context(first), second.router.lifespan_context(second):
        person = await add_person(first, "Ada")
        async with client_for(first) as one, client_for(second) as other:

            def attempt(client, password: str):
                body = {"email": person.email, "password": password}
                return client.post(f"{API}/auth/login", json=body)

            wrong = await asyncio.gather(
                *(attempt(one if n % 2 else other, f"wrong-{n}") for n in range(60))
            )
            right = await attempt(one, PASSWORD)
    statuses = sorted(answer.status_code for answer in wrong)
    assert settings.login_rate_limit == 10
    assert statuses == [401] * 10 + [429] * 50, statuses  # only 10 passwords were tried
    assert_problem(right, 429, "too_many_attempts")


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "a few seconds"),
        (42, "about 40 seconds"),
        (61, "about a minute"),
        (170, "about 3 minutes"),
        (2950, "about 49 minutes"),
        (3573, "about an hour"),
        (7300, "about 2 hours"),
    ],
)
def test_waits_read_as_people_say_them(seconds: int, words: str):
    from backend.auth.errors import RateLimited, in_words

    assert in_words(seconds) == words
    assert str(RateLimited(5, seconds)).endswith(f"try again in {words}.")
