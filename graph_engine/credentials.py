"""Credential references in params, and the pluggable resolver that turns them into secrets.

A document never holds a secret: a param that needs one holds ``{"$credential": NAME}``.
In a ``Params`` model declare it as ``CredentialRef``; its JSON Schema carries
``"x-nodeloom-credential": true`` so the inspector renders a credential picker.

The engine knows no store. Whoever runs a workflow passes a ``CredentialResolver``
(the backend's reads its encrypted table; tests pass a dict). A node asks for the
secret with ``await ctx.resolve_credential(params.credential)``; the engine remembers
every resolved value and scrubs it from every event it emits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from graph_engine.errors import CredentialNotFound


class CredentialRef(BaseModel):
    """``{"$credential": NAME}`` — a reference to a secret held outside the document."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        serialize_by_alias=True,
        json_schema_extra={"x-nodeloom-credential": True},
    )

    name: str = Field(alias="$credential", min_length=1, max_length=200)


@runtime_checkable
class CredentialResolver(Protocol):
    async def resolve(self, name: str) -> str:
        """Return the secret called ``name`` or raise ``CredentialNotFound``."""
        ...


class MappingCredentials:
    """A resolver over a plain mapping of name → secret (tests, the CLI)."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        self._secrets = dict(secrets)

    async def resolve(self, name: str) -> str:
        try:
            return self._secrets[name]
        except KeyError:
            raise CredentialNotFound(f"No credential named {name!r} was supplied.") from None


def as_resolver(credentials: CredentialResolver | Mapping[str, str] | None) -> CredentialResolver:
    if credentials is None:
        return MappingCredentials({})
    if isinstance(credentials, Mapping):
        return MappingCredentials(credentials)
    return credentials
