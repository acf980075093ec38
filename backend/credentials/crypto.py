"""Encrypting stored secrets: Fernet (AES-128-CBC + HMAC-SHA256) under a key derived with
HKDF-SHA256 from ``NODELOOM_SECRET_KEY``.

Single-person mode without that setting keeps a random key in ``<data dir>/secret.key``
(mode 0600), made on first use, so credentials survive restarts.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from backend.config import Settings

KEY_FILE = "secret.key"
_INFO = b"nodeloom credentials v1"


class UndecryptableSecret(Exception):
    """The ciphertext was made under another key (NODELOOM_SECRET_KEY changed)."""


class SecretBox:
    def __init__(self, key_material: str) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            key_material.encode("utf-8")
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def open(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            raise UndecryptableSecret() from None


def box_from_settings(settings: Settings) -> SecretBox:
    if settings.secret_key is not None:
        return SecretBox(settings.secret_key.get_secret_value())
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
