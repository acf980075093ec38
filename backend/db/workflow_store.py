"""Reading and writing workflows and their version history.

Every accepted change goes through ``_compare_and_swap``: one ``UPDATE … WHERE id = :id AND
version = :expected`` that bumps the version, plus the matching immutable row in
``workflow_versions``, in one transaction. Of any number of concurrent saves based on the
same version exactly one wins; the others get ``VersionConflict``.

Every stored document — created, saved, renamed, restored, imported or duplicated — is
checked by ``backend.graph_problems`` first, and its problems are stored with it: problems
block runs, never saves. A document whose params hold something that looks like a secret
is refused here, the one place every path goes through (``backend.secret_guard``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, Table, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from backend.db.models import WorkflowRecord, WorkflowVersionRecord, utcnow
from backend.db.prebuilt_reads import PrebuiltRead
from backend.errors import VersionConflict, VersionNotFound, WorkflowNotFound
from backend.graph_problems import StoredProblem, check_document
from backend.secret_guard import refuse_secrets
from graph_engine.document import WorkflowDocument
from graph_engine.names import search_key

T = TypeVar("T")
# A change to a workflow's document, applied to the newest version (rename, restore).
DocumentChange = Callable[[WorkflowDocument], WorkflowDocument]

LOCAL_AUTHOR = "local"
MAX_VERSION = 2**31 - 1
# Changes without an expected version (rename, restore) retry this often when they race.
_UNCONDITIONAL_ATTEMPTS = 5


class WorkflowSort(StrEnum):
    updated_desc = "updated_desc"
    updated_asc = "updated_asc"
    name_asc = "name_asc"
    name_desc = "name_desc"
    created_desc = "created_desc"


_ORDER = {
    WorkflowSort.updated_desc: (WorkflowRecord.updated_at.desc(), WorkflowRecord.id),
    WorkflowSort.updated_asc: (WorkflowRecord.updated_at.asc(), WorkflowRecord.id),
    WorkflowSort.name_asc: (WorkflowRecord.name_key.asc(), WorkflowRecord.id),
    WorkflowSort.name_desc: (WorkflowRecord.name_key.desc(), WorkflowRecord.id),
    WorkflowSort.created_desc: (WorkflowRecord.created_at.desc(), WorkflowRecord.id),
}


@dataclass(frozen=True, slots=True)
class Author:
    """Who saves a version: a name for the history, and the account (``None``: local)."""

    name: str = LOCAL_AUTHOR
    user_id: str | None = None


LOCAL = Author()


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int


def new_id() -> str:
    return uuid.uuid4().hex


def _stored(document: WorkflowDocument) -> dict[str, Any]:
    return document.model_dump(mode="json")


async def _checked(document: WorkflowDocument) -> tuple[dict[str, Any], list[StoredProblem]]:
    """``document`` as stored, and its problems; ``SecretInParams`` if it holds a secret."""
    stored = _stored(document)
    refuse_secrets(stored)
    return stored, await check_document(document)


async def list_workflows(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    query: str | None,
    sort: WorkflowSort,
    owner_id: str | None = None,
) -> Page[WorkflowRecord]:
    """``owner_id``: only that owner's workflows (``None``: everybody's, single-person mode)."""
    filtered = select(WorkflowRecord)
    if owner_id is not None:
        filtered = filtered.where(WorkflowRecord.owner_id == owner_id)
    if query:
        filtered = filtered.where(
            WorkflowRecord.name_key.contains(search_key(query), autoescape=True)
        )
    total = await _count(session, filtered)
    rows = await session.scalars(filtered.order_by(*_ORDER[sort]).limit(limit).offset(offset))
    return Page(items=rows.all(), total=total)


async def _count(session: AsyncSession, statement: Select[Any]) -> int:
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return (await session.execute(counted)).scalar_one()


async def get_workflow(session: AsyncSession, workflow_id: str) -> WorkflowRecord:
    record = await session.get(WorkflowRecord, workflow_id, populate_existing=True)
    if record is None:
        raise WorkflowNotFound(workflow_id)
    return record


_WORKFLOWS = WorkflowRecord.__table__
_VERSIONS = WorkflowVersionRecord.__table__


def _columns_to_run(table: Table) -> Select[Any]:
    return select(table.c.version, table.c.document, table.c.problems)


# Starting a run reads one of these, outside any session (see ``prebuilt_reads`` on why).
_CURRENT_TO_RUN = PrebuiltRead(
    _columns_to_run(_WORKFLOWS).where(_WORKFLOWS.c.id == bindparam("workflow_id"))
)
_VERSION_TO_RUN = PrebuiltRead(
    _columns_to_run(_VERSIONS).where(
        _VERSIONS.c.workflow_id == bindparam("workflow_id"),
        _VERSIONS.c.version == bindparam("version"),
    )
)


async def version_to_run(engine: AsyncEngine, workflow_id: str, version: int | None) -> Any:
    """``version``, ``document`` and ``problems`` of the workflow's current version, or of
    ``version``: the columns starting a run needs, read outside any session (see
    ``prebuilt_reads``)."""
    if version is None:
        row = await _CURRENT_TO_RUN.first(engine, {"workflow_id": workflow_id})
        if row is None:
            raise WorkflowNotFound(workflow_id)
        return row
    row = await _VERSION_TO_RUN.first(engine, {"workflow_id": workflow_id, "version": version})
    if row is None:
        if await _CURRENT_TO_RUN.first(engine, {"workflow_id": workflow_id}) is None:
            raise WorkflowNotFound(workflow_id)
        raise VersionNotFound(workflow_id, version)
    return row


async def create_workflow(
    session: AsyncSession,
    document: WorkflowDocument,
    *,
    message: str | None,
    owner_id: str | None = None,
    author: Author = LOCAL,
) -> WorkflowRecord:
    stored, problems = await _checked(document)
    now = utcnow()
    record = WorkflowRecord(
        id=new_id(),
        name=document.name,
        name_key=search_key(document.name),
        description=document.description,
        document=stored,
        node_count=len(document.nodes),
        version=1,
        created_at=now,
        updated_at=now,
        problems=problems,
        owner_id=owner_id,
    )
    session.add(record)
    await session.flush()
    session.add(_version_row(record.id, 1, document, stored, problems, message, author))
    await session.commit()
    return record


async def save_document(
    session: AsyncSession,
    workflow_id: str,
    document: WorkflowDocument,
    *,
    expected_version: int,
    message: str | None,
    author: Author = LOCAL,
) -> WorkflowRecord:
    """Store ``document`` as the next version, if the workflow is still at ``expected_version``."""
    if expected_version > MAX_VERSION:
        record = await get_workflow(session, workflow_id)
        raise VersionConflict(expected_version, record.version)
    record = await _compare_and_swap(
        session, workflow_id, document, expected_version, message, author
    )
    if record is not None:
        return record
    await session.rollback()
    current = await get_workflow(session, workflow_id)
    raise VersionConflict(expected_version, current.version)


async def _compare_and_swap(
    session: AsyncSession,
    workflow_id: str,
    document: WorkflowDocument,
    expected_version: int,
    message: str | None,
    author: Author,
) -> WorkflowRecord | None:
    stored, problems = await _checked(document)
    statement = (
        update(WorkflowRecord)
        .where(WorkflowRecord.id == workflow_id, WorkflowRecord.version == expected_version)
        .values(
            name=document.name,
            name_key=search_key(document.name),
            description=document.description,
            document=stored,
            node_count=len(document.nodes),
            version=WorkflowRecord.version + 1,
            updated_at=utcnow(),
            problems=problems,
        )
        .returning(WorkflowRecord)
        .execution_options(populate_existing=True)
    )
    record = (await session.scalars(statement)).one_or_none()
    if record is None:
        return None
    session.add(
        _version_row(workflow_id, record.version, document, stored, problems, message, author)
    )
    await session.commit()
    return record


async def change_document(
    session: AsyncSession,
    workflow_id: str,
    change: DocumentChange,
    *,
    expected_version: int | None,
    message: str,
    author: Author = LOCAL,
) -> WorkflowRecord:
    """Apply ``change`` to the current document and save it as the next version.

    With ``expected_version`` the change is refused if the workflow moved on; without it,
    the change is re-applied to the newest version when a concurrent save wins the race.
    """
    attempts = 1 if expected_version is not None else _UNCONDITIONAL_ATTEMPTS
    for _ in range(attempts):
        current = await get_workflow(session, workflow_id)
        base = current.version if expected_version is None else expected_version
        if base != current.version:
            raise VersionConflict(base, current.version)
        document = change(WorkflowDocument.model_validate(current.document))
        saved = await _compare_and_swap(session, workflow_id, document, base, message, author)
        if saved is not None:
            return saved
        await session.rollback()
    current = await get_workflow(session, workflow_id)
    raise VersionConflict(base, current.version)


async def delete_workflow(session: AsyncSession, workflow_id: str) -> None:
    result = await session.execute(delete(WorkflowRecord).where(WorkflowRecord.id == workflow_id))
    if result.rowcount == 0:
        await session.rollback()
        raise WorkflowNotFound(workflow_id)
    await session.commit()


async def list_versions(
    session: AsyncSession, workflow_id: str, *, limit: int, offset: int
) -> Page[WorkflowVersionRecord]:
    await get_workflow(session, workflow_id)
    history = select(WorkflowVersionRecord).where(WorkflowVersionRecord.workflow_id == workflow_id)
    total = await _count(session, history)
    rows = await session.scalars(
        history.order_by(WorkflowVersionRecord.version.desc()).limit(limit).offset(offset)
    )
    return Page(items=rows.all(), total=total)


async def get_version(
    session: AsyncSession, workflow_id: str, version: int
) -> WorkflowVersionRecord:
    record = await session.scalar(
        select(WorkflowVersionRecord).where(
            WorkflowVersionRecord.workflow_id == workflow_id,
            WorkflowVersionRecord.version == version,
        )
    )
    if record is None:
        await get_workflow(session, workflow_id)
        raise VersionNotFound(workflow_id, version)
    return record


def _version_row(
    workflow_id: str,
    version: int,
    document: WorkflowDocument,
    stored: dict[str, Any],
    problems: list[StoredProblem],
    message: str | None,
    author: Author,
) -> WorkflowVersionRecord:
    return WorkflowVersionRecord(
        id=new_id(),
        workflow_id=workflow_id,
        version=version,
        name=document.name,
        document=stored,
        node_count=len(document.nodes),
        author=author.name,
        author_id=author.user_id,
        message=message,
        created_at=utcnow(),
        problems=problems,
    )
