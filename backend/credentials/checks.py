"""Checking a credential: one cheap authenticated call through the provider's own client.

openai and anthropic list models with their SDKs, pinecone lists indexes with its SDK,
openai_compatible sends ``GET {base_url}/models``, postgres connects and runs
``SELECT 1``. A failure is a result (``ok: false``) with a detail that never holds the
secret — not an error of the API.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from backend.credentials.providers import Provider

log = logging.getLogger(__name__)
TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    detail: str


async def check_credential(provider: Provider, secret: str, base_url: str | None) -> CheckResult:
    try:
        async with asyncio.timeout(TIMEOUT_S + 2):
            detail = await _CHECKS[provider](secret, base_url)
        return CheckResult(True, detail)
    except Exception as error:  # any failure is the answer, never a 500
        detail = (
            _describe(error, base_url).replace(secret, "***")
            if secret
            else _describe(error, base_url)
        )
        log.info("credential check (%s) failed: %s", provider.value, detail)
        return CheckResult(False, detail)


async def _openai(secret: str, base_url: str | None) -> str:
    import openai

    async with openai.AsyncOpenAI(
        api_key=secret, base_url=base_url or None, timeout=TIMEOUT_S, max_retries=0
    ) as client:
        models = [model.id async for model in client.models.list()]
    return f"The key works: {len(models)} models available."


async def _anthropic(secret: str, base_url: str | None) -> str:
    import anthropic

    async with anthropic.AsyncAnthropic(
        api_key=secret, base_url=base_url or None, timeout=TIMEOUT_S, max_retries=0
    ) as client:
        models = [model.id async for model in client.models.list()]
    return f"The key works: {len(models)} models available."


async def _pinecone(secret: str, base_url: str | None) -> str:
    from pinecone import PineconeAsyncio, RetryConfig

    async with PineconeAsyncio(
        api_key=secret,
        host=base_url or None,
        timeout=TIMEOUT_S,
        retry_config=RetryConfig(max_retries=0),
    ) as client:
        indexes = await client.list_indexes()
    return f"The key works: {len(indexes.names())} indexes."


async def _openai_compatible(secret: str, base_url: str | None) -> str:
    if not base_url:
        raise ValueError("an openai_compatible credential needs a base URL")
    url = base_url.rstrip("/") + "/models"
    async with httpx.AsyncClient(timeout=TIMEOUT_S) as client:
        response = await client.get(url, headers={"Authorization": f"Bearer {secret}"})
    response.raise_for_status()
    models = response.json().get("data", [])
    return f"The server answers: {len(models)} models available."


async def _postgres(secret: str, _base_url: str | None) -> str:
    import asyncpg

    dsn = secret.replace("postgresql+asyncpg://", "postgresql://", 1)
    connection = await asyncpg.connect(dsn, timeout=TIMEOUT_S)
    try:
        await connection.fetchval("SELECT 1")
    finally:
        await connection.close()
    return "Connected; SELECT 1 works."


_CHECKS = {
    Provider.openai: _openai,
    Provider.anthropic: _anthropic,
    Provider.pinecone: _pinecone,
    Provider.openai_compatible: _openai_compatible,
    Provider.postgres: _postgres,
}


def _describe(error: Exception, base_url: str | None) -> str:
    """What went wrong, from the error's kind and status — never its message, which may
    quote the request (and so the key)."""
    status = getattr(error, "status_code", None) or getattr(error, "status", None)
    if isinstance(error, httpx.HTTPStatusError):
        status = error.response.status_code
    if status in (401, 403):
        return f"The provider refused the credential ({status})."
    if isinstance(status, int):
        return f"The provider answered with status {status}."
    if isinstance(error, TimeoutError):
        return f"No answer within {TIMEOUT_S:g} s."
    if isinstance(error, ValueError) and "needs a base URL" in str(error):
        return "An openai_compatible credential needs a base URL."
    where = urlsplit(base_url).netloc if base_url else "the provider"
    name = type(error).__name__
    if "Connect" in name or isinstance(error, OSError):
        return f"Could not connect to {where} ({name})."
    if "password" in name.lower() or "Auth" in name:
        return f"The provider refused the credential ({name})."
    return f"The check failed ({name})."
