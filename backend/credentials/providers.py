"""The providers a credential may be for, and what each needs."""

from __future__ import annotations

from enum import StrEnum


class Provider(StrEnum):
    openai = "openai"
    anthropic = "anthropic"
    pinecone = "pinecone"
    openai_compatible = "openai_compatible"
    postgres = "postgres"


# Providers whose credential must say where the service is.
NEEDS_BASE_URL = {Provider.openai_compatible}


def last4(provider: Provider, secret: str) -> str:
    """The last four characters people see; for a URL, of its database name (never the
    password, which sits in the middle)."""
    if provider == Provider.postgres:
        return secret.rstrip("/").rsplit("/", 1)[-1][-4:]
    return secret[-4:]
