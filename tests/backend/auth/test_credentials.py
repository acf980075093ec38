"""Credentials: stored encrypted, never shown again, owner-scoped, checked through each
provider's real client against local fakes (and the real PostgreSQL), used by runs."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from accounts_support import add_person, client_for, wait_finished
from api_support import API, assert_problem, make_settings
from fakes.openai_server import fake_openai
from provider_fakes import GOOD_KEY, fake_providers
from run_support import create_workflow, greeting
from sqlalchemy import select
from sqlalchemy.engine import make_url
from test_canary_secret import echo_workflow

from backend.app import create_app
from backend.credentials.crypto import KEY_FILE
from backend.db.models import CredentialRecord


async def _owner(app):
    person = await add_person(app, "Owner")
    return client_for(app, person.cookies)


async def test_a_credential_is_encrypted_and_never_returned(accounts_app):
    async with await _owner(accounts_app) as owner:
        created = await owner.post(
            f"{API}/credentials",
            json={"name": "openai", "provider": "openai", "secret": "sk-live-abcdefgh1234"},
        )
        listed = await owner.get(f"{API}/credentials")
        renamed = await owner.patch(
            f"{API}/credentials/{created.json()['id']}", json={"name": "openai-2"}
        )
        taken = await owner.post(
            f"{API}/credentials",
            json={"name": "openai-2", "provider": "openai", "secret": "sk-other-000000000"},
        )
    assert created.status_code == 201
    body = created.json()
    assert body["last4"] == "1234" and "secret" not in body and "sk-live" not in created.text
    assert listed.json() == [body]
    assert renamed.json()["name"] == "openai-2" and renamed.json()["last4"] == "1234"
    assert_problem(taken, 409, "credential_name_taken")
    async with accounts_app.state.sessions() as session:
        stored = (await session.scalars(select(CredentialRecord))).one()
    assert "sk-live" not in stored.ciphertext and stored.ciphertext.startswith("gAAAA")


async def test_someone_elses_credential_is_not_found(accounts_app):
    async with await _owner(accounts_app) as owner:
        created = await owner.post(
            f"{API}/credentials",
            json={"name": "k", "provider": "anthropic", "secret": "sk-ant-000000000000"},
        )
    other = await add_person(accounts_app, "Other")
    credential_id = created.json()["id"]
    async with client_for(accounts_app, other.cookies) as client:
        answers = [
            await client.patch(f"{API}/credentials/{credential_id}", json={"name": "mine"}),
            await client.delete(f"{API}/credentials/{credential_id}"),
            await client.post(f"{API}/credentials/{credential_id}/check"),
        ]
        listed = await client.get(f"{API}/credentials")
    for answer in answers:
        assert_problem(answer, 404, "credential_not_found")
    assert listed.json() == []


@pytest.mark.parametrize(
    ("provider", "path"),
    [("openai", "/v1"), ("anthropic", ""), ("pinecone", ""), ("openai_compatible", "/v1")],
)
async def test_check_calls_the_provider_with_the_key(accounts_app, provider: str, path: str):
    with fake_providers() as base:
        async with await _owner(accounts_app) as owner:
            results = {}
            for name, secret in (("good", GOOD_KEY), ("bad", "sk-wrong-key-999999")):
                created = await owner.post(
                    f"{API}/credentials",
                    json={
                        "name": name,
                        "provider": provider,
                        "secret": secret,
                        "base_url": base + path,
                    },
                )
                assert created.status_code == 201, created.text
                check = await owner.post(f"{API}/credentials/{created.json()['id']}/check")
                assert check.status_code == 200
                results[name] = check.json()
    assert results["good"]["ok"] is True, results
    assert results["bad"] == {"ok": False, "detail": "The provider refused the credential (401)."}


async def test_check_of_an_unreachable_server_is_a_result(accounts_app):
    async with await _owner(accounts_app) as owner:
        created = await owner.post(
            f"{API}/credentials",
            json={
                "name": "gone",
                "provider": "openai_compatible",
                "secret": "sk-nothing-00000000",
                "base_url": "http://127.0.0.1:9/v1",
            },
        )
        check = await owner.post(f"{API}/credentials/{created.json()['id']}/check")
    assert check.status_code == 200
    assert check.json() == {
        "ok": False,
        "detail": "Could not connect to 127.0.0.1:9 (ConnectError).",
    }


async def test_postgres_check_connects_to_the_real_server(accounts_app, postgres_admin_url):
    url = make_url(postgres_admin_url).set(drivername="postgresql")
    good = url.render_as_string(hide_password=False)
    # The throwaway cluster trusts local connections: a missing database is what fails.
    bad = url.set(password="wrong-password-x", database="no_such_database").render_as_string(
        hide_password=False
    )
    async with await _owner(accounts_app) as owner:
        outcomes = {}
        for name, secret in (("good", good), ("bad", bad)):
            created = await owner.post(
                f"{API}/credentials",
                json={"name": name, "provider": "postgres", "secret": secret},
            )
            assert created.status_code == 201, created.text
            assert created.json()["last4"] == make_url(secret).database[-4:]
            check = await owner.post(f"{API}/credentials/{created.json()['id']}/check")
            outcomes[name] = check.json()
    assert outcomes["good"] == {"ok": True, "detail": "Connected; SELECT 1 works."}
    assert outcomes["bad"]["ok"] is False
    assert outcomes["bad"]["detail"] == "The check failed (InvalidCatalogNameError)."


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"name": "a b", "provider": "openai", "secret": "sk-1234567890"}, "/name"),
        ({"name": "x", "provider": "nope", "secret": "sk-1234567890"}, "/provider"),
        ({"name": "x", "provider": "openai", "secret": "short"}, "/secret"),
        ({"name": "x", "provider": "openai_compatible", "secret": "sk-1234567890"}, ""),
        ({"name": "x", "provider": "postgres", "secret": "sk-1234567890"}, ""),
        (
            {
                "name": "x",
                "provider": "openai",
                "secret": "sk-1234567890",
                "base_url": "http://u:p@host",
            },
            "",
        ),
    ],
)
async def test_bad_credentials_are_refused_naming_the_field(accounts_app, body, pointer):
    async with await _owner(accounts_app) as owner:
        response = await owner.post(f"{API}/credentials", json=body)
        listed = await owner.get(f"{API}/credentials")
    problem = assert_problem(response, 422, "invalid_input")
    assert problem["errors"][0]["pointer"] == pointer
    assert listed.json() == []


async def test_accounts_mode_never_reads_the_environment(accounts_app, monkeypatch):
    monkeypatch.setenv("NODELOOM_CREDENTIAL_CANARY", "sk-from-the-environment")
    async with await _owner(accounts_app) as owner:
        workflow_id = await create_workflow(owner, echo_workflow("http://127.0.0.1:9/v1"))
        run = await owner.post(
            f"{API}/workflows/{workflow_id}/runs", json={"inputs": {"question": "q"}}
        )
        finished = await wait_finished(owner, f"{API}/runs/{run.json()['id']}")
    assert finished["status"] == "failed"
    assert finished["error"]["code"] == "credential_not_found"
    assert "Credentials page" in finished["error"]["message"]


async def test_single_mode_stores_credentials_under_a_local_key(database_url, tmp_path: Path):
    app = create_app(make_settings(tmp_path, database_url))
    async with app.router.lifespan_context(app), client_for(app) as client:
        created = await client.post(
            f"{API}/credentials",
            json={"name": "k", "provider": "openai", "secret": "sk-local-12345678"},
        )
        workflow_id = await create_workflow(client, greeting())
        run = await client.post(
            f"{API}/workflows/{workflow_id}/runs", json={"inputs": {"name": "x"}}
        )
        finished = await wait_finished(client, f"{API}/runs/{run.json()['id']}")
    assert created.status_code == 201 and finished["status"] == "succeeded"
    key_file = tmp_path / "data" / KEY_FILE
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


async def test_single_mode_uses_the_store_and_falls_back_to_the_environment(
    database_url, tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("NODELOOM_CREDENTIAL_CANARY", "sk-from-the-environment")
    app = create_app(make_settings(tmp_path, database_url))
    with fake_openai() as base_url:
        # The credential carries where its key goes, from the environment or the store.
        monkeypatch.setenv("NODELOOM_CREDENTIAL_CANARY_BASE_URL", base_url)
        async with app.router.lifespan_context(app), client_for(app) as client:
            workflow_id = await create_workflow(client, echo_workflow(base_url))
            outputs = []
            for stored in (False, True):
                if stored:  # now only the store has it
                    monkeypatch.delenv("NODELOOM_CREDENTIAL_CANARY")
                    created = await client.post(
                        f"{API}/credentials",
                        json={
                            "name": "canary",
                            "provider": "openai_compatible",
                            "secret": "sk-stored-1234",
                            "base_url": base_url,
                        },
                    )
                    assert created.status_code == 201
                run = await client.post(
                    f"{API}/workflows/{workflow_id}/runs", json={"inputs": {"question": "q"}}
                )
                finished = await wait_finished(client, f"{API}/runs/{run.json()['id']}")
                assert finished["status"] == "succeeded", finished
                outputs.append(finished["outputs"]["answer"])
    # The fake echoes the key it was sent; the engine scrubs whichever was resolved.
    assert outputs == ["Hello,\nworld key=***"] * 2
