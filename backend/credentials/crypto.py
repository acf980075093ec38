"""Encrypting stored secrets: Fernet (AES-128-CBC + HMAC-SHA256) under a key derived with
HKDF-SHA256 from ``NODELOOM_SECRET_KEY``.

Key rotation: ``NODELOOM_SECRET_KEY_PREVIOUS`` lists earlier keys. New secrets are sealed
under the current key; a secret sealed under any listed key still opens (``MultiFernet``);
``rotate`` re-seals one under the current key (``nodeloom credentials rotate`` does all).

Single-person mode without that setting keeps a random key in ``<data dir>/secret.key``
(mode 0600), made on first use, so credentials survive restarts. With Kafka (several
processes) the setting is required: ``Settings`` refuses to start without it.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from backend.config import Settings

KEY_FILE = "secret.key"
_INFO = b"nodeloom credentials v1"


class UndecryptableSecret(Exception):
    """The ciphertext was made under another key (NODELOOM_SECRET_KEY changed)."""


class SecretBox:
    """Seals under the first key material given, opens under any of them."""

    def __init__(self, *key_materials: str) -> None:
        assert key_materials, "a SecretBox needs a key"
        self._fernet = MultiFernet([_fernet(material) for material in key_materials])

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def open(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            raise UndecryptableSecret() from None

    def rotate(self, ciphertext: str) -> str:
        """``ciphertext`` sealed again under the current key (same secret)."""
        try:
            return self._fernet.rotate(ciphertext.encode("ascii")).decode("ascii")
        except (InvalidToken, ValueError):
            raise UndecryptableSecret() from None


def _fernet(key_material: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        key_material.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def box_from_settings(settings: Settings) -> SecretBox:
    if keys := settings.secret_keys:
        # A key file from before NODELOOM_SECRET_KEY was set still opens what it sealed.
        earlier = settings.data_dir / KEY_FILE
        if earlier.is_file():
            keys.append(earlier.read_text(encoding="ascii").strip())
        return SecretBox(*keys)
    return SecretBox(_local_key(settings.data_dir))


def _local_key(data_dir: Path) -> str:
    path = data_dir / KEY_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    try:  # O_EXCL: of two processes starting together, one writes and both read it
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key)
    return key
