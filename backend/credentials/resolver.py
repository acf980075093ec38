"""The worker's credential resolver: ``{"$credential": NAME}`` → the run owner's stored
secret, decrypted only at the moment a node asks for it, bound to the credential's
provider and base URL (so a node sends it nowhere else: ``graph_engine.credentials``).

Single-person mode falls back to the ``NODELOOM_CREDENTIAL_<NAME>`` environment variables
(``backend.credentials.environment``) for names not in the store; accounts mode never does,
so nobody's run can read the server's environment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config import Settings
from backend.credentials.crypto import SecretBox, UndecryptableSecret, box_from_settings
from backend.credentials.environment import EnvironmentCredentials
from backend.db.models import CredentialRecord, RunRecord
from graph_engine.credentials import Credential
from graph_engine.errors import CredentialNotFound


class RunCredentials:
    """A ``graph_engine.CredentialResolver`` for one run."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        box: Callable[[], SecretBox],
        run_id: str,
        fallback: EnvironmentCredentials | None,
    ) -> None:
        self._sessions = sessions
        self._box = box
        self._run_id = run_id
        self._fallback = fallback

    async def resolve(self, name: str) -> Credential | str:
        async with self._sessions() as session:
            # One query: the credential called ``name`` of whoever owns this run.
            row = (
                await session.execute(
                    select(
                        CredentialRecord.ciphertext,
                        CredentialRecord.provider,
                        CredentialRecord.base_url,
                    )
                    .join(RunRecord, RunRecord.owner_id == CredentialRecord.owner_id)
                    .where(RunRecord.id == self._run_id, CredentialRecord.name == name)
                )
            ).first()
        if row is not None:
            try:
                return Credential(self._box().open(row.ciphertext), row.provider, row.base_url)
            except UndecryptableSecret:
                raise CredentialNotFound(
                    f"Credential {name!r} cannot be decrypted: NODELOOM_SECRET_KEY changed "
                    "since it was saved. Put the old key in NODELOOM_SECRET_KEY_PREVIOUS, or "
                    "save its secret again."
                ) from None
        if self._fallback is not None:
            return await self._fallback.resolve(name)
        raise CredentialNotFound(
            f"You have no credential named {name!r}; add it on the Credentials page."
        )


class RunCredentialsFactory:
    """Makes each run's resolver (the executor asks once per run). The key is read on
    first use, so a worker whose runs need no credential never touches it."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        environ: Mapping[str, str],
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._box: SecretBox | None = None
        self._environ = None if settings.accounts else environ

    def __call__(self, run_id: str) -> RunCredentials:
        fallback = None if self._environ is None else EnvironmentCredentials(self._environ, {})
        return RunCredentials(self._sessions, self._open_box, run_id, fallback)

    def _open_box(self) -> SecretBox:
        if self._box is None:
            self._box = box_from_settings(self._settings)
        return self._box
