"""The workflow store: compare-and-swap saves, immutable history, cascading deletes."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from backend.db import workflow_store as store
from backend.db.models import WorkflowVersionRecord
from backend.db.workflow_store import WorkflowSort
from backend.errors import VersionConflict, VersionNotFound, WorkflowNotFound
from graph_engine.document import WorkflowDocument, empty_document


def _doc(name: str, *node_ids: str) -> WorkflowDocument:
    nodes = [{"id": n, "type": "data.text", "position": {"x": 0, "y": 0}} for n in node_ids]
    return WorkflowDocument.model_validate({"name": name, "nodes": nodes})


async def test_create_writes_version_one(sessions):
    async with sessions() as session:
        record = await store.create_workflow(session, _doc("A", "x"), message="Created")
    async with sessions() as session:
        loaded = await store.get_workflow(session, record.id)
        version = await store.get_version(session, record.id, 1)

    assert (loaded.version, loaded.name, loaded.name_key, loaded.node_count) == (1, "A", "a", 1)
    assert loaded.owner_id is None
    assert (version.message, version.author, version.document) == (
        "Created",
        "local",
        loaded.document,
    )
    assert loaded.created_at.tzinfo is not None


async def test_save_is_a_compare_and_swap(sessions):
    async with sessions() as session:
        record = await store.create_workflow(session, empty_document("A"), message=None)
        saved = await store.save_document(
            session, record.id, _doc("B"), expected_version=1, message="m"
        )
        with pytest.raises(VersionConflict) as conflict:
            await store.save_document(
                session, record.id, _doc("C"), expected_version=1, message=None
            )

    assert saved.version == 2 and conflict.value.current_version == 2
    async with sessions() as session:
        assert (await store.get_workflow(session, record.id)).name == "B"


async def test_concurrent_saves_on_separate_sessions_accept_one(sessions):
    async with sessions() as session:
        record = await store.create_workflow(session, empty_document("A"), message=None)

    async def attempt(index: int) -> str:
        async with sessions() as session:
            try:
                await store.save_document(
                    session, record.id, _doc(f"W{index}"), expected_version=1, message=None
                )
            except VersionConflict:
                return "conflict"
            return "saved"

    outcomes = await asyncio.gather(*(attempt(index) for index in range(20)))

    assert sorted(outcomes) == ["conflict"] * 19 + ["saved"]
    async with sessions() as session:
        page = await store.list_versions(session, record.id, limit=50, offset=0)
    assert [item.version for item in page.items] == [2, 1] and page.total == 2


async def test_history_rows_never_change(sessions):
    async with sessions() as session:
        record = await store.create_workflow(session, _doc("A", "x"), message="Created")
        first = await store.get_version(session, record.id, 1)
        snapshot = (first.id, first.name, dict(first.document), first.created_at)
        for version in range(1, 4):
            await store.save_document(
                session, record.id, _doc(f"V{version}"), expected_version=version, message=None
            )
    async with sessions() as session:
        again = await store.get_version(session, record.id, 1)

    assert (again.id, again.name, again.document, again.created_at) == snapshot


async def test_delete_cascades_to_the_history(sessions):
    async with sessions() as session:
        record = await store.create_workflow(session, empty_document("A"), message=None)
        await store.save_document(session, record.id, _doc("B"), expected_version=1, message=None)
        await store.delete_workflow(session, record.id)
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(WorkflowVersionRecord))
        with pytest.raises(WorkflowNotFound):
            await store.get_workflow(session, record.id)
        with pytest.raises(WorkflowNotFound):
            await store.delete_workflow(session, record.id)

    assert count == 0


async def test_missing_versions_and_workflows(sessions):
    async with sessions() as session:
        record = await store.create_workflow(session, empty_document("A"), message=None)
        with pytest.raises(VersionNotFound):
            await store.get_version(session, record.id, 2)
        with pytest.raises(WorkflowNotFound):
            await store.get_version(session, "0" * 32, 1)
        with pytest.raises(WorkflowNotFound):
            await store.save_document(
                session, "0" * 32, _doc("X"), expected_version=1, message=None
            )


async def test_list_filters_counts_and_orders(sessions):
    async with sessions() as session:
        for name in ("beta", "Alpha", "alphabet", "gamma"):
            await store.create_workflow(session, empty_document(name), message=None)
        page = await store.list_workflows(
            session, limit=2, offset=0, query="ALPHA", sort=WorkflowSort.name_desc
        )

    assert page.total == 2
    assert [item.name for item in page.items] == ["alphabet", "Alpha"]
