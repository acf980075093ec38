"""Credentials from environment variables: ``nodeloom run``, and a single-person server's
fallback for names not in the store.

A param holding ``{"$credential": "openai"}`` gets the value of
``NODELOOM_CREDENTIAL_OPENAI``: the name upper-cased, every run of characters other
than letters and digits turned into ``_`` (``my-key`` → ``NODELOOM_CREDENTIAL_MY_KEY``).
``--credential NAME=VARIABLE`` reads another variable instead, and ``<VARIABLE>_BASE_URL``,
if set, is the only URL the secret is sent to (an OpenAI-compatible server, a proxy);
a node's own ``base_url`` is for calls without a credential. Values are never printed:
the engine scrubs them from events, and the command from the outputs it shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from backend.exchange.credentials import references
from graph_engine.credentials import Credential
from graph_engine.preview import scrub

ENV_PREFIX = "NODELOOM_CREDENTIAL_"


def variable_for(name: str) -> str:
    return ENV_PREFIX + re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")


class EnvironmentCredentials:
    """A ``graph_engine.CredentialResolver`` over environment variables."""

    def __init__(self, environ: Mapping[str, str], overrides: Mapping[str, str]) -> None:
        self._environ = environ
        self._overrides = dict(overrides)
        self.resolved: set[str] = set()

    def variable(self, name: str) -> str:
        return self._overrides.get(name) or variable_for(name)

    def missing(self, names: Iterable[str]) -> list[tuple[str, str]]:
        """``(name, variable)`` for each credential whose variable is unset or empty."""
        pairs = [(name, self.variable(name)) for name in sorted(set(names))]
        return [(name, variable) for name, variable in pairs if not self._environ.get(variable)]

    async def resolve(self, name: str) -> Credential:
        from graph_engine.errors import CredentialNotFound

        variable = self.variable(name)
        value = self._environ.get(variable)
        if not value:
            raise CredentialNotFound(f"Credential {name!r} is not set: export {variable}.")
        self.resolved.add(value)
        return Credential(value, base_url=self._environ.get(f"{variable}_BASE_URL") or None)

    def scrub(self, value: Any) -> Any:
        """``value`` (JSON-able) with every resolved secret replaced by ``***``."""
        return scrub(value, self.resolved)


def referenced_credentials(value: Any) -> set[str]:
    """Every ``{"$credential": NAME}`` name in a document's params."""
    return set(references(value))
