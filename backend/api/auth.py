"""Accounts: who am I, sign-up, login, logout, personal API keys, and the admin's users.

The session cookie is HttpOnly and SameSite=Lax (``Secure`` with NODELOOM_COOKIE_SECURE);
its token is random and stored only as a hash. In single-person mode there are no
accounts: ``getMe`` says so, and the account routes answer ``404 accounts_off``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from backend.api.deps import BusDep, CurrentUser, OptionalUser, SessionDep, SettingsDep
from backend.api.problems import problem_responses
from backend.api.schemas import StatedPattern, StorableText
from backend.auth import api_keys, users
from backend.auth.errors import (
    AccountsOff,
    AdminOnly,
    CannotDisableSelf,
    InvalidLogin,
    SignupClosed,
)
from backend.auth.password_rules import check_new_password
from backend.auth.passwords import hash_password, verify_password
from backend.auth.principal import Principal
from backend.auth.rate_limit import attempt_key, clear_attempts, take_attempt
from backend.auth.sessions import COOKIE_NAME, SESSION_LIFETIME, end_session, start_session
from backend.auth.visitors import clear_visitor_cookie
from backend.bus import BusError
from backend.config import Settings
from backend.db import run_store
from backend.db.models import ApiKeyRecord, UserRecord
from graph_engine.names import WHITE_SPACE

router = APIRouter(tags=["accounts"])
log = logging.getLogger(__name__)

Email = Annotated[
    StorableText,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$"
    ),
    StatedPattern(f"^[^@{WHITE_SPACE}\\u0000]+@[^@{WHITE_SPACE}\\u0000]+$"),
]
Password = Annotated[
    StorableText,
    StringConstraints(min_length=8, max_length=1024),
    AfterValidator(check_new_password),
]
# Stripped of white space, still something: one character that is not white space.
_NOT_BLANK = StatedPattern(f"^[^\\u0000]*[^{WHITE_SPACE}\\u0000][^\\u0000]*$")
PersonName = Annotated[
    StorableText,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    _NOT_BLANK,
]
KeyName = Annotated[
    StorableText,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    _NOT_BLANK,
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignUp(_Request):
    email: Email
    name: PersonName
    password: Password = Field(
        description="At least 8 characters; not one of the 10,000 most used passwords, nor "
        "one character repeated."
    )


class LogIn(_Request):
    email: Annotated[StorableText, StringConstraints(max_length=320)]
    password: Annotated[StorableText, StringConstraints(max_length=1024)]


class User(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    name: str
    is_admin: bool
    disabled: bool
    created_at: datetime


class Me(BaseModel):
    mode: Literal["single", "accounts"] = Field(
        description="`single`: no sign-in (NODELOOM_AUTH=off); `accounts`: people sign in."
    )
    user: User | None = Field(description="The signed-in account; `null` when none (or single).")
    signup_open: bool = Field(description="Whether a new account may sign up now.")


class NewApiKey(_Request):
    name: KeyName = Field(description="What the key is for, e.g. `ci`.")


class ApiKey(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    created_at: datetime
    last_used_at: datetime | None


class CreatedApiKey(ApiKey):
    key: str = Field(description="The key itself: shown this once, never again.")


class UserChange(_Request):
    disabled: bool = Field(description="`true` ends the account's sessions and API keys' use.")


async def accounts_mode(settings: SettingsDep) -> Settings:
    if not settings.accounts:
        raise AccountsOff()
    return settings


async def current_account(
    user: CurrentUser, _settings: Annotated[Settings, Depends(accounts_mode)]
) -> Principal:
    return user


async def current_admin(user: Annotated[Principal, Depends(current_account)]) -> Principal:
    if not user.is_admin:
        raise AdminOnly()
    return user


AccountsSettings = Annotated[Settings, Depends(accounts_mode)]
Account = Annotated[Principal, Depends(current_account)]
Admin = Annotated[Principal, Depends(current_admin)]


@router.get("/auth/me", operation_id="getMe", response_model=Me)
async def get_me(user: OptionalUser, session: SessionDep, settings: SettingsDep) -> Me:
    """Which mode the server runs in, who is signed in, and whether sign-up is open."""
    if not settings.accounts:
        return Me(mode="single", user=None, signup_open=False)
    record = None if user is None else await session.get(UserRecord, user.user_id)
    account = None if record is None else User.model_validate(record)
    return Me(mode="accounts", user=account, signup_open=await _signup_open(session, settings))


async def _signup_open(session: SessionDep, settings: Settings) -> bool:
    return settings.signup == "open" or await users.count_users(session) == 0


@router.post(
    "/auth/signup",
    operation_id="signUp",
    status_code=201,
    response_model=User,
    responses=problem_responses(400, 403, 404, 409, 413, 422),
)
async def sign_up(
    body: SignUp, session: SessionDep, settings: AccountsSettings, response: Response
) -> User:
    """Create an account and sign in; the first account is the admin."""
    if not await _signup_open(session, settings):
        raise SignupClosed()  # early, before hashing; create_user decides for certain
    password_hash = await hash_password(body.password)
    user = await users.create_user(
        session,
        email=body.email,
        name=body.name,
        password_hash=password_hash,
        signup_open=settings.signup == "open",
    )
    _set_cookie(response, await start_session(session, user.id), settings)
    return User.model_validate(user)


@router.post(
    "/auth/login",
    operation_id="logIn",
    response_model=User,
    responses={
        429: {"headers": {"Retry-After": {"schema": {"type": "string"}}}},
        **problem_responses(400, 401, 404, 413, 422, 429),
    },
)
async def log_in(
    body: LogIn,
    request: Request,
    session: SessionDep,
    settings: AccountsSettings,
    response: Response,
) -> User:
    """Sign in with email and password (the same answer for an unknown email and a wrong
    password); past `NODELOOM_LOGIN_RATE_LIMIT` attempts in a minute for one address and
    email, `429` (counted in the database: across replicas and for attempts at once)."""
    address = request.client.host if request.client else ""
    key = attempt_key(address, users.email_key(body.email))
    await take_attempt(session, key, settings.login_rate_limit)  # before the password
    user = await users.find_by_email(session, body.email)
    valid = await verify_password(user.password_hash if user else None, body.password)
    if user is None or not valid or user.disabled:
        raise InvalidLogin()
    await clear_attempts(session, key)
    _set_cookie(response, await start_session(session, user.id), settings)
    return User.model_validate(user)


@router.post(
    "/auth/logout",
    operation_id="logOut",
    status_code=204,
    response_class=Response,
    responses={204: {"description": "Signed out (also when no one was signed in)."}},
)
async def log_out(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """End this browser's session and clear its cookies (the session's, and the share-link
    visitor's, so the next person at this browser sees none of the runs started here)."""
    token = request.cookies.get(COOKIE_NAME)
    if token and settings.accounts:
        await end_session(session, token)
    response = Response(status_code=204)
    response.delete_cookie(
        COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies
    )
    clear_visitor_cookie(response, secure=settings.secure_cookies)
    return response


def _set_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


@router.get(
    "/auth/api-keys",
    operation_id="listApiKeys",
    response_model=list[ApiKey],
    responses=problem_responses(401, 404),
)
async def list_api_keys(user: Account, session: SessionDep) -> list[ApiKey]:
    """Your API keys (never the keys themselves)."""
    return [_api_key(record) for record in await api_keys.list_keys(session, user.user_id)]


@router.post(
    "/auth/api-keys",
    operation_id="createApiKey",
    status_code=201,
    response_model=CreatedApiKey,
    responses=problem_responses(400, 401, 404, 413, 422),
)
async def create_api_key(body: NewApiKey, user: Account, session: SessionDep) -> CreatedApiKey:
    """A new personal API key for `Authorization: Bearer <key>`; the key is shown only here."""
    record, key = await api_keys.create_key(session, user.user_id, body.name)
    return CreatedApiKey(**_api_key(record).model_dump(), key=key)


def _api_key(record: ApiKeyRecord) -> ApiKey:
    return ApiKey.model_validate(record)


@router.delete(
    "/auth/api-keys/{key_id}",
    operation_id="revokeApiKey",
    status_code=204,
    response_class=Response,
    responses={204: {"description": "Revoked: the key stops working at once."}}
    | problem_responses(401, 404),
)
async def revoke_api_key(
    key_id: Annotated[str, Path(max_length=64)], user: Account, session: SessionDep
) -> Response:
    """Revoke one of your API keys."""
    await api_keys.revoke_key(session, user.user_id, key_id)
    return Response(status_code=204)


@router.get(
    "/admin/users",
    operation_id="listUsers",
    response_model=list[User],
    responses=problem_responses(401, 404),
)
async def list_users(_admin: Admin, session: SessionDep) -> list[User]:
    """Every account (admins only; anyone else gets `404`)."""
    return [User.model_validate(user) for user in await users.list_users(session)]


@router.patch(
    "/admin/users/{user_id}",
    operation_id="updateUser",
    response_model=User,
    responses=problem_responses(400, 401, 404, 409, 413, 422),
)
async def update_user(
    user_id: Annotated[str, Path(max_length=64)],
    body: UserChange,
    admin: Admin,
    session: SessionDep,
    bus: BusDep,
) -> User:
    """Disable an account — its sessions end, its API keys and share links stop working
    (links answer 404), its queued runs are cancelled — or enable it again (its links
    work again; sessions and cancelled runs do not come back)."""
    if user_id == admin.user_id and body.disabled:
        raise CannotDisableSelf()
    user = await users.set_disabled(session, user_id, body.disabled)
    if body.disabled:
        for run_id in await run_store.queued_run_ids(session, user_id):
            if (event := await run_store.cancel_queued(session, run_id)) is not None:
                try:
                    await bus.publish_event(event)
                except BusError as error:  # the database says it; the bus is only quicker
                    log.warning("run %s: publishing its cancellation failed: %r", run_id, error)
    return User.model_validate(user)
