"""Property-based tests of the whole API from its OpenAPI schema (schemathesis 4).

Every check schemathesis offers runs (its CLI's ``--checks all``): a response must be a
documented status with documented headers and content, match its schema, never be a 5xx;
schema-valid requests must be accepted and schema-invalid ones refused; undeclared
methods answer 405 with an honest ``Allow``; a route that declares credentials refuses
requests without them. Then the stateful tests chain calls along the schema's OpenAPI
links (create → save with the ETag → run → cancel, share → visit…), each chain starting
from the seeded database.

Two servers on SQLite: single-person mode, with one workflow seeded so generated ids
reach a real one half the time; and accounts mode, where every request carries an API
key (``Authorization: Bearer``) and the schema declares it.

Where the server refuses schema-valid data for a reason JSON Schema cannot state, the
operation is named here with the reason (``BEYOND_JSON_SCHEMA``). Everything else the
server refuses is written into the schema.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from backend.api.links import LINKS
from backend.app import create_app
from backend.auth import api_keys, users
from backend.config import Settings
from backend.db import workflow_store as store
from backend.db.migrate import upgrade_database
from backend.db.session import create_engine, create_session_factory
from graph_engine.document import WorkflowDocument

EXAMPLES_PER_OPERATION = 20
STATEFUL_SCENARIOS = 100
STATEFUL_STEPS = 8
MINIMUM_CASES = 1_000
SECRET_KEY = "schemathesis-secret-key-" + "y" * 32

# Refusals of schema-valid requests for reasons JSON Schema cannot state: rules between
# the parts of a document, what is stored, the clock. For these operations 422 answers
# valid data too; every other refusal is stated in the schema itself.
BEYOND_JSON_SCHEMA = {
    "importWorkflow": "an edge's ends must name nodes of the document; ids are unique",
    "validateWorkflow": "the same document rules",
    "updateWorkflow": "the same document rules",
    "saveSharedWorkflow": "the same document rules",
    "previewImport": "the file must be a Nodeloom, Langflow or Flowise export",
    "startRun": "the inputs must be the stored workflow's own",
    "startSharedRun": "the inputs must be the stored workflow's own",
    "signUp": "the password must not be one of the 10,000 most used",
    "createShareLink": "expires_at must lie in the future",
    "updateShareLink": "expires_at must lie in the future",
}
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
CONFIG = {
    "checks": {
        # A save without If-Match is 428 Precondition Required (RFC 6585), not a 4xx guess.
        "missing_required_header": {
            "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]
        },
    },
    "operations": [
        {
            "include-operation-id": sorted(BEYOND_JSON_SCHEMA),
            "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}},
        }
    ],
}


@dataclass
class Server:
    """One app under test, with what its requests carry and what they reached."""

    app: FastAPI
    database: Path
    seeded_id: str
    headers: dict[str, str] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    linked_successes: int = 0  # stateful steps whose values a link gave, answered 2xx

    def __post_init__(self) -> None:
        self.seed = self.database.with_suffix(".seed")
        shutil.copyfile(self.database, self.seed)

    def restore_seed(self) -> None:
        """Back to the seeded database, through SQLite's backup (the app's connections
        stay valid): each call chain meets the same state, so it is reproducible."""
        source, target = sqlite3.connect(self.seed), sqlite3.connect(self.database)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()

    def count(self, case: Any) -> None:
        label = f"{case.method.upper()} {case.path}"
        self.calls[label] = self.calls.get(label, 0) + 1

    def schema(self) -> Any:
        config = SchemathesisConfig.from_dict(CONFIG)
        return schemathesis.openapi.from_asgi("/openapi.json", self.app, config=config)


async def _seed(database_url: str, *, accounts: bool) -> tuple[str, dict[str, str]]:
    """A migrated database with one workflow (and, in accounts mode, its owner's API key)."""
    await upgrade_database(database_url)
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            headers = {}
            if accounts:
                owner = await users.create_user(
                    session, email="owner@example.com", name="Owner", password_hash="-",
                    signup_open=False,
                )  # fmt: skip
                _, key = await api_keys.create_key(session, owner.id, "schemathesis")
                headers = {"Authorization": f"Bearer {key}"}
            node = {"id": "a", "type": "data.text", "position": {"x": 0, "y": 0}}
            document = WorkflowDocument.model_validate({"name": "Seed", "nodes": [node]})
            owner_id = owner.id if accounts else None
            seeded = await store.create_workflow(
                session, document, message="seed", owner_id=owner_id
            )
            return seeded.id, headers
    finally:
        await engine.dispose()


def _server(*, accounts: bool) -> Server:
    directory = Path(tempfile.mkdtemp(prefix="nodeloom-schemathesis-"))
    database = directory / "nodeloom.db"
    database_url = f"sqlite+aiosqlite:///{database}"
    seeded_id, headers = asyncio.run(_seed(database_url, accounts=accounts))
    options: dict[str, Any] = {"auth": "on", "secret_key": SECRET_KEY} if accounts else {}
    settings_ = Settings(
        database_url=database_url, data_dir=directory, frontend_dir=directory / "none", **options
    )
    return Server(create_app(settings_), database, seeded_id, headers)


SINGLE = _server(accounts=False)
ACCOUNTS = _server(accounts=True)
single_schema = SINGLE.schema()
accounts_schema = ACCOUNTS.schema()
HYPOTHESIS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _call(server: Server, case: Any) -> None:
    workflow_id = case.path_parameters.get("workflow_id") if case.path_parameters else None
    if isinstance(workflow_id, str) and len(workflow_id) % 2 == 0:
        case.path_parameters["workflow_id"] = server.seeded_id  # a real workflow half the time
    server.count(case)
    case.call_and_validate(headers=_auth_headers(server, case))  # every check enabled


def _auth_headers(server: Server, case: Any) -> dict[str, str] | None:
    """The owner's key, unless the case's own ``Authorization`` is the invalid data it
    tests (sending the key instead would make the server accept what the case breaks)."""
    if not server.headers:
        return None
    headers = case.headers or {}
    if "Authorization" in headers and case.meta.is_negative_at(ParameterLocation.HEADER):
        return None
    return dict(server.headers)


@single_schema.parametrize()
@HYPOTHESIS
def test_single_person_api_conforms_to_its_schema(case):
    _call(SINGLE, case)


@accounts_schema.parametrize()
@HYPOTHESIS
def test_accounts_api_conforms_to_its_schema(case):
    _call(ACCOUNTS, case)


def _chains(server: Server, schema: Any) -> type:
    class Chains(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Every chain starts from the seeded database, so what a step draws never
            # depends on what earlier chains stored (Hypothesis would call that flaky).
            server.restore_seed()

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            server.count(case)
            headers = _auth_headers(server, case)
            return {"headers": headers} if headers else {}

        def step(self, input: Any) -> Any:  # every check runs on every step, in super()
            output = super().step(input)
            if input.transition is not None and 200 <= output.response.status_code < 300:
                server.linked_successes += 1
            return output

    return Chains


STATEFUL = settings(HYPOTHESIS, max_examples=STATEFUL_SCENARIOS, stateful_step_count=STATEFUL_STEPS)


@pytest.mark.parametrize(
    ("server", "schema"),
    [(SINGLE, single_schema), (ACCOUNTS, accounts_schema)],
    ids=["single", "accounts"],
)
def test_call_chains_along_the_links_conform(server: Server, schema: Any):
    _chains(server, schema).run(settings=STATEFUL)

    assert server.linked_successes >= 20  # the links lead to things that exist


def test_every_link_names_real_operations():
    operations = {
        operation["operationId"]
        for methods in SINGLE.app.openapi()["paths"].values()
        for operation in methods.values()
    }
    named = set(LINKS) | {target for _, targets in LINKS.values() for target in targets}
    assert named <= operations, named - operations


@pytest.mark.parametrize("server", [SINGLE, ACCOUNTS], ids=["single", "accounts"])
def test_enough_cases_reached_every_operation(server: Server):
    # Runs after the generated tests (file order).
    paths = server.app.openapi()["paths"]
    operations = {f"{method.upper()} {path}" for path in paths for method in paths[path]}
    assert set(server.calls) >= operations, operations - set(server.calls)


def test_at_least_a_thousand_cases_ran(capsys: pytest.CaptureFixture[str]):
    single, accounts = sum(SINGLE.calls.values()), sum(ACCOUNTS.calls.values())
    with capsys.disabled():  # shown in every run, not only a failing one
        print(
            f"\nschemathesis: {single + accounts} cases ({single} single-person, {accounts} "
            f"accounts; stateful steps included, {SINGLE.linked_successes} + "
            f"{ACCOUNTS.linked_successes} reached through links)"
        )
    assert single + accounts >= MINIMUM_CASES
