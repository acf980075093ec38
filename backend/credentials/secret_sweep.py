"""Finding — and, asked to, moving into credentials — the secrets that earlier releases
let sit in node params, in every workflow's current document and every version row.

Each secret found is reported by workflow, version, node, param and kind, never by value.
With a ``SecretBox`` each one whose provider is evident is kept in a credential of the
workflow's owner (single-person mode: the local owner), sealed as the Credentials API
seals one: an existing credential holding the same secret, else a new one named after
the provider and the workflow. It is then taken out of the current document and every
version row (``backend.exchange.secret_moves``), one transaction per workflow. The
provider is the shape's (``sk-ant-`` → anthropic, ``sk-`` → openai, ``pcsk_`` →
pinecone, a ``postgresql://`` URL → postgres) or, in a credential param, the node's; a
secret no provider fits (an AWS key, a Slack token, a key for an OpenAI-compatible server,
whose credential needs its URL) is reported to be moved by hand.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.auth.users import LOCAL_OWNER
from backend.credentials.crypto import SecretBox, UndecryptableSecret
from backend.credentials.providers import NEEDS_BASE_URL, Provider
from backend.credentials.store import create_credential
from backend.db.models import CredentialRecord, WorkflowRecord, WorkflowVersionRecord
from backend.exchange.credentials import provider_of
from backend.exchange.problems import node_title
from backend.exchange.secret_moves import Move, credential_params, remove_secrets
from backend.exchange.secret_scan import SecretFinding, scan_document
from backend.graph_problems import check_document
from graph_engine.document import WorkflowDocument

BATCH = 100
_ATTEMPTS = 3  # a credential name taken meanwhile (by the API) retries the workflow
_MAX_NAME = 64


@dataclass(frozen=True, slots=True)
class FoundSecret:
    """One secret in one version of one workflow; ``credential``: where it went."""

    workflow_id: str
    workflow_name: str
    version: int
    node_id: str
    node_title: str
    param: str  # RFC 6901 pointer inside the node's params
    kind: str
    provider: str | None  # None: no credential provider fits; it must be moved by hand
    credential: str | None = None


@dataclass
class Sweep:
    workflows: int = 0
    versions: int = 0
    found: list[FoundSecret] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # names of the new credentials

    @property
    def by_hand(self) -> list[FoundSecret]:
        return [item for item in self.found if item.provider is None]


async def sweep_secrets(
    sessions: async_sessionmaker[AsyncSession],
    box: SecretBox | None,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Sweep:
    """Report every secret in node params; with ``box``, also move each one that can be
    moved. ``progress(done, total)`` after each workflow."""
    sweep = Sweep()
    async with sessions() as session:
        total = await session.scalar(select(func.count()).select_from(WorkflowRecord)) or 0
    last_id, done = "", 0
    while True:
        async with sessions() as session:
            ids = (
                await session.scalars(
                    select(WorkflowRecord.id)
                    .where(WorkflowRecord.id > last_id)
                    .order_by(WorkflowRecord.id)
                    .limit(BATCH)
                )
            ).all()
        if not ids:
            return sweep
        for workflow_id in ids:
            await _sweep_workflow(sessions, workflow_id, box, sweep)
            done += 1
            progress(done, max(total, done))
        last_id = ids[-1]


async def _sweep_workflow(
    sessions: async_sessionmaker[AsyncSession],
    workflow_id: str,
    box: SecretBox | None,
    sweep: Sweep,
) -> None:
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            async with sessions() as session, session.begin():
                outcome = await _WorkflowSweep.run(session, workflow_id, box)
        except IntegrityError:
            if attempt == _ATTEMPTS:
                raise
            continue
        if outcome is not None:
            sweep.workflows += 1
            sweep.versions += outcome.versions
            sweep.found.extend(outcome.found)
            sweep.created.extend(outcome.created)
        return


class _WorkflowSweep:
    """One workflow's documents, inside one transaction."""

    def __init__(self, session: AsyncSession, record: WorkflowRecord, box: SecretBox | None):
        self.session = session
        self.record = record
        self.box = box
        self.owner_id = record.owner_id or LOCAL_OWNER
        self.versions = 0
        self.found: list[FoundSecret] = []
        self.created: list[str] = []
        self._reported: set[tuple[Any, ...]] = set()
        self._kept: dict[tuple[str, str], str] | None = None  # (provider, secret) → name
        self._names: set[str] = set()

    @classmethod
    async def run(
        cls, session: AsyncSession, workflow_id: str, box: SecretBox | None
    ) -> _WorkflowSweep | None:
        record = await session.get(WorkflowRecord, workflow_id)
        if record is None:
            return None  # deleted meanwhile
        sweep = cls(session, record, box)
        rows = await session.scalars(
            select(WorkflowVersionRecord)
            .where(WorkflowVersionRecord.workflow_id == workflow_id)
            .order_by(WorkflowVersionRecord.version)
        )
        for row in rows.all():
            sweep.versions += 1
            moved = await sweep.document(row.version, row.document)
            if moved is not None:
                await _rewrite(session, WorkflowVersionRecord, row.id, moved)
        moved = await sweep.document(record.version, record.document)
        if moved is not None:
            # Only if nobody saved since: a newer save was checked, so it holds no secret.
            await _rewrite(session, WorkflowRecord, record.id, moved, version=record.version)
        return sweep

    async def document(self, version: int, document: Mapping[str, Any]) -> dict[str, Any] | None:
        """Report the secrets of one version; the document without them, if any moved."""
        moves = []
        for finding in scan_document(document):
            node = document["nodes"][finding.node_index]
            provider = movable_provider(node, finding)
            name = None
            if provider is not None and self.box is not None:
                secret = _value(node, finding)
                name = await self._credential_for(provider, secret)
                moves.append(Move(finding, name, provider))
            self._report(version, node, finding, provider, name)
        return remove_secrets(document, moves) if moves else None

    def _report(
        self,
        version: int,
        node: Mapping[str, Any],
        finding: SecretFinding,
        provider: str | None,
        credential: str | None,
    ) -> None:
        key = (version, finding.pointer, finding.kind, finding.start, finding.end)
        if key in self._reported:  # the current document is its newest version's too
            return
        self._reported.add(key)
        self.found.append(
            FoundSecret(
                self.record.id, self.record.name, version, finding.node_id, node_title(node),
                finding.param_pointer, finding.kind, provider, credential,
            )
        )  # fmt: skip

    async def _credential_for(self, provider: str, secret: str) -> str:
        """The name of the owner's credential holding ``secret`` for ``provider``."""
        kept = await self._owners_credentials()
        if (provider, secret) in kept:
            return kept[provider, secret]
        name = _free_name(f"{provider}-{_slug(self.record.name)}", self._names)
        assert self.box is not None
        await create_credential(
            self.session, self.box, owner_id=self.owner_id, name=name,
            provider=Provider(provider), secret=secret, base_url=None, commit=False,
        )  # fmt: skip
        kept[provider, secret] = name
        self._names.add(name)
        self.created.append(name)
        return name

    async def _owners_credentials(self) -> dict[tuple[str, str], str]:
        if self._kept is None:
            assert self.box is not None
            credential = CredentialRecord
            rows = await self.session.execute(
                select(credential.name, credential.provider, credential.ciphertext).where(
                    credential.owner_id == self.owner_id
                )
            )
            self._kept = {}
            for name, provider, ciphertext in rows.all():
                self._names.add(name)
                try:
                    self._kept[provider, self.box.open(ciphertext)] = name
                except UndecryptableSecret:
                    continue  # sealed under a key no longer configured: not reused
        return self._kept


def movable_provider(node: Mapping[str, Any], finding: SecretFinding) -> str | None:
    """The credential provider a secret can be kept under, or None (move it by hand):
    in a credential param, the node's provider; elsewhere, the one its shape implies."""
    path = finding.param_path
    node_type = str(node.get("type"))
    if len(path) == 1 and path[0] in credential_params(node_type):
        provider = provider_of(node_type, node["params"])
    else:
        provider = finding.provider or ""
    try:
        kind = Provider(provider)
    except ValueError:
        return None
    return None if kind in NEEDS_BASE_URL else kind.value


def _value(node: Mapping[str, Any], finding: SecretFinding) -> str:
    holder: Any = node["params"]
    for key in finding.param_path:
        holder = holder[key]
    return str(holder)[finding.start : finding.end]


async def _rewrite(
    session: AsyncSession,
    table: type[WorkflowRecord] | type[WorkflowVersionRecord],
    row_id: str,
    document: dict[str, Any],
    *,
    version: int | None = None,
) -> None:
    problems = await check_document(WorkflowDocument.model_validate(document))
    statement = update(table).where(table.id == row_id)
    if version is not None:
        statement = statement.where(WorkflowRecord.version == version)
    await session.execute(statement.values(document=document, problems=problems))


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "workflow"


def _free_name(base: str, taken: set[str]) -> str:
    base = base[:_MAX_NAME]
    if base not in taken:
        return base
    number = 2
    while (name := f"{base[: _MAX_NAME - 1 - len(str(number))]}-{number}") in taken:
        number += 1
    return name
