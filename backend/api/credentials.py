"""The caller's credentials: provider secrets stored encrypted, never shown again.

Only the name, provider, last four characters and base URL come back. Nodes refer to a
credential by name (``{"$credential": NAME}``); runs resolve it then (``backend.credentials``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Self

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from backend.api.deps import CurrentUser, SessionDep
from backend.api.problems import problem_responses
from backend.api.schemas import StatedPattern, StorableText, at_least_one_of
from backend.credentials import store
from backend.credentials.checks import check_credential
from backend.credentials.crypto import SecretBox, UndecryptableSecret, box_from_settings
from backend.credentials.providers import NEEDS_BASE_URL, Provider

router = APIRouter(prefix="/credentials", tags=["credentials"])

CredentialName = Annotated[
    StorableText,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$"),
    StatedPattern(r"^[A-Za-z0-9_.-]+$"),  # pydantic leaves it out after the NUL check
]
Secret = Annotated[StorableText, StringConstraints(min_length=8, max_length=4096)]
# http(s), a host name or IPv4 address (a port maybe), no user or password, no space or
# control character anywhere.
BASE_URL_PATTERN = (
    r"^[hH][tT][tT][pP][sS]?://[^\u0000-\u0020\u007f/?#@\\\[\]:]+(?::[0-9]{1,5})?"
    r"(?:[/?#][^\u0000-\u0020\u007f]*)?$"
)
BaseUrl = Annotated[
    StorableText,
    StringConstraints(min_length=1, max_length=2000),
    StatedPattern(BASE_URL_PATTERN),
]
CredentialId = Annotated[str, Path(max_length=64, description="The credential's id.")]


_POSTGRES_URL_PATTERN = r"^(postgresql|postgres|postgresql\+asyncpg)://"


def _check_base_url(value: str | None) -> None:
    if value is None or re.fullmatch(BASE_URL_PATTERN, value):
        return
    if "@" in value.partition("://")[2].partition("/")[0]:
        raise ValueError("base_url must not hold a user or password; put the key in secret")
    raise ValueError("base_url must be an http:// or https:// URL")


class NewCredential(BaseModel):
    # What _fits_provider checks, stated in the schema too.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"provider": {"enum": sorted(NEEDS_BASE_URL)}}},
                    "then": {
                        "required": ["base_url"],
                        "properties": {"base_url": {"type": "string"}},
                    },
                },
                {
                    "if": {"properties": {"provider": {"const": Provider.postgres.value}}},
                    "then": {"properties": {"secret": {"pattern": _POSTGRES_URL_PATTERN}}},
                },
            ]
        },
    )

    name: CredentialName = Field(description='How nodes refer to it: `{"$credential": name}`.')
    provider: Provider
    secret: Secret = Field(description="The API key (postgres: a postgresql:// URL).")
    base_url: BaseUrl | None = Field(
        default=None,
        description="The only address the secret is ever sent to: required for "
        "openai_compatible; for openai and anthropic a proxy, for pinecone the one index "
        "host it may reach; empty: the provider's own API.",
    )

    @model_validator(mode="after")
    def _fits_provider(self) -> Self:
        _check_base_url(self.base_url)
        if self.provider in NEEDS_BASE_URL and not self.base_url:
            raise ValueError(f"a {self.provider.value} credential needs base_url")
        if self.provider == Provider.postgres and not re.match(_POSTGRES_URL_PATTERN, self.secret):
            raise ValueError("a postgres credential's secret is a postgresql:// URL")
        return self


class CredentialChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra=at_least_one_of("name", "secret", "base_url")
    )

    name: CredentialName | None = None
    secret: Secret | None = None
    base_url: BaseUrl | None = None

    @model_validator(mode="after")
    def _valid(self) -> Self:
        _check_base_url(self.base_url)
        if self.name is None and self.secret is None and self.base_url is None:
            raise ValueError("Give a new name, secret or base_url.")
        return self


class Credential(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    provider: Provider
    last4: str = Field(
        description="The secret's last four characters (postgres: of the URL's database name)."
    )
    base_url: str | None
    created_at: datetime
    updated_at: datetime


class CheckOutcome(BaseModel):
    ok: bool
    detail: str = Field(description="What the provider said, without the secret.")


async def get_box(request: Request) -> SecretBox:
    app_state = request.app.state
    if getattr(app_state, "secret_box", None) is None:
        app_state.secret_box = box_from_settings(app_state.settings)
    return app_state.secret_box


BoxDep = Annotated[SecretBox, Depends(get_box)]


@router.get(
    "",
    operation_id="listCredentials",
    response_model=list[Credential],
    responses=problem_responses(401),
)
async def list_credentials(user: CurrentUser, session: SessionDep) -> list[Credential]:
    """Your credentials, by name (never their secrets)."""
    records = await store.list_credentials(session, user.user_id)
    return [Credential.model_validate(record) for record in records]


@router.post(
    "",
    operation_id="createCredential",
    status_code=201,
    response_model=Credential,
    responses=problem_responses(400, 401, 409, 413, 422),
)
async def create_credential(
    body: NewCredential, user: CurrentUser, session: SessionDep, box: BoxDep
) -> Credential:
    """Store a secret, encrypted; only its last four characters are ever shown."""
    record = await store.create_credential(
        session,
        box,
        owner_id=user.user_id,
        name=body.name,
        provider=body.provider,
        secret=body.secret,
        base_url=body.base_url,
    )
    return Credential.model_validate(record)


@router.patch(
    "/{credential_id}",
    operation_id="updateCredential",
    response_model=Credential,
    responses=problem_responses(400, 401, 404, 409, 413, 422),
)
async def update_credential(
    credential_id: CredentialId,
    body: CredentialChange,
    user: CurrentUser,
    session: SessionDep,
    box: BoxDep,
) -> Credential:
    """Rename it, replace its secret, or change its base URL."""
    record = await store.get_credential(session, user.user_id, credential_id)
    record = await store.update_credential(
        session, box, record, name=body.name, secret=body.secret, base_url=body.base_url
    )
    return Credential.model_validate(record)


@router.delete(
    "/{credential_id}",
    operation_id="deleteCredential",
    status_code=204,
    response_class=Response,
    responses={204: {"description": "Deleted."}} | problem_responses(401, 404),
)
async def delete_credential(
    credential_id: CredentialId, user: CurrentUser, session: SessionDep
) -> Response:
    """Delete it; runs of workflows that use it then fail with `credential_not_found`."""
    await store.delete_credential(session, user.user_id, credential_id)
    return Response(status_code=204)


@router.post(
    "/{credential_id}/check",
    operation_id="checkCredential",
    response_model=CheckOutcome,
    responses=problem_responses(401, 404),
)
async def check(
    credential_id: CredentialId, user: CurrentUser, session: SessionDep, box: BoxDep
) -> CheckOutcome:
    """Try it: one cheap authenticated call to the provider (e.g. list models)."""
    record = await store.get_credential(session, user.user_id, credential_id)
    provider, base_url = Provider(record.provider), record.base_url
    try:
        secret = box.open(record.ciphertext)
    except UndecryptableSecret:
        return CheckOutcome(
            ok=False, detail="It cannot be decrypted (NODELOOM_SECRET_KEY changed); save it again."
        )
    await session.commit()  # no transaction held open while the provider answers
    result = await check_credential(provider, secret, base_url)
    return CheckOutcome(ok=result.ok, detail=result.detail)
