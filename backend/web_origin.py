"""The origin (``scheme://host[:port]``) of a URL, as browsers send it in ``Origin``."""

from __future__ import annotations

from urllib.parse import urlsplit


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of ``url``, lower-cased; ``None`` for anything else."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()
