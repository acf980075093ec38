"""Changing NODELOOM_SECRET_KEY without losing a credential: the old key goes to
NODELOOM_SECRET_KEY_PREVIOUS (old secrets still open, new ones are sealed under the new
key), `nodeloom credentials rotate` re-seals everything, then the old key can go."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from backend.cli import EXIT_FAILURE, EXIT_OK, main
from backend.config import Settings
from backend.credentials import store
from backend.credentials.crypto import SecretBox, UndecryptableSecret, box_from_settings
from backend.credentials.providers import Provider
from backend.db.models import CredentialRecord
from backend.db.session import create_engine, create_session_factory

OLD = "old-key-0123456789-0123456789-0123456789"
NEW = "new-key-9876543210-9876543210-9876543210"
LOST = "lost-key-5555555555-5555555555-55555555"


async def _store(url: str, box: SecretBox, secrets: dict[str, str]) -> None:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            for name, secret in secrets.items():
                await store.create_credential(
                    session, box, owner_id="local", name=name, provider=Provider.openai,
                    secret=secret, base_url=None,
                )  # fmt: skip
    finally:
        await engine.dispose()


async def _ciphertexts(url: str) -> dict[str, str]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            rows = await session.execute(select(CredentialRecord.name, CredentialRecord.ciphertext))
            return dict(rows.all())
    finally:
        await engine.dispose()


def test_new_secrets_are_sealed_under_the_new_key_and_old_ones_still_open():
    old_box = SecretBox(OLD)
    sealed_before = old_box.seal("sk-before-0000000000")
    settings = Settings(secret_key=NEW, secret_key_previous=f"{LOST},{OLD}")
    box = box_from_settings(settings)

    assert settings.secret_keys == [NEW, LOST, OLD]
    assert box.open(sealed_before) == "sk-before-0000000000"
    sealed_after = box.seal("sk-after-00000000000")
    assert SecretBox(NEW).open(sealed_after) == "sk-after-00000000000"
    with pytest.raises(UndecryptableSecret):
        old_box.open(sealed_after)


async def test_rotate_reseals_every_credential_and_names_the_unreadable(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    await _store(
        database_url, SecretBox(OLD), {f"key-{n}": f"sk-secret-{n:012d}" for n in range(3)}
    )
    await _store(database_url, SecretBox(LOST), {"forgotten": "sk-forgotten-0000000"})
    monkeypatch.setenv("NODELOOM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NODELOOM_SECRET_KEY", NEW)
    monkeypatch.setenv("NODELOOM_SECRET_KEY_PREVIOUS", OLD)

    status = await _in_thread(main, ["credentials", "rotate", "--database-url", database_url])

    out, err = capsys.readouterr()
    assert status == EXIT_FAILURE
    assert out == "Re-encrypted 3 credential(s) under NODELOOM_SECRET_KEY.\n"
    assert "credential 'forgotten' of 'local' opens with no configured key" in err
    assert "4/4" in err and "sk-" not in out + err  # progress, never a secret
    new_only = SecretBox(NEW)
    stored = await _ciphertexts(database_url)
    assert {name: new_only.open(stored[name]) for name in stored if name != "forgotten"} == {
        f"key-{n}": f"sk-secret-{n:012d}" for n in range(3)
    }

    monkeypatch.setenv("NODELOOM_SECRET_KEY_PREVIOUS", LOST)
    again = await _in_thread(main, ["credentials", "rotate", "--database-url", database_url])
    assert again == EXIT_OK
    assert new_only.open((await _ciphertexts(database_url))["forgotten"]) == "sk-forgotten-0000000"


async def _in_thread(function, *args):
    import asyncio

    return await asyncio.to_thread(function, *args)  # the command runs its own event loop


def test_rotate_needs_the_new_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys):
    monkeypatch.setenv("NODELOOM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("NODELOOM_SECRET_KEY", raising=False)
    assert main(["credentials", "rotate"]) == EXIT_FAILURE
    assert "set NODELOOM_SECRET_KEY to the new key" in capsys.readouterr().err


def test_a_key_file_from_single_person_mode_still_opens_after_the_key_is_set(tmp_path: Path):
    sealed = box_from_settings(Settings(data_dir=tmp_path)).seal("sk-local-000000000000")
    box = box_from_settings(Settings(data_dir=tmp_path, secret_key=NEW))

    assert box.open(sealed) == "sk-local-000000000000"
    assert SecretBox(NEW).open(box.seal("sk-new-0000000000000")) == "sk-new-0000000000000"
