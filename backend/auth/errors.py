"""Errors of accounts, credentials and share links (each a problem response, see
``backend.errors``). Someone else's thing is always *not found*, never *forbidden*."""

from __future__ import annotations

from typing import Any

from backend.errors import NodeloomError, NotFound


class NotSignedIn(NodeloomError):
    code = "not_signed_in"
    status = 401
    title = "Not signed in"

    def __init__(
        self, detail: str = "Sign in first (or send an API key as a Bearer token)."
    ) -> None:
        super().__init__(detail)


class InvalidLogin(NodeloomError):
    code = "invalid_login"
    status = 401
    title = "Invalid login"

    def __init__(self) -> None:
        super().__init__("That email and password do not match an account.")


class InvalidApiKey(NodeloomError):
    code = "invalid_api_key"
    status = 401
    title = "Invalid API key"

    def __init__(self) -> None:
        super().__init__(
            "The Authorization header does not hold a valid API key "
            "(expected `Bearer nlk_…`; a revoked key or a disabled account's key is refused)."
        )


class _TooMany(NodeloomError):
    status = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)
        self.headers = {"Retry-After": str(self.retry_after)}

    def extensions(self) -> dict[str, Any]:
        return {"retry_after": self.retry_after}


def in_words(seconds: int) -> str:
    """A wait as people say it: "a few seconds", "about 3 minutes", "about an hour"."""
    if seconds < 10:
        return "a few seconds"
    if seconds < 50:
        return f"about {round(seconds / 10) * 10} seconds"
    minutes = round(seconds / 60)
    if minutes < 50:
        return "about a minute" if minutes <= 1 else f"about {minutes} minutes"
    hours = round(seconds / 3600)
    return "about an hour" if hours <= 1 else f"about {hours} hours"


class TooManyAttempts(_TooMany):
    code = "too_many_attempts"
    title = "Too many attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many login attempts; try again in {in_words(retry_after)}.", retry_after
        )


class RateLimited(_TooMany):
    code = "rate_limited"
    title = "Rate limited"

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(
            f"This link allows {limit} run{'s' if limit != 1 else ''} per hour; "
            f"try again in {in_words(retry_after)}.",
            retry_after,
        )


class SignupClosed(NodeloomError):
    code = "signup_closed"
    status = 403
    title = "Sign-up closed"

    def __init__(self) -> None:
        super().__init__("Sign-up is closed on this server (NODELOOM_SIGNUP=closed).")


class ScopeNotAllowed(NodeloomError):
    code = "scope_not_allowed"
    status = 403
    title = "Not allowed by this link"

    def __init__(self, scope: str, action: str) -> None:
        super().__init__(f"A {scope} link does not allow you to {action}.")


class EmailTaken(NodeloomError):
    code = "email_taken"
    status = 409
    title = "Email taken"

    def __init__(self) -> None:
        super().__init__("An account with this email exists already; log in instead.")


class CannotDisableSelf(NodeloomError):
    code = "cannot_disable_self"
    status = 409
    title = "Cannot disable yourself"

    def __init__(self) -> None:
        super().__init__("An admin cannot disable their own account.")


class CredentialNameTaken(NodeloomError):
    code = "credential_name_taken"
    status = 409
    title = "Credential name taken"

    def __init__(self, name: str) -> None:
        super().__init__(f"You already have a credential named {name!r}.")


class AccountsOff(NotFound):
    code = "accounts_off"
    title = "Accounts are off"
    message = "This server runs in single-person mode (NODELOOM_AUTH=off): there are no accounts."


class UserNotFound(NotFound):
    code = "user_not_found"
    title = "User not found"
    message = "There is no user with id {user_id!r}."


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"
    title = "API key not found"
    message = "You have no API key with id {key_id!r}."


class NoSuchCredential(NotFound):
    code = "credential_not_found"
    title = "Credential not found"
    message = "You have no credential with id {credential_id!r}."


class LinkNotFound(NotFound):
    code = "link_not_found"
    title = "Link not found"
    message = "This link no longer works: it was revoked, it expired, or it never was."


class AdminOnly(NotFound):
    """Admin routes answer *not found* to everybody else, as if they did not exist: the
    plain ``NotFound`` code, title and message."""


class CredentialNotShared(NodeloomError):
    """A save through an edit link brought in a credential its owner never used there."""

    code = "credential_not_shared"
    status = 403
    title = "Credential not shared"
