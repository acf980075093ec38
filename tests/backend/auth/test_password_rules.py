"""New passwords: not one of the 10,000 most used (zxcvbn's ranked list), not one character
repeated; refused at sign-up with a code and a pointer the sign-up page shows."""

from __future__ import annotations

import pytest
from accounts_support import client_for
from api_support import API, assert_problem
from pydantic_core import PydanticCustomError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from backend.auth.password_rules import COMMON_COUNT, check_new_password

RANKED = FREQUENCY_LISTS["passwords"]


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("password", "common_password"),
        ("PassWord", "common_password"),  # case does not make it rarer
        ("12345678", "common_password"),
        ("qwertyuiop", "common_password"),
        ("iloveyou", "common_password"),
        (RANKED[99], "common_password"),
        (RANKED[COMMON_COUNT - 1], "common_password"),  # the last one refused
        ("aaaaaaaa", "repeated_character"),
        ("ZZZZZZZZZZZZ", "repeated_character"),
        ("        ", "repeated_character"),
        ("éééééééé", "repeated_character"),
    ],
)
def test_refused(password: str, code: str):
    with pytest.raises(PydanticCustomError) as raised:
        check_new_password(password)
    assert raised.value.type == code


@pytest.mark.parametrize(
    "password",
    [
        RANKED[COMMON_COUNT],  # the first one past the cut-off
        "correct horse battery staple",
        "aaaaaaab",
        "Tr0ub4dor&3-but-longer",
        "пароль-из-книги-7",
    ],
)
def test_allowed(password: str):
    assert check_new_password(password) == password


async def test_sign_up_refuses_them_with_a_pointer_and_a_reason(accounts_app):
    async with client_for(accounts_app) as browser:
        common = await browser.post(
            f"{API}/auth/signup",
            json={"email": "a@example.com", "name": "Ada", "password": "Password1"},
        )
        repeated = await browser.post(
            f"{API}/auth/signup",
            json={"email": "a@example.com", "name": "Ada", "password": "xxxxxxxxxx"},
        )
        fine = await browser.post(
            f"{API}/auth/signup",
            json={"email": "a@example.com", "name": "Ada", "password": "plum tree at dusk"},
        )
    assert assert_problem(common, 422, "invalid_input")["errors"] == [
        {
            "code": "common_password",
            "pointer": "/password",
            "message": "This password is one of the 10,000 most used; choose one nobody else "
            "would.",
        }
    ]
    assert assert_problem(repeated, 422, "invalid_input")["errors"][0]["code"] == (
        "repeated_character"
    )
    assert fine.status_code == 201, fine.text
