"""The one ownership rule behind the owner's routes and the run events WebSocket."""

from __future__ import annotations

from backend.auth.ownership import owns
from backend.auth.principal import LOCAL, Principal
from backend.db import workflow_store as store
from backend.db.models import WorkflowRecord
from graph_engine.document import empty_document

ALICE = Principal("alice-id", "Alice", "alice@example.test", is_admin=False)
ADMIN = Principal("admin-id", "Admin", "admin@example.test", is_admin=True)


async def test_an_account_owns_only_its_own_workflows(sessions):
    async with sessions() as session:
        record = await store.create_workflow(
            session, empty_document("A"), message=None, owner_id=ALICE.user_id
        )
        workflow_id = record.id

    async with sessions() as session:
        assert await owns(session, ALICE, WorkflowRecord, workflow_id)
        # Being an admin grants no one else's workflows.
        assert not await owns(session, ADMIN, WorkflowRecord, workflow_id)
        # A row that is not there belongs to nobody.
        assert not await owns(session, ALICE, WorkflowRecord, "0" * 32)


async def test_the_local_owner_owns_everything(sessions):
    async with sessions() as session:
        record = await store.create_workflow(
            session, empty_document("A"), message=None, owner_id=ALICE.user_id
        )
        assert await owns(session, LOCAL, WorkflowRecord, record.id)
