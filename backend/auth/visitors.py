"""Share-link visitors: who started a run through a link, so that only they see it.

A visitor is a browser, known by the ``nodeloom_visitor`` cookie: 256 random bits, given
the first time the browser starts a run through a link and kept (renewed) by later runs.
The run row stores only the cookie's SHA-256, so the database never holds a value that
would let someone read another visitor's runs.

Signed-in visitors are known the same way, by the browser and not by their account: runs
a person starts through a link follow the browser they used (one rule for everyone; the
link's runs are the owner's, on the owner's credentials, and never enter the visitor's
own workspace).

The cookie is ``HttpOnly`` and ``SameSite=Lax`` (``Secure`` like the session cookie), and
is sent only to the share routes (``Path=/api/v1/shared``), the run stream included.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import Response

from backend.auth.tokens import looks_like_token, new_token, token_hash

VISITOR_COOKIE = "nodeloom_visitor"
VISITOR_COOKIE_PATH = "/api/v1/shared"
VISITOR_LIFETIME = timedelta(days=90)


def visitor_hash(cookie: str | None) -> str | None:
    """What a run stores of the visitor holding ``cookie``; ``None`` for no visitor (no
    cookie, or a value this server never issued)."""
    if cookie is None or not looks_like_token(cookie):
        return None
    return token_hash(cookie)


def visitor_cookie(cookie: str | None) -> str:
    """The browser's visitor cookie, or a new one when it has none (or a forged one)."""
    return cookie if cookie is not None and looks_like_token(cookie) else new_token()


def clear_visitor_cookie(response: Response, *, secure: bool) -> None:
    """Forget the browser's visitor (on sign-out: the next person at a shared computer
    must not see the runs started before)."""
    response.delete_cookie(
        VISITOR_COOKIE, path=VISITOR_COOKIE_PATH, httponly=True, samesite="lax", secure=secure
    )


def set_visitor_cookie(response: Response, cookie: str, *, secure: bool) -> None:
    response.set_cookie(
        VISITOR_COOKIE,
        cookie,
        max_age=int(VISITOR_LIFETIME.total_seconds()),
        path=VISITOR_COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
