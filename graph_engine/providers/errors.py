"""Provider faults as node errors: secrets scrubbed, retryable only when a retry can help."""

from __future__ import annotations

from collections.abc import Iterable

from graph_engine.errors import NodeError

_FINAL_STATUSES = frozenset({400, 401, 403, 404, 405, 409, 413, 415, 422})
_MAX_MESSAGE = 2000


class ProviderError(NodeError):
    """A model, embedding or vector-store service refused or failed a request."""

    code = "provider_error"

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class ConfigurationError(NodeError):
    """The node's params cannot work (a missing file, a wrong dimension…): fix, don't retry."""

    code = "node_configuration"
    retryable = False


def provider_error(what: str, error: BaseException, secrets: Iterable[str] = ()) -> ProviderError:
    """Wrap ``error`` (raised by a provider SDK) with every secret in its text replaced."""
    text = f"{what}: {type(error).__name__}: {error}"
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    if len(text) > _MAX_MESSAGE:
        text = text[:_MAX_MESSAGE] + "…"
    return ProviderError(text, retryable=_status(error) not in _FINAL_STATUSES)


def _status(error: BaseException) -> int | None:
    for attribute in ("status_code", "status", "http_status"):
        value = getattr(error, attribute, None)
        if isinstance(value, int):
            return value
    response = getattr(error, "response", None)
    value = getattr(response, "status_code", None)
    return value if isinstance(value, int) else None
