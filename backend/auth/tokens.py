"""Random bearer tokens (session cookies, API keys, share links) and how they are stored.

A token is 256 random bits; the database keeps only its SHA-256, so a leaked table
grants nothing. A short prefix of the token is kept in clear so people can tell their
keys and links apart.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32  # 256 bits
API_KEY_PREFIX = "nlk_"
DISPLAY_PREFIX_LENGTH = 8
# token_urlsafe(32) is 43 characters of the URL-safe base64 alphabet.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_api_key() -> str:
    return API_KEY_PREFIX + new_token()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def display_prefix(token: str) -> str:
    return token[:DISPLAY_PREFIX_LENGTH]


def looks_like_token(value: str) -> bool:
    """Whether ``value`` could be a token we issued (anything else is refused unasked)."""
    return _TOKEN.fullmatch(value) is not None


def looks_like_api_key(value: str) -> bool:
    return value.startswith(API_KEY_PREFIX) and looks_like_token(value[len(API_KEY_PREFIX) :])
