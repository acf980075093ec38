"""Credential references in params, and the pluggable resolver that turns them into secrets.

A document never holds a secret: a param that needs one holds ``{"$credential": NAME}``.
In a ``Params`` model declare it as ``CredentialRef``; its JSON Schema carries
``"x-nodeloom-credential": true`` so the inspector renders a credential picker.

The engine knows no store. Whoever runs a workflow passes a ``CredentialResolver``
(the backend's reads its encrypted table; tests pass a dict). The engine remembers every
resolved value and scrubs it from every event it emits.

A secret belongs to its endpoint, not to the node that uses it. A stored ``Credential``
is *bound*: it names its provider and, if its owner set one, the base URL it may be sent
to (else the provider's own API host). A built-in node asks with
``await ctx.credential(params.credential, provider=...)``, which refuses a credential of
another provider, and then sends the secret only to ``credential.base_url`` — never to a
URL taken from the node's params, which anyone who may edit the workflow can change. A
bare string from a resolver is *unbound* (the caller's own secret, as in ``nodeloom run``
or tests): usable by any node, still sent only to its own ``base_url``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from graph_engine.errors import CredentialMismatch, CredentialNotFound


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


@dataclass(frozen=True, slots=True)
class Credential:
    """A resolved secret and where it may go."""

    secret: str = ""
    provider: str | None = None
    """The provider it is for; ``None``: unbound, the caller's own secret."""
    base_url: str | None = None
    """The endpoint its owner set; ``None``: the provider's own API host."""

    def __repr__(self) -> str:  # never the secret, even in a traceback
        return f"Credential(provider={self.provider!r}, base_url={self.base_url!r})"

    def check_provider(self, name: str, providers: tuple[str, ...]) -> None:
        """Raise ``CredentialMismatch`` unless this credential may serve ``providers``."""
        if self.provider is not None and self.provider not in providers:
            wanted = " or ".join(PROVIDER_TITLES.get(p, p) for p in providers)
            have = PROVIDER_TITLES.get(self.provider, self.provider)
            raise CredentialMismatch(
                f"Credential {name!r} is {have}, and this node calls {wanted}: "
                "pick a credential for that provider."
            )


BASE_URL_NEEDS_NO_CREDENTIAL = (
    "base_url is only for calls without a credential: a credential carries its own "
    "endpoint (set its base URL where the credential is kept)"
)
"""Why a node's ``base_url`` and ``credential`` never go together (see the docstring)."""

PROVIDER_TITLES = {
    "openai": "an OpenAI key",
    "anthropic": "an Anthropic key",
    "openai_compatible": "an OpenAI-compatible server's key",
    "pinecone": "a Pinecone key",
    "postgres": "a PostgreSQL URL",
}


@runtime_checkable
class CredentialResolver(Protocol):
    async def resolve(self, name: str) -> Credential | str:
        """Return the credential called ``name`` (a bare string: an unbound secret) or
        raise ``CredentialNotFound``."""
        ...


class MappingCredentials:
    """A resolver over a plain mapping of name → secret or ``Credential`` (tests, the CLI)."""

    def __init__(self, secrets: Mapping[str, Credential | str]) -> None:
        self._secrets = dict(secrets)

    async def resolve(self, name: str) -> Credential | str:
        try:
            return self._secrets[name]
        except KeyError:
            raise CredentialNotFound(f"No credential named {name!r} was supplied.") from None


def as_credential(value: Credential | str) -> Credential:
    return value if isinstance(value, Credential) else Credential(secret=value)


def as_resolver(
    credentials: CredentialResolver | Mapping[str, Credential | str] | None,
) -> CredentialResolver:
    if credentials is None:
        return MappingCredentials({})
    if isinstance(credentials, Mapping):
        return MappingCredentials(credentials)
    return credentials
