"""Where a secret rides in a request's path, and that path with the secret hidden.

A share link's token is the path segment after ``/api/v1/shared/`` (its API and its run
stream) or ``/s/`` (its page). Spans and log lines write it ``{secret}``: the server
spans' attributes, and uvicorn's access lines and WebSocket lines, which take the path
as an argument. Tests hold these prefixes to the routes.
"""

from __future__ import annotations

import logging
import re

SECRET_AFTER = ("/api/v1/shared/", "/s/")
HIDDEN = "{secret}"
_PREFIXES = "|".join(map(re.escape, SECRET_AFTER))
_SECRET = re.compile(f"^(?P<prefix>{_PREFIXES})(?P<secret>[^/?#]+)")


def path_secret(path: str) -> str | None:
    """The share link's token in ``path``, if it carries one."""
    match = _SECRET.match(path)
    return match.group("secret") if match else None


def hide_secret(path: str) -> str:
    """``path`` with a share link's token written ``{secret}``."""
    return _SECRET.sub(rf"\g<prefix>{HIDDEN}", path, count=1)


class HideSecretsInPaths(logging.Filter):
    """Rewrites the paths uvicorn passes to its log lines, before any handler formats
    them (attached to the handler, it sees every propagated record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("uvicorn") and isinstance(record.args, tuple):
            record.args = tuple(
                hide_secret(value) if isinstance(value, str) else value for value in record.args
            )
        return True
