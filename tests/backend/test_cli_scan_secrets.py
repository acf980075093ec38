"""`nodeloom db scan-secrets`: every secret an earlier release let sit in node params, in
current documents and version rows, reported without its value; `--fix` keeps each in a
credential of the workflow's owner (single-person mode too) and takes it out everywhere."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from api_support import document, node
from legacy_rows import store_legacy_workflow
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.cli import EXIT_FAILURE, EXIT_OK, main
from backend.config import Settings
from backend.credentials import store
from backend.credentials.crypto import box_from_settings
from backend.credentials.providers import Provider
from backend.db.models import CredentialRecord, WorkflowRecord, WorkflowVersionRecord

OPENAI = "sk-proj-Ab3d_Ef6h-Ij9kLm2nOp5qRs8tUv1wXy4z"
ANTHROPIC = "sk-ant-api03-Zy9xWv8uTs7rQp6oNm5lKj4iHg3fEd2c"
PINECONE = "pcsk_4Fh2K_9sLq7TzXv3BnMw8RcYd1PjEo6UaGi"
SLACK = "xoxb-2048123456-7389012345678-Gh4Jk7Lm0Np3Qr6St9Vw"
MOVABLE = (OPENAI, ANTHROPIC, PINECONE)
ACCOUNT = "user-1"


def _support(template: str, *extra: dict) -> dict:
    """Support answers: a prompt and an OpenAI chat model without a credential."""
    prompt = node("p", "prompt.template", template=template)
    prompt["label"] = "Answer prompt"
    chat = node("llm", "model.chat", provider="openai", model="gpt-4o-mini", credential=None)
    return document(
        "Support answers", [node("q", "io.input", name="question"), prompt, chat, *extra]
    )


def _claude() -> dict:
    return node("claude", "model.chat", provider="anthropic", credential=ANTHROPIC)


def _notes() -> dict:
    return node("notes", "data.text", text=f"Slack bot: {SLACK}")


def _vectors() -> dict:
    upsert = node(
        "up",
        "vector.upsert",
        store="pinecone",
        index_host="https://i.pinecone.io",
        credential=PINECONE,
    )
    return document("Vectors", [upsert])


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Single-person mode's key file in ``tmp_path`` (no NODELOOM_SECRET_KEY)."""
    monkeypatch.setenv("NODELOOM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("NODELOOM_SECRET_KEY", raising=False)
    monkeypatch.delenv("NODELOOM_SECRET_KEY_PREVIOUS", raising=False)
    return tmp_path


async def _seed(sessions: async_sessionmaker[AsyncSession], data_dir: Path) -> dict[str, str]:
    clean = _support("Answer {question}")
    leaky = _support(f"Key {OPENAI}. Answer {{question}}", _claude(), _notes())
    support = await store_legacy_workflow(sessions, [clean, leaky, leaky])  # owner_id NULL
    vectors = await store_legacy_workflow(sessions, [_vectors()], owner_id=ACCOUNT)
    box = box_from_settings(Settings(data_dir=data_dir))
    async with sessions() as session:
        for owner, name, provider, secret in [
            # The name fix would pick is taken (by another key): it picks the next one.
            ("local", "openai-support-answers", Provider.openai, "sk-another-key-0000000000"),
            # The account keeps this very secret already: that credential is used.
            (ACCOUNT, "team-pinecone", Provider.pinecone, PINECONE),
        ]:
            await store.create_credential(
                session, box, owner_id=owner, name=name, provider=provider, secret=secret,
                base_url=None,
            )  # fmt: skip
    return {"support": support, "vectors": vectors}


async def _scan(*flags: str, database_url: str) -> int:
    # The command runs its own event loop.
    return await asyncio.to_thread(
        main, ["db", "scan-secrets", *flags, "--database-url", database_url]
    )


async def _documents(sessions) -> dict[tuple[str, int | str], dict]:
    async with sessions() as session:
        current = (await session.execute(select(WorkflowRecord.id, WorkflowRecord.document))).all()
        history = (
            await session.execute(
                select(
                    WorkflowVersionRecord.workflow_id,
                    WorkflowVersionRecord.version,
                    WorkflowVersionRecord.document,
                )
            )
        ).all()
    found = {(workflow_id, "current"): doc for workflow_id, doc in current}
    return found | {(workflow_id, version): doc for workflow_id, version, doc in history}


def _lines(ids: dict[str, str], fixed: dict[str, str] | None = None) -> set[str]:
    """The line of each finding; ``fixed``: the credential each kind went to."""
    support, vectors = ids["support"], ids["vectors"]

    def outcome(kind: str, provider: str) -> str:
        if fixed is None:
            return f" (--fix keeps it in a credential for {provider})"
        return f" → credential {fixed[kind]!r}"

    lines = set()
    for version in (2, 3):
        where = f"'Support answers' ({support}) version {version}: node"
        lines |= {
            f"{where} 'Answer prompt' (p) /template: an OpenAI API key"
            + outcome("openai", "openai"),
            f"{where} 'Chat model' (claude) /credential: an Anthropic API key"
            + outcome("anthropic", "anthropic"),
            f"{where} 'Text' (notes) /text: a Slack token — move it by hand: no credential "
            "provider fits it",
        }
    lines.add(
        f"'Vectors' ({vectors}) version 1: node 'Vector upsert' (up) /credential: a Pinecone "
        "API key" + outcome("pinecone", "pinecone")
    )
    return lines


async def test_a_scan_reports_every_secret_by_place_and_kind_never_by_value(
    database_url: str, sessions, data_dir: Path, capsys
):
    ids = await _seed(sessions, data_dir)
    before = await _documents(sessions)

    status = await _scan(database_url=database_url)

    out, err = capsys.readouterr()
    *lines, summary = out.splitlines()
    assert status == EXIT_FAILURE
    assert len(lines) == 7 and set(lines) == _lines(ids)
    assert summary == (
        "Found 7 secret(s) (2 workflow(s), 4 version(s) scanned); --fix moves 5 of them into "
        "credentials; 2 must be moved by hand."
    )
    assert err.endswith(" 2/2\n")  # the progress bar, finished
    assert not any(secret in out + err for secret in (*MOVABLE, SLACK))
    assert await _documents(sessions) == before  # a scan changes nothing


async def test_fix_keeps_each_secret_in_a_credential_of_the_owner_and_takes_it_out_everywhere(
    database_url: str, sessions, data_dir: Path, capsys
):
    ids = await _seed(sessions, data_dir)
    before = await _documents(sessions)

    status = await _scan("--fix", database_url=database_url)

    out, _err = capsys.readouterr()
    *lines, summary = out.splitlines()
    moved_to = {
        "openai": "openai-support-answers-2",
        "anthropic": "anthropic-support-answers",
        "pinecone": "team-pinecone",
    }
    assert status == EXIT_FAILURE  # the Slack token is left to move by hand
    assert set(lines) == _lines(ids, moved_to)
    assert summary == (
        "Moved 5 secret(s) into credentials (2 new); 2 must be moved by hand "
        "(2 workflow(s), 4 version(s) scanned)."
    )
    assert not any(secret in out for secret in (*MOVABLE, SLACK))
    box = box_from_settings(Settings(data_dir=data_dir))  # the key single-person mode uses
    async with sessions() as session:
        rows = (await session.scalars(select(CredentialRecord))).all()
    opened = {(row.owner_id, row.name, row.provider): box.open(row.ciphertext) for row in rows}
    assert opened == {
        ("local", "openai-support-answers", "openai"): "sk-another-key-0000000000",
        ("local", "openai-support-answers-2", "openai"): OPENAI,
        ("local", "anthropic-support-answers", "anthropic"): ANTHROPIC,
        (ACCOUNT, "team-pinecone", "pinecone"): PINECONE,
    }
    documents = await _documents(sessions)
    text = json.dumps(list(documents.values()))
    assert not any(secret in text for secret in MOVABLE)
    assert text.count(SLACK) == 3  # versions 2, 3 and the current document: by hand
    current = {n["id"]: n["params"] for n in documents[ids["support"], "current"]["nodes"]}
    assert current["p"]["template"] == "Key . Answer {question}"
    assert current["llm"]["credential"] is None  # another node: the person picks it
    assert current["claude"]["credential"] == {"$credential": "anthropic-support-answers"}
    assert documents[ids["support"], 2] == documents[ids["support"], "current"]
    assert documents[ids["support"], 1] == before[ids["support"], 1]  # held none
    vectors = documents[ids["vectors"], "current"]["nodes"][0]["params"]
    assert vectors["credential"] == {"$credential": "team-pinecone"}

    again = await _scan("--fix", database_url=database_url)

    out, _err = capsys.readouterr()
    *lines, summary = out.splitlines()
    assert again == EXIT_FAILURE
    assert len(lines) == 2 and all("Slack token — move it by hand" in line for line in lines)
    assert summary == (
        "Moved 0 secret(s) into credentials (0 new); 2 must be moved by hand "
        "(2 workflow(s), 4 version(s) scanned)."
    )


async def test_a_database_without_secrets_passes(
    database_url: str, sessions, data_dir: Path, capsys
):
    await store_legacy_workflow(sessions, [_support("Answer {question}")])

    status = await _scan("--fix", database_url=database_url)

    assert status == EXIT_OK
    assert capsys.readouterr().out == (
        "No secrets in node params (1 workflow(s), 1 version(s) scanned).\n"
    )
