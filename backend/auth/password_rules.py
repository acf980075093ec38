"""What a new password may not be: one of the most used passwords, or one character over
and over. Length is the request's own rule (8 to 1,024 characters).

The most used passwords come from the ``zxcvbn`` package: its ``passwords`` list ranks
30,000 passwords by how often they appeared in leaks; the first ``COMMON_COUNT`` are
refused, compared case-insensitively (the list is lower case). Loaded on the first
sign-up, not at start-up.
"""

from __future__ import annotations

import functools

from pydantic_core import PydanticCustomError

COMMON_COUNT = 10_000


@functools.cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_COUNT])


def check_new_password(password: str) -> str:
    """``password``, or a ``PydanticCustomError`` whose code and message say what is wrong."""
    if len(set(password)) == 1:
        raise PydanticCustomError(
            "repeated_character", "A password of one character repeated is easy to guess."
        )
    if password.casefold() in common_passwords():
        raise PydanticCustomError(
            "common_password",
            "This password is one of the 10,000 most used; choose one nobody else would.",
        )
    return password
